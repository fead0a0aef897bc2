#!/usr/bin/env bash
# Builds the Excel report pack's WebAssembly module (bindings/wasm-xlsx/pkg/web), which the
# dashboard loads only when the user asks for Excel. It needs the toolchain of the main module,
# so bindings/wasm/build.sh runs first (installing what is missing, building the main package).
#
# Usage: bindings/wasm-xlsx/build.sh        (prints the gzipped size of the module)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '[wasm-xlsx build] %s\n' "$*" >&2; }

"$root/bindings/wasm/build.sh"

cd "$root"
log "compiling funding-window-xlsx-wasm for wasm32-unknown-unknown (Debian rustc, -Z build-std)"
# The main module's settings (see bindings/wasm/build.sh), all at opt-level "s": the pack is
# written once per click, so size matters more here than speed.
env RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$root/target/wasm" \
    CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort" \
    /usr/bin/cargo build --release --target wasm32-unknown-unknown -Z build-std=std,panic_abort \
    --config 'profile.release.opt-level="s"' \
    -p funding-window-xlsx-wasm

raw="$root/target/wasm/wasm32-unknown-unknown/release/funding_window_xlsx.wasm"
out="$here/pkg/web"
stamp="$(cat "$raw" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-64)"
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ] && [ -f "$out/funding_window_xlsx_bg.wasm" ]; then
    log "module is up to date"
else
    rm -rf "$out"
    wasm-bindgen --target web --out-dir "$out" --out-name funding_window_xlsx "$raw"
    log "optimising funding_window_xlsx_bg.wasm (wasm-opt -Oz)"
    "$root/bindings/wasm/node_modules/.bin/wasm-opt" -Oz \
        --enable-bulk-memory --enable-bulk-memory-opt --enable-call-indirect-overlong \
        --enable-multivalue --enable-mutable-globals --enable-nontrapping-float-to-int \
        --enable-reference-types --enable-sign-ext \
        -o "$out/funding_window_xlsx_bg.wasm" "$out/funding_window_xlsx_bg.wasm"
    printf '%s\n' "$stamp" >"$out/.stamp"
fi
raw_bytes="$(wc -c <"$out/funding_window_xlsx_bg.wasm")"
gz_bytes="$(gzip -9 -c "$out/funding_window_xlsx_bg.wasm" | wc -c)"
printf 'funding_window_xlsx_bg.wasm: %d bytes, %d bytes gzipped (%d.%d KB; loaded only for Excel)\n' \
    "$raw_bytes" "$gz_bytes" $((gz_bytes / 1000)) $((gz_bytes % 1000 / 100))
