#!/usr/bin/env bash
# Local stack for Bus from native Debian packages: RabbitMQ, PostgreSQL and moto_server (S3),
# each bound to 127.0.0.1 with its data under .local/ (git-ignored).
#   scripts/stack.sh up|down|status [rabbitmq|postgres|s3 ...]   (up/down: only the servers named, all by default)
# Ports, node name and data folder can be moved by environment (BUS_STACK_DATA, BUS_RABBIT_PORT, BUS_PG_PORT, ...
# below): the chaos benchmark runs a second stack of its own this way (docs/benchmarks.md).
# Idempotent: a server that answers is reused; a PID file whose process is gone is removed.
# Only processes this script started (by PID file) are ever stopped.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${BUS_STACK_DATA:-$ROOT/.local}
RABBIT_PORT=${BUS_RABBIT_PORT:-5673}
RABBIT_MGMT_PORT=${BUS_RABBIT_MGMT_PORT:-15673}
RABBIT_DIST_PORT=${BUS_RABBIT_DIST_PORT:-25673}
RABBIT_NODE=${BUS_RABBIT_NODE:-bus@localhost}
PG_PORT=${BUS_PG_PORT:-5433}
S3_PORT=${BUS_S3_PORT:-9000}
PG_BIN=${BUS_PG_BIN:-/usr/lib/postgresql/15/bin}
# One preservation bucket per region label and provider (the default storage options, docs/ingest.md), and the restore bucket.
BUCKETS=${BUS_BUCKETS:-bus-receiving bus-staging bus-preservation-va bus-preservation-or bus-preservation-oh bus-wasabi-or bus-wasabi-va bus-wasabi-tx bus-restore}

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 2; }
is_root() { [ "$(id -u)" = 0 ]; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_alive() { # pidfile
  [ -f "$1" ] || return 1
  local pid; pid=$(cat "$1" 2>/dev/null || true)
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && return 0
  log "removing stale PID file $1"; rm -f "$1"; return 1
}

ensure_packages() {
  local missing=()
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
  [ -x "$PG_BIN/initdb" ] || missing+=(postgresql)
  command -v curl >/dev/null || missing+=(curl)
  ldconfig -p 2>/dev/null | grep -q 'libmagic.so.1 ' || missing+=(libmagic1)
  [ ${#missing[@]} -eq 0 ] && return 0
  if is_root; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # policy-rc.d stops the packages' own services from starting: Bus runs its own instances.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    rm -f /usr/sbin/policy-rc.d
  else
    die "missing packages; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  fi
  command -v moto_server >/dev/null || die "moto_server not found; run: pip install 'moto[server]'"
}

# The web console's browser tests drive Debian's chromium by its path (docs/console.md): only the
# test targets need it, so `up` does not install it.
ensure_browser() {
  [ -x /usr/bin/chromium ] && return 0
  if is_root; then
    log "installing chromium (browser tests)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    die "missing chromium for the browser tests; run: sudo apt-get update && sudo apt-get install -y chromium"
  fi
}

# ---------------------------------------------------------------- RabbitMQ
rabbit_env() {
  export RABBITMQ_NODENAME=$RABBIT_NODE RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$RABBIT_PORT
  export RABBITMQ_DIST_PORT=$RABBIT_DIST_PORT ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_MNESIA_BASE=$DATA/rabbitmq/mnesia RABBITMQ_LOG_BASE=$DATA/rabbitmq/log
  export RABBITMQ_CONFIG_FILE=$DATA/rabbitmq/rabbitmq RABBITMQ_ENABLED_PLUGINS_FILE=$DATA/rabbitmq/enabled_plugins
  export RABBITMQ_PID_FILE=$DATA/rabbitmq/rabbit.pid RABBITMQ_ADVANCED_CONFIG_FILE=$DATA/rabbitmq/advanced
  export HOME=$DATA/rabbitmq/home
  # A fixed cookie for this local, loopback-only node: rabbitmqctl from any clone can manage it.
  if [ ! -f "$HOME/.erlang.cookie" ]; then
    mkdir -p "$HOME"; printf 'BUSLOCALSTACKCOOKIE' > "$HOME/.erlang.cookie"; chmod 400 "$HOME/.erlang.cookie"
  fi
}
rabbitctl() { ( rabbit_env; /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBIT_NODE" "$@" ); }

rabbit_up() {
  if port_open "$RABBIT_PORT" && rabbitctl status >/dev/null 2>&1; then log "rabbitmq: running on $RABBIT_PORT"
  else
    pid_alive "$DATA/rabbitmq.pid" && die "rabbitmq process $(cat "$DATA/rabbitmq.pid") alive but not answering"
    mkdir -p "$DATA/rabbitmq/home" "$DATA/rabbitmq/log" "$DATA/rabbitmq/mnesia"
    cat > "$DATA/rabbitmq/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$RABBIT_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBIT_MGMT_PORT
loopback_users = none
log.console = false
log.file.level = warning
CONF
    echo '[rabbitmq_management].' > "$DATA/rabbitmq/enabled_plugins"
    echo '[].' > "$DATA/rabbitmq/advanced.config"
    log "rabbitmq: starting node $RABBIT_NODE on 127.0.0.1:$RABBIT_PORT"
    ( rabbit_env; setsid /usr/lib/rabbitmq/bin/rabbitmq-server > "$DATA/rabbitmq/log/stdout.log" 2>&1 & echo $! > "$DATA/rabbitmq.pid" )
    for _ in $(seq 1 60); do rabbitctl await_startup >/dev/null 2>&1 && break; sleep 1; done
    rabbitctl await_startup >/dev/null 2>&1 || die "rabbitmq did not start; see $DATA/rabbitmq/log"
  fi
  rabbitctl list_vhosts -q 2>/dev/null | grep -qx bus || rabbitctl add_vhost bus >/dev/null
  rabbitctl list_users -q 2>/dev/null | awk '{print $1}' | grep -qx bus || rabbitctl add_user bus bus >/dev/null
  # impersonator: a host moving an integrator's faulted SubmitIngest to an _error queue, or replaying it,
  # republishes it with the integrator's user_id, which RabbitMQ otherwise refuses (docs/security.md).
  rabbitctl set_user_tags bus administrator impersonator >/dev/null
  rabbitctl set_permissions -p bus bus '.*' '.*' '.*' >/dev/null
}
rabbit_down() {
  if pid_alive "$DATA/rabbitmq.pid"; then
    log "rabbitmq: stopping"
    rabbitctl stop >/dev/null 2>&1 || kill "$(cat "$DATA/rabbitmq.pid")" || true
    for _ in $(seq 1 30); do pid_alive "$DATA/rabbitmq.pid" || break; sleep 1; done
    rm -f "$DATA/rabbitmq.pid"
  fi
}

# ---------------------------------------------------------------- PostgreSQL
pg_as() { if is_root; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
pg_up() {
  local pgdata=$DATA/postgres
  if port_open "$PG_PORT" && "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then log "postgres: running on $PG_PORT"
  else
    if [ ! -f "$pgdata/PG_VERSION" ]; then
      mkdir -p "$pgdata"; is_root && chown postgres:postgres "$pgdata"; chmod 700 "$pgdata"
      # Superuser over the local socket only; Bus connects over TCP as role bus with a password.
      pg_as "'$PG_BIN/initdb' -D '$pgdata' -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >/dev/null"
    fi
    log "postgres: starting on 127.0.0.1:$PG_PORT"
    pg_as "'$PG_BIN/pg_ctl' -D '$pgdata' -l '$pgdata/server.log' -w -t 60 -o \"-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories='$pgdata' -c max_connections=300 -c fsync=on\" start >/dev/null" \
      || die "postgres did not start; see $pgdata/server.log"
  fi
  local psql="'$PG_BIN/psql' -h '$pgdata' -p $PG_PORT -U postgres -v ON_ERROR_STOP=1 -qtA"
  # The two roles, bus_owner (migrations) and bus (runtime), and the upgrade of an older data dir: docs/security.md.
  pg_as "$psql -d postgres -f -" < "$ROOT/docker/postgres-init.sql" || die "postgres: setting up roles failed"
}
pg_down() {
  local pgdata=$DATA/postgres
  if [ -f "$pgdata/postmaster.pid" ] && kill -0 "$(head -1 "$pgdata/postmaster.pid")" 2>/dev/null; then
    log "postgres: stopping"; pg_as "'$PG_BIN/pg_ctl' -D '$pgdata' -m fast -w stop >/dev/null"
  fi
}

# ---------------------------------------------------------------- S3 (moto_server)
s3_up() {
  if port_open "$S3_PORT"; then log "s3: answering on $S3_PORT"
  else
    pid_alive "$DATA/moto.pid" && die "moto_server $(cat "$DATA/moto.pid") alive but port $S3_PORT closed"
    mkdir -p "$DATA"
    log "s3: starting moto_server on 127.0.0.1:$S3_PORT"
    setsid moto_server -H 127.0.0.1 -p "$S3_PORT" > "$DATA/moto.log" 2>&1 & echo $! > "$DATA/moto.pid"
    for _ in $(seq 1 30); do port_open "$S3_PORT" && break; sleep 0.5; done
    port_open "$S3_PORT" || die "moto_server did not start; see $DATA/moto.log"
  fi
  for b in $BUCKETS; do
    curl -fsS -o /dev/null -X PUT "http://127.0.0.1:$S3_PORT/$b" || die "cannot create bucket $b"
  done
}
s3_down() {
  if pid_alive "$DATA/moto.pid"; then log "s3: stopping"; kill "$(cat "$DATA/moto.pid")"; rm -f "$DATA/moto.pid"; fi
}

status() {
  local rc=0
  if port_open "$RABBIT_PORT"; then echo "rabbitmq  up    amqp://127.0.0.1:$RABBIT_PORT/bus  management http://127.0.0.1:$RABBIT_MGMT_PORT"; else echo "rabbitmq  down  127.0.0.1:$RABBIT_PORT"; rc=1; fi
  if port_open "$PG_PORT"; then echo "postgres  up    127.0.0.1:$PG_PORT database bus"; else echo "postgres  down  127.0.0.1:$PG_PORT"; rc=1; fi
  if port_open "$S3_PORT"; then echo "s3        up    http://127.0.0.1:$S3_PORT"; else echo "s3        down  127.0.0.1:$S3_PORT"; rc=1; fi
  return $rc
}

# Servers named after the command, in the order given; all three when none are named.
each() { # up|down server...
  local action=$1; shift
  for s in "$@"; do
    case "$s" in
      rabbitmq) "rabbit_$action" ;; postgres) "pg_$action" ;; s3) "s3_$action" ;;
      *) die "unknown server '$s' (rabbitmq, postgres, s3)" ;;
    esac
  done
}

case "${1:-}" in
  up) ensure_packages; if [ $# -gt 1 ]; then each up "${@:2}"; status || true; else pg_up; s3_up; rabbit_up; status; fi ;;
  down) if [ $# -gt 1 ]; then each down "${@:2}"; else rabbit_down; s3_down; pg_down; fi; status || true ;;
  status) status ;;
  browser) ensure_browser ;;
  *) echo "usage: $0 up|down [rabbitmq|postgres|s3 ...] | status | browser" >&2; exit 2 ;;
esac
