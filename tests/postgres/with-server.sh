#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server, and removes the server afterwards.
#
#   tests/postgres/with-server.sh COMMAND [ARGS...]
#
# * Installs Debian's `postgresql` package when no initdb/pg_ctl is found (in
#   /usr/lib/postgresql/*/bin or on PATH).
# * Creates a temporary folder, runs initdb there (as the `postgres` user when run as root:
#   PostgreSQL refuses to run as root), and starts a server that listens only on a Unix
#   socket in that folder (listen_addresses='': no TCP port, no clash with other servers).
# * Runs COMMAND with the connection in its environment:
#     FW_PG_URL       connection string for the tests and benchmarks (key=value form)
#     PGHOST PGPORT PGUSER PGDATABASE   the same for psql
#     FW_PG_REQUIRED=1  tests that need the server fail (never skip) if it is unreachable
#     FW_PG_CTL       a script: `$FW_PG_CTL stop` / `$FW_PG_CTL start` stop and start this
#                     server (the restart test uses it)
# * Stops the server and removes the folder when COMMAND ends, whether it succeeded or not,
#   and exits with COMMAND's status.
#
# FW_PG_OPTIONS adds server options (e.g. "-c log_statement=all").
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

find_bin() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return 0
        fi
    done
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"
        return 0
    fi
    return 1
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "with-server: need root (or sudo) to install PostgreSQL" >&2
        return 1
    fi
}

if ! BIN="$(find_bin)"; then
    echo "with-server: installing Debian's postgresql package" >&2
    # apt may be busy with another install on a shared machine: wait for it.
    for attempt in $(seq 1 60); do
        if as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
            && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; then
            break
        fi
        if [ "$attempt" -eq 60 ]; then
            echo "with-server: could not install postgresql" >&2
            exit 1
        fi
        sleep 10
    done
    BIN="$(find_bin)" || { echo "with-server: no initdb/pg_ctl after installing postgresql" >&2; exit 1; }
fi

DIR="$(mktemp -d "${TMPDIR:-/tmp}/fw-pg.XXXXXX")"
DATA="$DIR/data"
LOG="$DIR/server.log"
PORT=5432

# The server runs as `postgres` when we are root, else as ourselves.
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
    chown postgres "$DIR"
    chmod 0755 "$DIR"
    RUN_AS="runuser -u postgres --"
else
    RUN_AS=""
fi

OPTIONS="-c listen_addresses='' -k $DIR -p $PORT ${FW_PG_OPTIONS:-}"

stop_server() {
    if [ -f "$DATA/postmaster.pid" ]; then
        $RUN_AS "$BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
    fi
}

cleanup() {
    local status=$?
    stop_server
    rm -rf "$DIR"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

$RUN_AS "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C -N >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }

# The control script the restart test calls.
cat >"$DIR/pgctl" <<CTL
#!/bin/sh
set -e
case "\$1" in
    stop) $RUN_AS "$BIN/pg_ctl" -D "$DATA" -m fast -w stop ;;
    start) $RUN_AS "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -o "$OPTIONS" -w start ;;
    *) echo "usage: \$0 stop|start" >&2; exit 2 ;;
esac
CTL
chmod 0755 "$DIR/pgctl"

"$DIR/pgctl" start >/dev/null || { cat "$LOG" >&2; exit 1; }

export FW_PG_URL="host=$DIR port=$PORT user=postgres dbname=postgres"
export PGHOST="$DIR" PGPORT="$PORT" PGUSER=postgres PGDATABASE=postgres
export FW_PG_REQUIRED=1
export FW_PG_CTL="$DIR/pgctl"
echo "with-server: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on $DIR (Unix socket only)" >&2

set +e
"$@"
status=$?
set -e
exit "$status"
