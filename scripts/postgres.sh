# Sourced by scripts/test.sh: install PostgreSQL from Debian packages if missing, start a throwaway
# server on 127.0.0.1 in a temp dir, export AUTOPILOT_TEST_POSTGRES_URL; stop_test_postgres stops it.
pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}
if ! pg_bindir >/dev/null; then
  echo "installing PostgreSQL from Debian packages…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PG_BIN=$(pg_bindir)
PG_DIR=$(mktemp -d /tmp/autopilot-pg.XXXXXX)
PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
chown -R postgres:postgres "$PG_DIR" 2>/dev/null || true
as_pg() { if [ "$(id -u)" = 0 ]; then (cd / && su postgres -s /bin/sh -c "$*"); else sh -c "$*"; fi; }
as_pg "'$PG_BIN/initdb' -D '$PG_DIR/data' -U autopilot --auth=trust -E UTF8 >/dev/null"
as_pg "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -l '$PG_DIR/log' -o \"-h 127.0.0.1 -p $PG_PORT -k '$PG_DIR' -c max_connections=200 -c fsync=off\" -w start >/dev/null"
export AUTOPILOT_TEST_POSTGRES_URL="postgresql://autopilot@127.0.0.1:$PG_PORT/postgres"
stop_test_postgres() {
  as_pg "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -m immediate stop >/dev/null" || true
  rm -rf "$PG_DIR"
}
