#!/usr/bin/env bash
# Runs the service locally (`make service`): called by tests/postgres/with-server.sh, which has
# started a throwaway PostgreSQL and set FW_PG_URL. Mints an admin token (printed here once, kept
# nowhere), serves the dashboard at /dashboard/, and listens on FW_LISTEN (127.0.0.1:8080).
# Ctrl-C stops the service; the server and the token file go with it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="$root/target/release/service"

dir="$(mktemp -d "${TMPDIR:-/tmp}/fw-service.XXXXXX")"
trap 'rm -rf "$dir"' EXIT
export FW_TOKENS_FILE="$dir/tokens.toml"
token="$("$bin" mint-token admin admin 2>&1 >"$FW_TOKENS_FILE" | sed 's/.*: //')"
export FW_LISTEN="${FW_LISTEN:-127.0.0.1:8080}"
export FW_DASHBOARD_DIR="${FW_DASHBOARD_DIR:-$root/examples/dashboard}"
export FW_DASHBOARD_PKG="${FW_DASHBOARD_PKG:-$root/bindings/wasm/pkg/web}"
export FW_DASHBOARD_EXPORTS_PKG="${FW_DASHBOARD_EXPORTS_PKG:-$root/bindings/wasm-exports/pkg/web}"

cat <<TEXT
funding-window service on a throwaway PostgreSQL (removed when you stop it with Ctrl-C)
  URL        http://$FW_LISTEN/  (the dashboard: http://$FW_LISTEN/dashboard/, the API: /openapi.json)
  admin token  $token
  try        curl -H "Authorization: Bearer $token" http://$FW_LISTEN/reports/trial_balance
More tokens: target/release/service mint-token NAME ROLE >> $FW_TOKENS_FILE (then restart).
TEXT
"$bin"
