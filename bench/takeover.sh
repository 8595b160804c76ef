#!/usr/bin/env bash
# Takeover time of an active/standby pair (docs/high-availability.md): WORKERS workers
# (default 1 000 000) registered on SQLite through `sevasim bench`, moved into a PostgreSQL of
# this script's own with `sevad --copy-store-to`, then sevad-a active and sevad-b standby on it;
# sevad-a is killed (SIGKILL) and the time until sevad-b answers STATS as active is printed —
# twice, the second time with a third sevad as the standby. Needs PostgreSQL's server and root
# (the server runs as `postgres`). Usage: bench/takeover.sh [WORKERS]   (make bench-takeover)
set -euo pipefail
cd "$(dirname "$0")/.."
WORKERS=${1:-1000000}
PG=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
D=$(mktemp -d /tmp/sevad-takeover-XXXXXX)
chown postgres "$D"
SEVAD=.build/release/sevad
cleanup() {
    pkill -f -- "--server.unix_socket $D/" || true
    runuser -u postgres -- "$PG/pg_ctl" -D "$D/data" -m immediate stop > /dev/null 2>&1 || true
    rm -rf "$D"
}
trap cleanup EXIT
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
role() {
    python3 - "$D/$1.sock" <<'PY'
import json, socket, sys
try:
    s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1]); s.sendall(b"STATS\n")
    reply = b""
    while not reply.endswith(b"\n"): reply += s.recv(1 << 20)
    print(json.loads(reply[3:])["store"]["role"])
except Exception:
    print("down")
PY
}
wait_role() { until role "$1" | grep -q "^$2"; do sleep 0.05; done; }

echo "PostgreSQL in $D"
runuser -u postgres -- "$PG/initdb" -D "$D/data" -U sevad -A trust -E UTF8 --locale=C --no-sync > /dev/null
runuser -u postgres -- "$PG/pg_ctl" -D "$D/data" -l "$D/pg.log" -w -o "-k $D -c listen_addresses='' -p 5433" start > /dev/null
URL="postgresql:///sevad?host=$D&port=5433&user=sevad"
"$PG/psql" "postgresql:///postgres?host=$D&port=5433&user=sevad" -qc "CREATE DATABASE sevad"

mkdir "$D/seed"
$SEVAD --store.path "$D/seed/sevad.db" --server.unix_socket "$D/seed/sevad.sock" --server.tcp '[]' > /dev/null 2> "$D/seed/sevad.log" &
SEED=$!
until [ -S "$D/seed/sevad.sock" ]; do sleep 0.1; done
START=$(now_ms)
.build/release/sevasim bench --socket "$D/seed/sevad.sock" --workers "$WORKERS" --duration 1 --connections 1 > /dev/null
echo "registered $WORKERS workers on SQLite: $(( $(now_ms) - START )) ms"
kill "$SEED"; wait "$SEED" || true
START=$(now_ms)
$SEVAD --store.path "$D/seed/sevad.db" --copy-store-to "$URL" 2> /dev/null
echo "copied into PostgreSQL: $(( $(now_ms) - START )) ms"

start() {
    $SEVAD --store.backend postgresql --store.url "$URL" --store.node_name "sevad-$1" --store.probe_interval_s 0.2 \
        --server.unix_socket "$D/$1.sock" --server.tcp '[]' --store.path "$D/unused-$1.db" > /dev/null 2> "$D/$1.log" &
    echo $!
}
START=$(now_ms); A=$(start a); wait_role a active
echo "sevad-a active $(( $(now_ms) - START )) ms after its start"
B=$(start b); wait_role b standby
KILLED=$(now_ms); kill -9 "$A"; wait_role b active
echo "takeover: sevad-b active $(( $(now_ms) - KILLED )) ms after SIGKILL of sevad-a"
C=$(start c); wait_role c standby
KILLED=$(now_ms); kill -9 "$B"; wait_role c active
echo "takeover: sevad-c active $(( $(now_ms) - KILLED )) ms after SIGKILL of sevad-b; its RSS $(awk '/VmRSS/ {print $2, $3}' /proc/$C/status)"
