#!/usr/bin/env bash
# Runs the bench against the reference servers (node-ws, and seed-worker with SEED=1) and prints
# one JSON line per run on stdout (also appended to target/bench-anchors.jsonl); summaries on stderr.
#
#   bench/run-anchors.sh                 # node-ws: fanout open loop, closed-loop saturation, idle, join
#   SEED=1 bench/run-anchors.sh          # the same against seed-worker too
#   SCENARIOS="fanout-open" bench/run-anchors.sh   # a subset: fanout-open fanout-closed idle join
#
# Needs: a built jar (./mvnw -DskipTests package), node and npm. The references are copied from
# $ANCHORS (read-only) to /tmp and installed there; they are stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

JAVA="${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
ANCHORS="${ANCHORS:-/work/shared/anchors}"
NODE_PORT="${NODE_PORT:-8090}"
SEED_PORT="${SEED_PORT:-8788}"
SCENARIOS="${SCENARIOS:-fanout-open fanout-closed idle join}"
WARMUP="${WARMUP:-5s}"
DURATION="${DURATION:-20s}"
IDLE_CONNECTIONS="${IDLE_CONNECTIONS:-19900}"
OUT=target/bench-anchors.jsonl
BENCH=("$JAVA" --enable-native-access=ALL-UNNAMED -cp target/chatroom.jar chatroom.bench.Bench)

[ -f target/chatroom.jar ] || { echo "target/chatroom.jar missing: run ./mvnw -DskipTests package" >&2; exit 1; }

install_anchor() { # name -> /tmp/bench-anchor-name
  local dir="/tmp/bench-anchor-$1"
  if [ ! -d "$dir/node_modules" ]; then
    rm -rf "$dir" && cp -r "$ANCHORS/$1" "$dir"
    (cd "$dir" && npm install --no-audit --no-fund >&2)
  fi
  echo "$dir"
}

wait_for_port() {
  for _ in $(seq 1 100); do
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/" && return 0
    sleep 0.1
  done
  echo "nothing answers on port $1" >&2; return 1
}

run() { # label, bench args...
  local label="$1"; shift
  echo "== $label: bench $*" >&2
  echo "   load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  "${BENCH[@]}" "$@" | tee -a "$OUT"
}

scenarios() { # server-name, url template, pid(s)
  local name="$1" url="$2" pid="$3"
  for s in $SCENARIOS; do
    case "$s" in
      fanout-open) run "$name fanout 1x100 @500/s" fanout --url "$url" --rooms 1 --members 100 --rate 500/s \
                      --warmup "$WARMUP" --duration "$DURATION" --pid "$pid" ;;
      fanout-closed) run "$name fanout 1x100 closed loop" fanout --url "$url" --rooms 1 --members 100 --inflight 1 \
                      --warmup "$WARMUP" --duration "$DURATION" --pid "$pid" ;;
      idle) run "$name idle $IDLE_CONNECTIONS" idle --url "$url" --connections "$IDLE_CONNECTIONS" --source-addresses 4 \
                      --settle 10s --hold 30s --pid "$pid" ;;
      join) run "$name join @200/s" join --url "$url" --join-rate 200/s --duration 5s --join-timeout 2s --pid "$pid" ;;
    esac
  done
}

# node-ws
dir=$(install_anchor node-ws)
(cd "$dir" && PORT="$NODE_PORT" exec node server.js >/tmp/bench-anchor-node-ws.log 2>&1) &
node_pid=$!
trap 'kill "$node_pid" 2>/dev/null || true' EXIT
wait_for_port "$NODE_PORT"
scenarios node-ws "ws://127.0.0.1:$NODE_PORT/connect?room={room}" "$node_pid"
kill "$node_pid"; wait "$node_pid" 2>/dev/null || true

# seed-worker (one room only: the URL has no {room}, so run single-room scenarios)
if [ "${SEED:-0}" = 1 ]; then
  dir=$(install_anchor seed-worker)
  pids=$("$dir/start.sh" "$SEED_PORT" --direct)
  trap '"$dir/stop.sh" "$SEED_PORT" >/dev/null 2>&1 || true' EXIT
  scenarios seed-worker "ws://127.0.0.1:$SEED_PORT/connect" "$pids"
  "$dir/stop.sh" "$SEED_PORT" >/dev/null 2>&1 || true
fi
