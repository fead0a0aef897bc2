#!/usr/bin/env bash
# End-to-end test of the dashboard in Debian's Chromium, headless, driven by playwright-core
# (`make test-browser`). Builds the WebAssembly package, installs Chromium (apt) and
# playwright-core (npm) when missing, and runs test/*.test.mjs with `node --test`.
# Screenshots go to examples/dashboard/out/ (gitignored).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

# shellcheck source=../../bindings/wasm/scripts/apt.sh
source "$root/bindings/wasm/scripts/apt.sh"

# The main package and the exports module (which builds the main package first).
"$root/bindings/wasm-exports/build.sh"

# `test.sh service`: only the service mode (test/service.test.mjs; make test-postgres runs it).
if [ "${1:-}" = "service" ]; then
    tests=(examples/dashboard/test/service.test.mjs)
else
    tests=(examples/dashboard/test/)
fi

if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium
fi
if [ ! -f "$here/node_modules/playwright-core/package.json" ] || [ ! -f "$here/node_modules/axe-core/axe.min.js" ] ||
    [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
    echo "[dashboard test] installing playwright-core and axe-core (npm ci)" >&2
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

mkdir -p "$here/out"
cd "$root"
node --test "${tests[@]}"
