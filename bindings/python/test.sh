#!/usr/bin/env bash
# Builds the Python package as a wheel (abi3, `maturin build --release`), installs it with its
# extras into a fresh virtual environment, and tests it there, as a user would have it: pytest
# (scenarios, conversions, errors, files, reports, threads), doctests of the installed package,
# mypy, stubtest (the .pyi stubs against the installed module) and the tour notebook.
#
#   bindings/python/test.sh          everything above
#   bindings/python/test.sh bench    build, then run benches/python_bench.py
#   bindings/python/test.sh build    build only (the package in bindings/python/.venv)
#   bindings/python/test.sh postgres build, then run tests/test_postgres.py only (needs FW_PG_URL:
#                                    run it under tests/postgres/with-server.sh, as make test-postgres does)
#
# Virtual environments:
#   bindings/python/.venv        the development one: maturin (and, for `bench`, the pinned tools
#                                of requirements-dev.txt), each installed when its pin changes, and
#                                the package from the last wheel built (benchmarks, peers.py);
#   target/python/venv-test-tools  the tools of requirements-test.txt (kept while that list is
#                                unchanged); it never holds funding_window;
#   target/python/venv-wheel     made anew on every test run: the wheel installed with its extras
#                                [pandas,plot], the tools taken from venv-test-tools by a .pth file.
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

# Installs a requirements file into the development environment when it changed since last time.
install_once() {
    local name="$1" file="$2" stamp want
    stamp="$VENV/.$name.sha256"
    want="$(cat "$file" "$HERE/requirements-test.txt" | sha256sum | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
        step "installing $name into $VENV"
        "$PY" -m pip install -q -r "$file"
        echo "$want" >"$stamp"
    fi
}
# Building needs only maturin; the tests install their tools into the fresh environment below,
# so a test run downloads and unpacks them once, not twice. Benchmarks need them here.
BUILD_REQUIREMENTS="$VENV/.requirements-build.txt"
grep '^maturin==' "$HERE/requirements-dev.txt" >"$BUILD_REQUIREMENTS"
install_once requirements-build "$BUILD_REQUIREMENTS"
if [ "$MODE" = "bench" ]; then
    install_once requirements-dev "$HERE/requirements-dev.txt"
fi

step "building the wheel (maturin build --release)"
WHEELS="$CARGO_TARGET_DIR/wheels"
rm -rf "$WHEELS"
(cd "$HERE" && VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" "$VENV/bin/maturin" build --release --quiet --out "$WHEELS")
WHEEL="$(ls "$WHEELS"/funding_window-*.whl)"
case "$(basename "$WHEEL")" in
    *-cp39-abi3-*.whl) echo "built $(basename "$WHEEL")" ;;
    *) echo "test.sh: $(basename "$WHEEL") is not an abi3 wheel for CPython >= 3.9" >&2; exit 1 ;;
esac
# The development environment gets the same build (benchmarks and peers.py use it).
"$VENV/bin/python" -m pip install -q --force-reinstall --no-deps "$WHEEL"

if [ "$MODE" = "build" ]; then
    exit 0
fi

if [ "$MODE" = "bench" ]; then
    step "benchmark (benches/python_bench.py)"
    exec "$PY" "$ROOT/benches/python_bench.py"
fi

# The pinned test tools, in an environment of their own that never holds funding_window: made
# when requirements-test.txt changes (installing pandas, pyarrow and matplotlib anew takes about
# a minute, and copying or deleting their 600 MB of files as long again on this disk).
TOOLS_VENV="$CARGO_TARGET_DIR/venv-test-tools"
TOOLS_WANT="$(cat "$HERE/requirements-test.txt" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$TOOLS_VENV/.requirements-test.sha256" 2>/dev/null || true)" != "$TOOLS_WANT" ]; then
    step "the test tools (requirements-test.txt) in $TOOLS_VENV"
    rm -rf "$TOOLS_VENV"
    "$PYTHON" -m venv "$TOOLS_VENV"
    "$TOOLS_VENV/bin/python" -m pip install -q -r "$HERE/requirements-test.txt"
    echo "$TOOLS_WANT" >"$TOOLS_VENV/.requirements-test.sha256"
fi

step "a fresh virtual environment with the wheel and its extras"
# A new environment each run; the tools environment's site-packages is added to its path (a .pth
# file), after its own. pip resolves the extras [pandas,plot] against the pinned tools there and
# installs only funding_window, from the wheel, into the new environment.
TEST_VENV="$CARGO_TARGET_DIR/venv-wheel"
rm -rf "$TEST_VENV"
"$PYTHON" -m venv "$TEST_VENV"
PY="$TEST_VENV/bin/python"
site_packages() { "$1" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'; }
site_packages "$TOOLS_VENV/bin/python" >"$(site_packages "$PY")/test-tools.pth"
"$PY" -m pip install -q "$WHEEL[pandas,plot]"
# Everything below must use the installed wheel, never the source tree.
"$PY" - <<'EOF_CHECK'
import pathlib, sys
import funding_window
location = pathlib.Path(funding_window.__file__).resolve()
if "site-packages" not in location.parts:
    sys.exit(f"funding_window was imported from {location}, not from the installed wheel")
print(f"funding_window {funding_window.__version__} from {location.parent}")
EOF_CHECK
export PATH="$TEST_VENV/bin:$PATH"

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

step "pytest (tests, and the doctests of the installed package)"
"$PY" -m pytest -q -p no:cacheprovider tests --doctest-modules --pyargs funding_window
