#!/usr/bin/env bash
# The running service against its own OpenAPI document, by Schemathesis (from PyPI): requests
# generated from the document (valid and invalid), every answer checked for a documented status,
# content type, headers and schema, for no 5xx, for 401 without the token, and for refusing what
# the document says is invalid. Bounded: FW_SCHEMATHESIS_SECONDS (60 by default).
#
#   tests/postgres/with-server.sh examples/service/tests/schemathesis.sh    (make test-postgres)
#
# Needs FW_PG_URL (with-server.sh sets it) and target/release/service (cargo build --release).
# Installs Schemathesis in target/schemathesis-venv when missing. Not checked:
# positive_data_acceptance (a well-formed command may rightly be refused by a rule of the books:
# 422, not a defect).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
bin="$root/target/release/service"
venv="$root/target/schemathesis-venv"
version="4.32.5"

if [ ! -x "$venv/bin/schemathesis" ] || ! "$venv/bin/schemathesis" --version | grep -q "$version"; then
    echo "[schemathesis] installing schemathesis $version in $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$version"
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/svc-schemathesis.XXXXXX")"
service=""
cleanup() {
    [ -n "$service" ] && kill "$service" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT

token="$("$bin" mint-token schemathesis admin 2>&1 >"$dir/tokens.toml" | sed 's/.*: //')"
mkfifo "$dir/out"
FW_TOKENS_FILE="$dir/tokens.toml" FW_LISTEN=127.0.0.1:0 FW_LEDGER="schemathesis-$$-$(date +%s)" \
    "$bin" >"$dir/out" &
service=$!
read -r line <"$dir/out"
url="${line#listening on }"
cat "$dir/out" >/dev/null &

# Schemathesis keeps a cache in its working folder: the temporary one, not the repository.
cd "$dir"
"$venv/bin/schemathesis" run "$url/openapi.json" \
    --header "Authorization: Bearer $token" \
    --max-time "${FW_SCHEMATHESIS_SECONDS:-60}" \
    --checks all --exclude-checks positive_data_acceptance \
    --suppress-health-check too_slow,filter_too_much \
    --warnings off
