# Shell helpers of the two WebAssembly build scripts (bindings/wasm/build.sh and
# bindings/wasm-exports/build.sh; sourced, not run), once the toolchain is installed.
#
# wasm_cargo_build PACKAGE [CARGO ARGS...]: compiles PACKAGE for wasm32-unknown-unknown with
#   Debian's compiler, in a target directory of its own (target/wasm) so the two compilers never
#   share artifacts, the standard library built from source (-Z build-std), fat LTO and one
#   codegen unit (a smaller and faster module), and panic = immediate-abort (a panic traps at once
#   instead of formatting a message nobody sees: bare WebAssembly has no stderr, the bindings
#   install no hook, and a panic aborts the module either way). CARGO ARGS add to it (the
#   opt-levels, which each module chooses).
#
# wasm_packages RAW PKG NAME WASM_OPT_LEVEL: wasm-bindgen's packages of the module RAW, PKG/web
#   (--target web) and PKG/node (--target nodejs), each NAME.js, NAME.d.ts and NAME_bg.wasm, the
#   .wasm optimised by wasm-opt at WASM_OPT_LEVEL (-O3, -Oz, ...).

wasm_cargo_build() {
    local package="$1"
    shift
    env RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$root/target/wasm" \
        CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
        CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort" \
        /usr/bin/cargo build --release --target wasm32-unknown-unknown -Z build-std=std,panic_abort \
        "$@" -p "$package"
}

wasm_packages() {
    local raw="$1" pkg="$2" name="$3" opt_level="$4" target out bindgen_target snippet names
    for target in web node; do
        out="$pkg/$target"
        bindgen_target="$target"
        [ "$target" = node ] && bindgen_target=nodejs
        wasm-bindgen --target "$bindgen_target" --out-dir "$out" --out-name "$name" "$raw"
        if [ "$target" = node ]; then
            # The packages' own JavaScript (guard.js, walk.js) is written as ES modules, which the
            # CommonJS glue of --target nodejs require()s: Node before 20.19 cannot, so their
            # `export function` declarations become CommonJS exports.
            find "$out/snippets" -name '*.js' -print0 | while IFS= read -r -d '' snippet; do
                names="$(sed -n 's/^export function \([A-Za-z0-9_]*\).*/\1/p' "$snippet" | paste -sd, -)"
                sed -i 's/^export function /function /' "$snippet"
                printf '\nmodule.exports = { %s };\n' "$names" >>"$snippet"
            done
        fi
        log "optimising $target/${name}_bg.wasm (wasm-opt $opt_level)"
        # The features rustc 1.96 enables by default for wasm32-unknown-unknown.
        "$root/bindings/wasm/node_modules/.bin/wasm-opt" "$opt_level" \
            --enable-bulk-memory --enable-bulk-memory-opt --enable-call-indirect-overlong \
            --enable-multivalue --enable-mutable-globals --enable-nontrapping-float-to-int \
            --enable-reference-types --enable-sign-ext \
            -o "$out/${name}_bg.wasm" "$out/${name}_bg.wasm"
    done
}
