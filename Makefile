# The two commands of the README: `make run` (the main job) and `make test` (every test).
# Each target installs what it needs, skipping what is already present.

.PHONY: run test test-rust test-package test-fuzz test-python test-wasm test-browser test-postgres bench bench-peers bench-python bench-postgres bench-notebook dashboard codegen service

# A realistic year of the funding window: prints the resolution tracker and the window
# statement, writes the journal and every report to examples/out/.
run:
	cargo run --release -q -p funding-window-examples --bin window-year -- examples/out

test: test-rust test-package test-fuzz test-python test-wasm test-browser test-postgres

test-rust:
	tests/install-tools.sh
	cargo run -q -p funding-window-codegen -- --check
	cargo fmt --all -- --check
	cargo clippy --all-targets --features funding-window/xlsx -- -D warnings
	cargo test --release --features funding-window/xlsx

# The core crate as it would be published: packaged (metadata, readme, files) and the packaged
# copy built on its own, with no path dependency. --allow-dirty: works on a tree with edits too.
test-package:
	cargo package -p funding-window --allow-dirty

# Each cargo-fuzz target for FUZZ_SECONDS (60 by default); prints executions per target.
test-fuzz:
	tests/fuzz/run.sh

test-python:
	bindings/python/test.sh

test-wasm:
	bindings/wasm/test.sh

test-browser:
	examples/dashboard/test.sh

# The PostgreSQL journal store against a throwaway server (tests/postgres/with-server.sh
# installs Debian's postgresql when missing, runs initdb in a temporary folder, listens on a
# Unix socket only, and stops and removes the server at the end). Under it these tests fail,
# never skip, without a server. The Rust tests are the postgres_* test targets, selected from
# the whole workspace as test-rust builds it (the same features), so nothing is compiled again.
# The service's tests (examples/service/tests: the API, roles, four-eyes, bad input, two replicas
# under load) are postgres_* targets too; the dashboard's service mode runs in Chromium against
# the service built by the first line, and Schemathesis checks it against its OpenAPI document
# for 60 s.
test-postgres:
	tests/postgres/with-server.sh cargo test --release --features funding-window/xlsx --test 'postgres_*'
	tests/postgres/with-server.sh bindings/python/test.sh postgres
	tests/postgres/with-server.sh env FW_SERVICE_BIN=target/release/service examples/dashboard/test.sh service
	tests/postgres/with-server.sh examples/service/tests/schemathesis.sh

bench:
	cargo bench -p funding-window-benches

# ledger-cli, hledger, beancount and our replay on one 100,000-entry workload (markdown table).
bench-peers:
	benches/peers.py

# The PostgreSQL store on a throwaway server, side by side with journal files: open 100,000
# entries, one command per transaction, batches of 1,000, four concurrent writers.
bench-postgres:
	cargo build --release -p funding-window-benches --bin fw-pg-bench
	tests/postgres/with-server.sh target/release/fw-pg-bench all

# Builds the Python package (bindings/python/.venv), then prints benches/python_bench.py's numbers.
bench-python:
	bindings/python/test.sh bench

# The notebook path: Ledger.open of the 100,000-entry benchmark journal plus six reports as
# DataFrames (benches/notebook_bench.py; --compare OTHER_PYTHON for a side-by-side run).
bench-notebook:
	cargo build --release -q -p funding-window-benches --bins
	target/release/fw-bench generate 100000 target/bench-journal-100000.jsonl
	bindings/python/test.sh bench-notebook target/bench-journal-100000.jsonl

dashboard:
	examples/dashboard/serve.sh

# The service (examples/service) on a throwaway PostgreSQL: prints the URL and an admin token
# (bindings/wasm-exports/build.sh builds both WebAssembly packages the dashboard loads).
service:
	bindings/wasm-exports/build.sh
	cargo build --release -p funding-window-example-service
	tests/postgres/with-server.sh examples/service/run-local.sh

# Writes every file generated from the core's contract (TypeScript, Python, JSON Schema, key tables).
codegen:
	cargo run -q -p funding-window-codegen
