#!/usr/bin/env bash
# Builds the WebAssembly package (and the exports module) and serves the dashboard on localhost (`make dashboard`).
#   examples/dashboard/serve.sh [--port 8080] [--host 127.0.0.1]
# The page loads the example journal (tests/fixtures/window-year.jsonl) or one you pick.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

"$root/bindings/wasm-exports/build.sh"
exec node "$here/serve.mjs" "$@"
