# The two commands of the README: `make run` (the main job) and `make test` (every test).
# Each target installs what it needs, skipping what is already present.

.PHONY: run test test-rust test-python test-wasm test-browser bench dashboard

# A realistic year of the funding window: prints the resolution tracker and the window
# statement, writes the journal and every report to examples/out/.
run:
	cargo run --release -q -p funding-window-examples --bin window-year -- examples/out

test: test-rust test-python test-wasm test-browser

test-rust:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo test --release

test-python:
	bindings/python/test.sh

test-wasm:
	bindings/wasm/test.sh

test-browser:
	examples/dashboard/test.sh

bench:
	cargo bench -p funding-window-benches

dashboard:
	examples/dashboard/serve.sh
