#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests (the metastore's production backend).
#
#   scripts/postgres.sh start DIR   initdb a cluster in DIR (once), start it on 127.0.0.1 on a free
#                                   port (54329 upward), wait until it accepts connections, and print
#                                   ONE line on stdout: the SQLAlchemy URL
#                                   postgresql+psycopg://postgres@127.0.0.1:PORT/postgres
#   scripts/postgres.sh stop DIR    stop that server (pg_ctl stop -m fast)
#
# Typical use:
#   URL=$(scripts/postgres.sh start /tmp/pgtest) && STADSDATA_TEST_POSTGRES_URL=$URL pytest ...
#   scripts/postgres.sh stop /tmp/pgtest
#
# Trust authentication, no password: for tests only, never for real data. The unix socket lives
# inside DIR, so the server does not clash with a system cluster. Both commands are idempotent:
# `start` on a running server prints its URL again, `stop` on a stopped one does nothing.
#
# Server binaries: $PG_BINDIR if set, else the newest /usr/lib/postgresql/*/bin (Debian), else
# initdb/pg_ctl on PATH. Missing ones are installed with apt-get when running as root (exit 3 if
# not root). As root the server runs as the `postgres` OS user (PostgreSQL refuses to run as root)
# and DIR is chowned to it, so DIR must be reachable for that user (e.g. under /tmp).
# All messages go to stderr; stdout carries only the URL.
set -euo pipefail

FIRST_PORT=${PG_FIRST_PORT:-54329}
PORT_TRIES=50
PG_LIB=${PG_LIB:-/usr/lib/postgresql}

say() { echo "postgres.sh: $*" >&2; }
die() {
    local code=$1
    shift
    say "$*"
    exit "$code"
}

usage() { die 2 "usage: $0 start|stop DIR"; }

[[ $# -eq 2 ]] || usage
ACTION=$1
[[ -n $2 ]] || usage
if [[ $ACTION == start ]]; then
    mkdir -p -- "$2"
elif [[ ! -d $2 ]]; then
    say "no directory $2; nothing to stop"
    exit 0
fi
DIR=$(cd -- "$2" && pwd -P)
DATA=$DIR/data
SOCK=$DIR/socket
LOG=$DIR/postgres.log

IS_ROOT=0
[[ $(id -u) -eq 0 ]] && IS_ROOT=1

find_bindir() {
    if [[ -n ${PG_BINDIR:-} ]]; then
        [[ -x $PG_BINDIR/pg_ctl && -x $PG_BINDIR/initdb ]] && echo "$PG_BINDIR"
        return 0
    fi
    local candidate best=""
    # Newest major version first (sort -V), Debian layout.
    for candidate in $(ls -d "$PG_LIB"/*/bin 2>/dev/null | sort -V); do
        [[ -x $candidate/pg_ctl && -x $candidate/initdb && -x $candidate/postgres ]] && best=$candidate
    done
    if [[ -z $best ]] && command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        best=$(dirname -- "$(command -v initdb)")
    fi
    [[ -n $best ]] && echo "$best"
    return 0
}

install_postgres() {
    if [[ $IS_ROOT -ne 1 ]]; then
        die 3 "PostgreSQL server binaries not found (looked for $PG_LIB/*/bin/pg_ctl and initdb on PATH)." \
            "Install them as root: apt-get install postgresql (Debian/Ubuntu), or set PG_BINDIR to the" \
            "directory holding initdb and pg_ctl."
    fi
    command -v apt-get >/dev/null 2>&1 ||
        die 3 "PostgreSQL server binaries not found and apt-get is not available; install PostgreSQL" \
            "and/or set PG_BINDIR to the directory holding initdb and pg_ctl."
    say "PostgreSQL server binaries not found: installing the postgresql package with apt-get"
    # Do not let the package create (and try to start) a system cluster on port 5432: we make our own.
    if [[ ! -e /etc/postgresql-common/createcluster.conf ]]; then
        mkdir -p /etc/postgresql-common
        echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
    fi
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold postgresql >&2
}

# Run a PostgreSQL program as the user that owns the cluster (postgres when we are root).
as_owner() {
    if [[ $IS_ROOT -eq 1 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# The port of the running server in DATA (line 4 of postmaster.pid), or nothing.
running_port() {
    [[ -f $DATA/postmaster.pid ]] || return 0
    local pid state
    pid=$(head -n 1 "$DATA/postmaster.pid")
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)
    if [[ $state == Z ]]; then
        # A killed postmaster nobody has reaped yet (containers without an init): its lock file
        # (and socket lock) would make the new server refuse to start.
        say "removing the stale lock files of dead server process $pid"
        as_owner rm -f "$DATA/postmaster.pid" "$SOCK"/.s.PGSQL.*
        return 0
    fi
    as_owner "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1 || return 0
    sed -n 4p "$DATA/postmaster.pid"
}

port_in_use() {
    # Something accepts TCP connections on 127.0.0.1:$1.
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_ready() {
    local port=$1 i
    for ((i = 0; i < 100; i++)); do
        if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

url() { echo "postgresql+psycopg://postgres@127.0.0.1:$1/postgres"; }

start() {
    BIN=$(find_bindir)
    if [[ -z $BIN ]]; then
        install_postgres
        BIN=$(find_bindir)
        [[ -n $BIN ]] || die 3 "apt-get installed postgresql, but no initdb/pg_ctl under $PG_LIB/*/bin"
    fi

    # DIR gets chowned and its data/ may be wiped: only accept an empty or our own directory.
    local entry
    for entry in "$DIR"/* "$DIR"/.[!.]*; do
        [[ -e $entry ]] || continue
        case ${entry##*/} in
        data | socket | postgres.log | .lock) ;;
        *) die 2 "$DIR holds other files (${entry##*/}); give an empty or new directory for the cluster" ;;
        esac
    done

    if [[ $IS_ROOT -eq 1 ]]; then
        id -u postgres >/dev/null 2>&1 ||
            die 3 "running as root, but there is no 'postgres' OS user to run the server as" \
                "(the Debian postgresql package creates it)"
        chown postgres:postgres "$DIR"
        runuser -u postgres -- test -w "$DIR" ||
            die 1 "the postgres OS user cannot write to $DIR (a parent directory is not reachable" \
                "for it); choose a directory such as /tmp/pgtest"
    fi

    # One `start` at a time per DIR.
    # (fd 9 is closed for pg_ctl below, so the server does not inherit the lock.)
    exec 9>>"$DIR/.lock"
    flock -w 120 9 || die 1 "another start for $DIR holds $DIR/.lock"

    local port
    port=$(running_port)
    if [[ -n $port ]]; then
        wait_ready "$port" || die 1 "a server is running in $DATA on port $port but does not accept connections; see $LOG"
        say "already running in $DATA on port $port"
        url "$port"
        return 0
    fi

    if [[ ! -f $DATA/PG_VERSION ]]; then
        rm -rf -- "$DATA"
        say "initdb $DATA ($("$BIN/postgres" --version))"
        mkdir -p -- "$DATA" "$SOCK"
        [[ $IS_ROOT -eq 1 ]] && chown postgres:postgres "$DATA" "$SOCK"
        chmod 700 "$DATA"
        as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --no-locale --no-sync >&2 ||
            die 1 "initdb failed in $DATA"
    fi
    mkdir -p -- "$SOCK"
    [[ $IS_ROOT -eq 1 ]] && chown -R postgres:postgres "$DIR"

    local tries
    port=$FIRST_PORT
    for ((tries = 0; tries < PORT_TRIES; tries++, port++)); do
        port_in_use "$port" && continue
        : >"$LOG"
        [[ $IS_ROOT -eq 1 ]] && chown postgres:postgres "$LOG"
        # Throwaway cluster: durability off for speed.
        if as_owner "$BIN/pg_ctl" start -D "$DATA" -l "$LOG" -w -t 60 -s \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $SOCK -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
            >&2 9>&-; then
            wait_ready "$port" || die 1 "server started on port $port but does not accept connections; see $LOG"
            say "started in $DATA on 127.0.0.1:$port (log: $LOG)"
            url "$port"
            return 0
        fi
        if grep -qiE "could not bind|address already in use|could not create any TCP/IP sockets" "$LOG"; then
            say "port $port is taken, trying the next one"
            continue
        fi
        tail -n 20 "$LOG" >&2 || true
        die 1 "pg_ctl start failed; see $LOG"
    done
    die 1 "no free port in $FIRST_PORT..$((FIRST_PORT + PORT_TRIES - 1))"
}

stop() {
    if [[ ! -f $DATA/PG_VERSION ]]; then
        say "no cluster in $DATA; nothing to stop"
        return 0
    fi
    BIN=$(find_bindir)
    [[ -n $BIN ]] || die 3 "PostgreSQL server binaries not found; cannot stop the server in $DATA"
    if ! as_owner "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1; then
        say "not running in $DATA; nothing to stop"
        return 0
    fi
    as_owner "$BIN/pg_ctl" stop -D "$DATA" -m fast -w -t 60 -s >&2
    say "stopped the server in $DATA"
}

case $ACTION in
start) start ;;
stop) stop ;;
*) usage ;;
esac
