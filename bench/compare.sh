#!/usr/bin/env bash
# Chatroom beside the two reference servers, same load generator, one session: the figures in
# docs/BENCHMARKS.md come from this script. Prints one JSON line per run (also appended to
# target/bench-compare.jsonl) and a summary per run on stderr.
#
#   bench/compare.sh                       # everything (about 15 minutes on 2 cores)
#   SCENARIOS="fanout-open idle" bench/compare.sh
#   SERVERS="chatroom node-ws" bench/compare.sh
#
# Chatroom runs from target/chatroom.jar (./chatroom mvn -DskipTests package first) with its rate
# limit off (--rate 0: the generator sends faster than any person) and a fresh database, on io_uring
# (the default where the kernel allows it) and on epoll ("chatroom-epoll", --transport epoll). Two JVM
# settings are measured for memory: the JVM's defaults, and the lean ones we recommend for small
# machines (CHATROOM_LEAN_OPTS). The references are copied from $ANCHORS and npm-installed in /tmp.
set -euo pipefail
cd "$(dirname "$0")/.."

JAVA="${JAVA:-$(./chatroom java-home 2>/dev/null || echo /usr/lib/jvm/temurin-25-jdk-amd64)/bin/java}"
ANCHORS="${ANCHORS:-../shared/anchors}"
SCENARIOS="${SCENARIOS:-fanout-open fanout-rooms fanout-closed idle join store}"
SERVERS="${SERVERS:-chatroom chatroom-epoll node-ws seed-worker}"
LEAN_OPTS="${CHATROOM_LEAN_OPTS:-$(./chatroom java-opts)}" # what ./chatroom run uses
WARMUP="${WARMUP:-20s}"
DURATION="${DURATION:-20s}"
IDLE_CONNECTIONS="${IDLE_CONNECTIONS:-19900}"
OUT=target/bench-compare.jsonl
BENCH=("$JAVA" --enable-native-access=ALL-UNNAMED -cp target/chatroom.jar chatroom.bench.Bench)
CHAT_PORT=8310 NODE_PORT=8390 SEED_PORT=8788
[ -f target/chatroom.jar ] || { echo "target/chatroom.jar missing: ./chatroom mvn -DskipTests package" >&2; exit 1; }
ulimit -n 20000 2>/dev/null || true

pids=()
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; [ -d /tmp/bench-anchor-seed-worker ] && /tmp/bench-anchor-seed-worker/stop.sh "$SEED_PORT" >/dev/null 2>&1 || true; }
trap cleanup EXIT

wait_for_port() { for _ in $(seq 1 200); do curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/" && return 0; sleep 0.1; done; echo "nothing on port $1" >&2; return 1; }

install_anchor() {
  local dir="/tmp/bench-anchor-$1"
  if [ ! -d "$dir/node_modules" ]; then
    rm -rf "$dir" && cp -r "$ANCHORS/$1" "$dir" && (cd "$dir" && npm install --no-audit --no-fund >&2)
  fi
  echo "$dir"
}

start_chatroom() { # extra JVM options, extra server flags; sets CHAT_PID
  local dir; dir=$(mktemp -d /tmp/bench-chatroom.XXXX)
  (cd "$dir" && exec "$JAVA" $1 -jar "$OLDPWD/target/chatroom.jar" --host 127.0.0.1 --port "$CHAT_PORT" --rate 0 ${2:-} \
      >"$dir/log" 2>&1) &
  CHAT_PID=$!; pids+=("$CHAT_PID"); wait_for_port "$CHAT_PORT"
}
stop_chatroom() { kill "$CHAT_PID"; wait "$CHAT_PID" 2>/dev/null || true; }

start_node() {
  local dir; dir=$(install_anchor node-ws)
  (cd "$dir" && PORT="$NODE_PORT" exec node server.js >/tmp/bench-node-ws.log 2>&1) &
  NODE_PID=$!; pids+=("$NODE_PID"); wait_for_port "$NODE_PORT"
}
stop_node() { kill "$NODE_PID"; wait "$NODE_PID" 2>/dev/null || true; }

start_seed() {
  local dir; dir=$(install_anchor seed-worker)
  SEED_PID=$("$dir/start.sh" "$SEED_PORT" --direct | tail -1)   # its workerd PIDs, comma-separated
}
stop_seed() { /tmp/bench-anchor-seed-worker/stop.sh "$SEED_PORT" >/dev/null 2>&1 || true; }

run() { # label, bench args...
  local label="$1"; shift
  echo "== $label (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  "${BENCH[@]}" "$@" | sed "s|^{|{\"label\":\"$label\",|" | tee -a "$OUT"
}

url_of() { case "$1" in
  chatroom*) echo "ws://127.0.0.1:$CHAT_PORT/r/{room}/ws" ;;
  node-ws) echo "ws://127.0.0.1:$NODE_PORT/connect?room={room}" ;;
  seed-worker) echo "ws://127.0.0.1:$SEED_PORT/connect" ;;
esac; }

with_server() { # server, JVM opts (chatroom only), function to run with URL and PID
  local server="$1" opts="$2" fn="$3"
  case "$server" in
    chatroom-epoll*) start_chatroom "$opts" "--transport epoll"; "$fn" "$server" "$(url_of chatroom)" "$CHAT_PID"; stop_chatroom ;;
    chatroom*) start_chatroom "$opts"; "$fn" "$server" "$(url_of chatroom)" "$CHAT_PID"; stop_chatroom ;;
    node-ws) start_node; "$fn" "$server" "$(url_of node-ws)" "$NODE_PID"; stop_node ;;
    seed-worker) start_seed; "$fn" "$server" "$(url_of seed-worker)" "$SEED_PID"; stop_seed ;;
  esac
}

fanout_open() { run "$1 fanout 1x100 500/s" fanout --url "$2" --rooms 1 --members 100 --senders 10 --rate 500/s --warmup "$WARMUP" --duration "$DURATION" --pid "$3"; }
fanout_rooms() { run "$1 fanout 100x10 5000/s" fanout --url "$2" --rooms 100 --members 10 --senders 1 --rate 5000/s --warmup "$WARMUP" --duration "$DURATION" --pid "$3"; }
fanout_closed() { run "$1 fanout 1x100 closed loop" fanout --url "$2" --rooms 1 --members 100 --senders 100 --inflight 1 --warmup "$WARMUP" --duration "$DURATION" --pid "$3"; }
idle() { run "$1 idle $IDLE_CONNECTIONS" idle --url "$2" --connections "$IDLE_CONNECTIONS" --source-addresses 4 --settle 10s --hold 30s --pid "$3"; }
join() { # a first run warms the JIT up (a fresh JVM compiles as it goes); the second is measured
  "${BENCH[@]}" join --url "$2" --join-rate 200/s --duration 10s --history 50 >/dev/null 2>&1 || true
  run "$1 join 200/s" join --url "$2" --join-rate 200/s --duration 10s --history 50 --pid "$3"; }

mkdir -p target
for s in $SCENARIOS; do
  for server in $SERVERS; do
    case "$s:$server" in
      fanout-open:*) with_server "$server" "" fanout_open ;;
      fanout-rooms:seed-worker) ;;                      # one room only
      fanout-rooms:*) with_server "$server" "" fanout_rooms ;;
      fanout-closed:*) with_server "$server" "" fanout_closed ;;
      idle:chatroom) with_server chatroom "" idle; with_server "chatroom-lean" "$LEAN_OPTS" idle ;;
      idle:chatroom-epoll) with_server "chatroom-epoll-lean" "$LEAN_OPTS" idle ;;
      join:chatroom-epoll|store:chatroom-epoll) ;;
      idle:seed-worker) ;;                              # ~75 KB per connection: see the anchors' README
      idle:*) with_server "$server" "" idle ;;
      join:chatroom) with_server chatroom "" join ;;    # the references keep no history
      store:chatroom) run "chatroom store" store --db /tmp/bench-store.db --rooms 100 --messages 200000 ;;
    esac
  done
done
