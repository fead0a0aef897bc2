#!/usr/bin/env bash
# Tests the WebAssembly packages (`make test-wasm`):
#   1. builds them: the main package (build.sh installs what is missing) and the exports module
#      (bindings/wasm-exports/build.sh, which runs build.sh first);
#   2. runs the Rust example to get a journal and reports written by the core itself;
#   3. type-checks a typed usage file against the generated .d.ts (tsc --noEmit --strict);
#   4. runs the Node suite in test/ (node --test): every conformance scenario of tests/scenarios,
#      the API and its errors, hostile input, and the journal round trip with the Rust files;
#   5. packs pkg/node and pkg/web, and the exports module's, with `npm pack`, installs each pair of
#      tarballs into a new project and loads them there by name (consumer/: require, import, and the
#      browser modules from their .wasm).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

"$root/bindings/wasm-exports/build.sh"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "[wasm test] writing the Rust example's journal and reports (cargo run -p funding-window-examples)" >&2
(cd "$root" && cargo run --release -q -p funding-window-examples --bin window-year -- "$work/example" >/dev/null)

echo "[wasm test] tsc --noEmit --strict on test/types/usage.ts" >&2
"$here/node_modules/.bin/tsc" -p "$here/test/types/tsconfig.json"

echo "[wasm test] node --test bindings/wasm/test" >&2
cd "$root"
FW_RUST_EXAMPLE_OUT="$work/example" node --test bindings/wasm/test/

echo "[wasm test] npm pack; each package installed in a new project and loaded by name" >&2
version="$(node -p 'require(process.argv[1]).version' "$here/pkg/node/package.json")"
for target in node web; do
    project="$work/uses-$target"
    mkdir -p "$project"
    tarballs=()
    for package in funding-window:"$here/pkg/$target" funding-window-exports:"$root/bindings/wasm-exports/pkg/$target"; do
        name="${package%%:*}"
        (cd "${package#*:}" && npm pack --silent --pack-destination "$work" >/dev/null)
        mv "$work/$name-$version.tgz" "$work/$name-$target-$version.tgz"
        tarballs+=("$work/$name-$target-$version.tgz")
    done
    printf '{"name": "uses-funding-window-%s", "private": true}\n' "$target" >"$project/package.json"
    (cd "$project" && npm install --silent --no-audit --no-fund "${tarballs[@]}")
done
cp "$here/consumer/require.test.cjs" "$here/consumer/import.test.mjs" "$work/uses-node/"
cp "$here/consumer/web.test.mjs" "$work/uses-web/"
(cd "$work/uses-node" && node --test)
(cd "$work/uses-web" && node --test)
