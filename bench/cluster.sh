#!/usr/bin/env bash
# Cluster-mode benchmarks (docs/BENCHMARKS.md, "Cluster mode"): the bench starts the nodes itself as
# child processes of target/chatroom.jar on free ports, with a fresh PostgreSQL database (created on
# --database-server, dropped after each run) and a fresh Redis key prefix (deleted after each run).
# Prints one JSON line per run, also appended to target/bench-cluster.jsonl, a summary per run on
# stderr, and at the end the ratios the targets are stated in.
#
#   bench/cluster.sh                                   # everything at full size (~15 minutes on 2 cores)
#   bench/cluster.sh --warmup 5s --duration 10s --idle-per-node 2000 --idle-hold 10s   # a quick check
#   bench/cluster.sh --scenarios "fanout store" --rounds 2
#
# Options (each also an environment variable of the same name in capitals, - as _):
#   --scenarios "fanout idle store"   which to run
#   --warmup 20s --duration 20s       fan-out and store runs: warm-up, then the measured window
#   --rounds 1                        fan-out: how many times to run the three set-ups, alternating
#   --fanout-rate 500/s --fanout-members 100 --fanout-senders 10     the fan-out load (one room)
#   --idle-per-node 19900 --idle-hold 30s                            idle: connections per node; live room time
#   --nodes 3                         nodes in the cluster runs
#   --database-server postgresql://127.0.0.1:5432/postgres?user=postgres   --redis redis://127.0.0.1:6379
set -euo pipefail
cd "$(dirname "$0")/.."

SCENARIOS="${SCENARIOS:-fanout idle store}"
WARMUP="${WARMUP:-20s}"
DURATION="${DURATION:-20s}"
ROUNDS="${ROUNDS:-1}"
FANOUT_RATE="${FANOUT_RATE:-500/s}"
FANOUT_MEMBERS="${FANOUT_MEMBERS:-100}"
FANOUT_SENDERS="${FANOUT_SENDERS:-10}"
IDLE_PER_NODE="${IDLE_PER_NODE:-19900}"
IDLE_HOLD="${IDLE_HOLD:-30s}"
NODES="${NODES:-3}"
DATABASE_SERVER="${DATABASE_SERVER:-postgresql://127.0.0.1:5432/postgres?user=postgres}"
REDIS="${REDIS:-redis://127.0.0.1:6379}"
while [ $# -gt 0 ]; do
  name=$(echo "${1#--}" | tr 'a-z-' 'A-Z_')
  case "$name" in
    SCENARIOS|WARMUP|DURATION|ROUNDS|FANOUT_RATE|FANOUT_MEMBERS|FANOUT_SENDERS|IDLE_PER_NODE|IDLE_HOLD|NODES|DATABASE_SERVER|REDIS)
      [ $# -ge 2 ] || { echo "bench/cluster.sh: $1 needs a value" >&2; exit 2; }
      printf -v "$name" '%s' "$2"; shift 2 ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2; echo "bench/cluster.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

JAVA="${JAVA:-$(./chatroom java-home 2>/dev/null || echo /usr/lib/jvm/temurin-25-jdk-amd64)/bin/java}"
BENCH=("$JAVA" --enable-native-access=ALL-UNNAMED -cp target/chatroom.jar chatroom.bench.Bench)
OUT=target/bench-cluster.jsonl
SESSION="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
[ -f target/chatroom.jar ] || { echo "target/chatroom.jar missing: ./chatroom mvn -DskipTests package" >&2; exit 1; }
# the nodes and the idle workers inherit this; each of them holds at most ~20,000 sockets, and the
# bench JVM raises its own soft limit to the hard one
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
SERVICES=(--database-server "$DATABASE_SERVER" --redis "$REDIS")

LINES=$(mktemp)
trap 'rm -f "$LINES"' EXIT

run() { # label, bench args...
  local label="$1"; shift
  echo "== $label (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  "${BENCH[@]}" "$@" | sed "s|^{|{\"label\":\"$label\",\"session\":\"$SESSION\",|" | tee -a "$OUT" | tee -a "$LINES"
}

fanout() { # label, where the nodes come from...
  local label="$1"; shift
  run "$label" fanout "$@" --rooms 1 --members "$FANOUT_MEMBERS" --senders "$FANOUT_SENDERS" --rate "$FANOUT_RATE" \
      --warmup "$WARMUP" --duration "$DURATION" --drain 30s
}

store() { # label, rooms, in flight per sender
  run "$1" fanout --nodes "$NODES" "${SERVICES[@]}" --rooms "$2" --members "$NODES" --senders "$NODES" --inflight "$3" \
      --warmup "$WARMUP" --duration "$DURATION" --drain 30s --room-prefix store-
}

mkdir -p target
for s in $SCENARIOS; do
  case "$s" in
    fanout)
      for r in $(seq "$ROUNDS"); do
        fanout "fanout embedded 1 node" --nodes 1 --embedded
        fanout "fanout cluster 1 node" --nodes 1 "${SERVICES[@]}"
        fanout "fanout cluster $NODES nodes" --nodes "$NODES" "${SERVICES[@]}"
      done ;;
    idle)
      run "idle cluster $NODES x $IDLE_PER_NODE" cluster-idle --nodes "$NODES" "${SERVICES[@]}" \
          --connections-per-node "$IDLE_PER_NODE" --hold "$IDLE_HOLD" ;;
    store)
      # in flight: enough to keep every node's group commit busy, little enough that a member's queue
      # (--send-queue-bytes, 256 KB) never fills with the messages it is waiting for
      store "store cluster $NODES nodes, 1 room" 1 64
      store "store cluster $NODES nodes, 100 rooms" 100 2 ;;
    *) echo "bench/cluster.sh: unknown scenario $s (fanout, idle, store)" >&2; exit 2 ;;
  esac
done

# The targets' ratios, from this session's runs (medians when --rounds > 1).
jq -rs '
  def median: sort | if length == 0 then null else .[(length - 1) / 2 | floor] end;
  def of($l): map(select(.label == $l));
  def r2: if . == null then "-" else (. * 100 | round / 100 | tostring) end;
  (map(select(.label | startswith("fanout cluster ") and (endswith(" 1 node") | not))) | .[0].label // null) as $many
  | of("fanout embedded 1 node") as $emb | of("fanout cluster 1 node") as $one | of($many // "") as $n
  | ($n | map(.cpu.total_us_per_message) | median) as $cpuN
  | ($one | map(.cpu.total_us_per_message) | median) as $cpu1
  | ($emb | map(.cpu.total_us_per_message) | median) as $cpuE
  | ($n | map(.cpu.total_without_jit_us_per_message // empty) | median) as $warmN
  | ($one | map(.cpu.total_without_jit_us_per_message // empty) | median) as $warm1
  | ($n | map(.latency_cross_node_ms.p99) | median) as $crossP99
  | ($n | map(.latency_same_node_ms.p99) | median) as $sameP99
  | ($one | map(.latency_ms.p99) | median) as $oneP99
  | ($emb | map(.latency_ms.p99) | median) as $embP99
  | if ($n | length) == 0 then empty else
    "summary (\($n | length) run(s) each):",
    "  CPU per delivered message, nodes + Redis + PostgreSQL (us): \($many) \($cpuN | r2); cluster 1 node \($cpu1 | r2); embedded \($cpuE | r2)",
    "  ratio \($many) / cluster 1 node: \(if $cpu1 then $cpuN / $cpu1 | r2 else "-" end) (target <= 1.5); / embedded: \(if $cpuE then $cpuN / $cpuE | r2 else "-" end)",
    "  the same without the JIT compiler threads of the nodes (fresh JVMs still compiling; N nodes compile the same code N times): \($many) \($warmN | r2), cluster 1 node \($warm1 | r2), ratio \(if $warm1 and $warmN then $warmN / $warm1 | r2 else "-" end)",
    "  p99 (ms): cross-node \($crossP99 | r2), same-node \($sameP99 | r2) in the \($many) runs; cluster 1 node \($oneP99 | r2); embedded \($embP99 | r2)",
    "  ratio cross-node p99 / cluster 1 node p99: \(if $oneP99 then $crossP99 / $oneP99 | r2 else "-" end) (target <= 2); / same-node p99 of the same runs: \(if $sameP99 then $crossP99 / $sameP99 | r2 else "-" end)",
    "  lost / duplicated / out of order / sockets closed early over every run: \(map(select(.scenario == "fanout")) + map(.live_room // empty) | [(map(.lost) | add), (map(.duplicated) | add), (map(.out_of_order) | add), (map(.closed_early) | add)] | map(tostring) | join(" / ")) (all 0, or the figures above are not comparable: a member too slow to read was closed with 1013 and its share went undelivered)"
    end' "$LINES" >&2
