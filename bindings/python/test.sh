#!/usr/bin/env bash
# Builds the Python package into a virtual environment and tests it end to end:
# pytest (scenarios, conversions, errors, files, reports, threads), doctests, mypy,
# stubtest (the .pyi stubs against the built module) and the tour notebook.
#
#   bindings/python/test.sh          everything above
#   bindings/python/test.sh bench    build, then run benches/python_bench.py
#   bindings/python/test.sh postgres build, then run tests/test_postgres.py only (needs FW_PG_URL:
#                                    run it under tests/postgres/with-server.sh, as make test-postgres does)
#
# Installs only what is missing: the virtual environment (bindings/python/.venv) and the
# pinned tools of requirements-dev.txt (reinstalled when that file changes).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="$HERE/.venv"
MODE="${1:-test}"

# Our own target directory: builds do not wait on the lock of the workspace's default one.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/python}"
export MPLBACKEND=Agg
export PIP_DISABLE_PIP_VERSION_CHECK=1

if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
fi
command -v cargo >/dev/null 2>&1 || { echo "test.sh: cargo (Rust) is needed to build the extension" >&2; exit 1; }
PYTHON="${PYTHON:-python3}"

step() { printf '\n== %s\n' "$*"; }

if [ ! -x "$VENV/bin/python" ]; then
    step "virtual environment $VENV"
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
        # Debian's system Python keeps venv/ensurepip in a package of its own.
        rm -rf "$VENV"
        if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
            apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
        fi
        "$PYTHON" -m venv "$VENV"
    fi
fi
PY="$VENV/bin/python"

STAMP="$VENV/.requirements-dev.sha256"
WANT="$(sha256sum "$HERE/requirements-dev.txt" | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$WANT" ]; then
    step "installing requirements-dev.txt"
    "$PY" -m pip install -q --upgrade pip
    "$PY" -m pip install -q -r "$HERE/requirements-dev.txt"
    echo "$WANT" >"$STAMP"
fi

step "building funding_window (maturin develop --release)"
(cd "$HERE" && VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" "$VENV/bin/maturin" develop --release --quiet)

if [ "$MODE" = "bench" ]; then
    step "benchmark (benches/python_bench.py)"
    exec "$PY" "$ROOT/benches/python_bench.py"
fi

cd "$HERE"

if [ "$MODE" = "postgres" ]; then
    step "pytest tests/test_postgres.py (PostgreSQL)"
    exec "$PY" -m pytest -q -p no:cacheprovider tests/test_postgres.py
fi

step "mypy (strict) and stubtest (stubs against the built module)"
"$PY" -m mypy
"$PY" -m mypy.stubtest --mypy-config-file pyproject.toml funding_window

step "notebook examples/notebooks/funding_window_tour.ipynb"
"$PY" - "$ROOT/examples/notebooks/funding_window_tour.ipynb" <<'EOF'
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

path = Path(sys.argv[1])
notebook = nbformat.read(path, as_version=4)
NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
if errors:
    sys.exit(f"notebook raised: {errors[0]['ename']}: {errors[0]['evalue']}")
print(f"executed {sum(c.cell_type == 'code' for c in notebook.cells)} code cells of {path.name}")
EOF

step "pytest (tests and doctests)"
"$PY" -m pytest -q -p no:cacheprovider tests --doctest-modules python/funding_window
