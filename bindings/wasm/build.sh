#!/usr/bin/env bash
# Builds the WebAssembly package of the funding-window ledger:
#
#   bindings/wasm/pkg/web   ES module for browsers (wasm-bindgen --target web)
#   bindings/wasm/pkg/node  CommonJS module for Node (wasm-bindgen --target nodejs)
#
# each with a package.json (name "funding-window") and the typed funding_window.d.ts.
#
# It installs what is missing and skips what is present (README.md, "Toolchain", says why each is needed):
#   * Debian's Rust for WebAssembly (rustc-web, cargo-web, rust-web-src, rust-web-llvm and the
#     lld its rust-lld points to), because rustup cannot fetch a wasm32 standard library here;
#     the standard library is built from source with -Z build-std;
#   * wasm-bindgen-cli at exactly the version the crate pins (cargo install);
#   * wasm-opt and tsc from npm (binaryen, typescript: package-lock.json in this directory).
#
# Usage: bindings/wasm/build.sh            (prints the gzipped size of the optimised module)
# Environment: FW_WASM_OPT=-O3 (wasm-opt level), FW_WASM_FORCE=1 (rebuild the package even if
# the module did not change).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '[wasm build] %s\n' "$*" >&2; }

# shellcheck source=scripts/apt.sh
source "$here/scripts/apt.sh"
# shellcheck source=scripts/wasm.sh
source "$here/scripts/wasm.sh"

# ----- toolchain --------------------------------------------------------------------------------

ensure_debian_rust() {
    apt_install rustc-web cargo-web rust-web-src rust-web-llvm
    # rust-web-llvm links /usr/bin/rust-lld to the lld of its LLVM (lld-22 for Rust 1.96) without
    # depending on it: install the package the link names when the link dangles.
    if [ ! -e /usr/bin/rust-lld ]; then
        local lld
        lld="$(readlink /usr/bin/rust-lld || true)"
        [ -n "$lld" ] || { log "/usr/bin/rust-lld is missing"; exit 1; }
        apt_install "$(basename "$lld")"
    fi
    [ -d /usr/lib/rustlib/src/rust/library ] || { log "rust-web-src did not install the std source"; exit 1; }
}

ensure_node() {
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        apt_install nodejs npm
    fi
}

pinned_bindgen_version() {
    sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' "$here/Cargo.toml"
}

ensure_wasm_bindgen() {
    local want have
    want="$(pinned_bindgen_version)"
    [ -n "$want" ] || { log "wasm-bindgen is not pinned with = in $here/Cargo.toml"; exit 1; }
    have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
    if [ "$have" = "$want" ]; then
        return 0
    fi
    log "installing wasm-bindgen-cli $want (found: ${have:-none}); takes a few minutes"
    local cargo_bin=cargo
    command -v cargo >/dev/null 2>&1 || cargo_bin=/usr/bin/cargo
    # --locked first; it fails when a locked dependency was yanked from the registry, then let
    # cargo resolve current compatible versions.
    "$cargo_bin" install wasm-bindgen-cli --version "$want" --locked ||
        "$cargo_bin" install wasm-bindgen-cli --version "$want"
}

ensure_npm_tools() {
    if [ ! -x "$here/node_modules/.bin/wasm-opt" ] || [ ! -x "$here/node_modules/.bin/tsc" ] ||
        [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
        log "installing binaryen and typescript (npm ci)"
        (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

# ----- build ------------------------------------------------------------------------------------

ensure_debian_rust
ensure_node
ensure_wasm_bindgen
ensure_npm_tools

cd "$root"
log "compiling funding-window-wasm for wasm32-unknown-unknown (Debian rustc, -Z build-std)"
# With the settings of scripts/wasm.sh (fat LTO, one codegen unit, panic = immediate-abort: about
# 12 KB gzipped less than unwinding's messages). The module must stay under 300 KB gzipped, so the
# profile of this build only (measured with the exports in, see README):
#   * opt-level "s" for every crate except the two replay spends its time in (sha2, hashing
#     every journal line, and the core, applying entries), which keep opt-level 3: about 30 KB
#     gzipped less, replay time within a few percent (the noise here). serde_json, which parses
#     each entry's command, kept opt-level 3 too until the core's replay got quicker and larger:
#     at "s" it is 1.7 KB smaller and Node's replay of the 100,000-entry journal measured the
#     same (479 ms against 488-500 ms). The core at "s" too (sha2 at 3), measured again when the
#     exports moved out: 49 KB gzipped less, but replay took 38% more CPU time and applyBatch 13%
#     more; -Z share-generics (3 KB less) cost 10-12% of both, as the core's hot code then calls
#     the "s" copies of generic code other crates hold; wasm-opt -Oz was slower still.
# (-C target-feature=+simd128 was measured too: sha2 0.10 has no wasm SIMD code and replay was
# no faster, so the module keeps running on engines without SIMD.)
wasm_cargo_build funding-window-wasm \
    --config 'profile.release.opt-level="s"' \
    --config 'profile.release.package.sha2.opt-level=3' \
    --config 'profile.release.package.funding-window.opt-level=3'

raw="$root/target/wasm/wasm32-unknown-unknown/release/funding_window_wasm.wasm"
pkg="$here/pkg"
opt_level="${FW_WASM_OPT:--O3}"
stamp="$(cat "$raw" "${BASH_SOURCE[0]}" "$here/scripts/wasm.sh" | sha256sum | cut -c1-64) $opt_level"
if [ "${FW_WASM_FORCE:-0}" != 1 ] && [ -f "$pkg/.stamp" ] && [ "$(cat "$pkg/.stamp")" = "$stamp" ] &&
    [ -f "$pkg/web/funding_window_bg.wasm" ] && [ -f "$pkg/node/funding_window_bg.wasm" ]; then
    log "package is up to date"
else
    rm -rf "$pkg/web" "$pkg/node" "$pkg/.stamp"
    wasm_packages "$raw" "$pkg" funding_window "$opt_level"
    printf '%s\n' "$stamp" >"$pkg/.stamp"
fi
# Cheap, so always: the README and package.json of both packages.
version="$(awk -F'"' '/^\[workspace.package\]/{w=1} w && /^version *=/{print $2; exit}' "$root/Cargo.toml")"
for target in web node; do
    cp "$here/README.md" "$pkg/$target/README.md"
    node "$here/scripts/package-json.mjs" "$target" "$version" "$pkg/$target"
done

raw_bytes="$(wc -c <"$pkg/web/funding_window_bg.wasm")"
gz_bytes="$(gzip -9 -c "$pkg/web/funding_window_bg.wasm" | wc -c)"
limit=300000
printf 'funding_window_bg.wasm: %d bytes, %d bytes gzipped (%d.%d KB; limit 300 KB)\n' \
    "$raw_bytes" "$gz_bytes" $((gz_bytes / 1000)) $((gz_bytes % 1000 / 100))
if [ "$gz_bytes" -gt "$limit" ]; then
    log "the gzipped module is larger than 300 KB"
    exit 1
fi
