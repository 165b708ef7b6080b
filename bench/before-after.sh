#!/usr/bin/env bash
# Runs the same fan-out load against two builds of Chatroom, alternating, on one machine in one
# session: for a change that must not make the server slower (a refactoring), its "before" and
# "after". Each run starts a fresh server (fresh database, --rate 0), warms it 20 s, measures 20 s.
#   bench/before-after.sh BEFORE.jar AFTER.jar [rounds]      (default 2 rounds of each scenario)
# Prints one JSON line per run (see chatroom.bench.Report), labelled before/after.
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE="$1"; AFTER="$2"; ROUNDS="${3:-2}"
JAVA="$(./chatroom java-home)/bin/java"
PORT="${PORT:-18099}" # another port when two comparisons share the machine

run_one() { # label, jar, scenario args...
  local label="$1" jar="$2"; shift 2
  local dir; dir=$(mktemp -d)
  "$JAVA" $(./chatroom java-opts) -jar "$jar" --host 127.0.0.1 --port $PORT --db "$dir/chatroom.db" --rate 0 \
    >"$dir/server.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do grep -q "running at" "$dir/server.log" 2>/dev/null && break; sleep 0.1; done
  "$JAVA" -jar "$AFTER" bench fanout --url "ws://127.0.0.1:$PORT/r/{room}/ws" --pid "$pid" "$@" \
    | sed "s|^{|{\"label\":\"$label\",|"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}

for r in $(seq "$ROUNDS"); do
  for side in before after; do
    jar=$BEFORE; [ "$side" = after ] && jar=$AFTER
    run_one "$side 1x100 500/s" "$jar" --rooms 1 --members 100 --senders 10 --rate 500/s --warmup 20s --duration 20s
    run_one "$side 100x10 5000/s" "$jar" --rooms 100 --members 10 --senders 1 --rate 5000/s --warmup 20s --duration 20s
  done
done
