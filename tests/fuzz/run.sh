#!/usr/bin/env bash
# Runs every cargo-fuzz target for a bounded time (FUZZ_SECONDS, default 60 each).
# Installs cargo-fuzz when missing. A crash fails the run; its input is left in
# tests/fuzz/artifacts/<target>/ -- copy it to tests/fuzz/regressions/<target>/ so
# `cargo test -p funding-window-tests --test fuzz_regressions` keeps it fixed.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-60}"
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked || cargo install cargo-fuzz
fi
# cargo-fuzz passes -Z flags; the stable compiler accepts them with RUSTC_BOOTSTRAP.
# Safe Rust needs no address sanitizer here: the checks are the targets' own assertions.
export RUSTC_BOOTSTRAP=1
status=0
for target in journal_text command_json command_sequence; do
    mkdir -p "corpus/$target" "seeds/$target"
    log="$(mktemp)"
    if cargo fuzz run --sanitizer none "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 -max_len=65536 >"$log" 2>&1; then
        execs="$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')"
        echo "fuzz $target: ${execs:-?} executions in ${seconds}s, no crash"
    else
        echo "fuzz $target: FAILED"
        tail -n 40 "$log"
        status=1
    fi
    rm -f "$log"
done
exit "$status"
