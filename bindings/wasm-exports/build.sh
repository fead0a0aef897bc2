#!/usr/bin/env bash
# Builds the exports module (CSV, IATI XML, hledger, the Excel report pack), which a page loads
# only when a user asks for a file:
#
#   bindings/wasm-exports/pkg/web   ES module for browsers (wasm-bindgen --target web)
#   bindings/wasm-exports/pkg/node  CommonJS module for Node (wasm-bindgen --target nodejs)
#
# each with a package.json (name "funding-window-exports") and the typed funding_window_exports.d.ts.
# It needs the main module's toolchain, so bindings/wasm/build.sh runs first (installing what is
# missing, building the main package).
#
# Usage: bindings/wasm-exports/build.sh        (prints the gzipped size of the module)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '[wasm-exports build] %s\n' "$*" >&2; }

"$root/bindings/wasm/build.sh"
# shellcheck source=../wasm/scripts/wasm.sh
source "$root/bindings/wasm/scripts/wasm.sh"

cd "$root"
log "compiling funding-window-exports-wasm for wasm32-unknown-unknown (Debian rustc, -Z build-std)"
# The main module's settings (scripts/wasm.sh), all at opt-level "s": a file is written once per
# click, so size matters more here than speed.
wasm_cargo_build funding-window-exports-wasm --config 'profile.release.opt-level="s"'

raw="$root/target/wasm/wasm32-unknown-unknown/release/funding_window_exports.wasm"
pkg="$here/pkg"
name=funding_window_exports
stamp="$(cat "$raw" "${BASH_SOURCE[0]}" "$root/bindings/wasm/scripts/wasm.sh" | sha256sum | cut -c1-64)"
if [ -f "$pkg/.stamp" ] && [ "$(cat "$pkg/.stamp")" = "$stamp" ] &&
    [ -f "$pkg/web/${name}_bg.wasm" ] && [ -f "$pkg/node/${name}_bg.wasm" ]; then
    log "module is up to date"
else
    rm -rf "$pkg/web" "$pkg/node" "$pkg/.stamp"
    wasm_packages "$raw" "$pkg" "$name" -Oz
    printf '%s\n' "$stamp" >"$pkg/.stamp"
fi
# Cheap, so always: the README and package.json of both packages.
version="$(awk -F'"' '/^\[workspace.package\]/{w=1} w && /^version *=/{print $2; exit}' "$root/Cargo.toml")"
for target in web node; do
    cp "$here/README.md" "$pkg/$target/README.md"
    node "$root/bindings/wasm/scripts/package-json.mjs" "$target" "$version" "$pkg/$target" exports
done

raw_bytes="$(wc -c <"$pkg/web/${name}_bg.wasm")"
gz_bytes="$(gzip -9 -c "$pkg/web/${name}_bg.wasm" | wc -c)"
printf '%s_bg.wasm: %d bytes, %d bytes gzipped (%d.%d KB; loaded only when a file is asked for)\n' \
    "$name" "$raw_bytes" "$gz_bytes" $((gz_bytes / 1000)) $((gz_bytes % 1000 / 100))
