#!/usr/bin/env bash
# The figures for messages that change (edits, deletions, reactions, typing), beside Node `ws`, in one
# session, runs alternated; each run starts a fresh server (fresh database, --rate 0), warms it 20 s and
# measures 20 s. Prints one JSON line per run (see chatroom.bench.Report), labelled.
#   bench/changes.sh [rounds]            (default 3)
#   BEFORE=/path/to/older/chatroom.jar bench/changes.sh   also runs an older build's messages-only load
# Per round, at 1 room x 100 members, 10 senders:
#   messages only at 500 msg/s (this build, BEFORE if given, Node ws): CPU per delivered message;
#   the busy-room mix at 500 events/s (--changes: 80 % messages, 10 % reactions, 5 % edits, 5 % deletions):
#     CPU per delivered event, to hold against messages only;
#   50 msg/s without and with 20 members typing (each says so every 3 s): the room's CPU with typing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-3}"
JAR="${JAR:-target/chatroom.jar}"
JAVA="$(./chatroom java-home)/bin/java"
ANCHORS="${ANCHORS:-../shared/anchors}"
PORT="${PORT:-18099}"
NODE_PORT="${NODE_PORT:-18390}"
LOAD=(--rooms 1 --members 100 --senders 10 --warmup 20s --duration 20s)
[ -f "$JAR" ] || { echo "$JAR missing: ./chatroom mvn -DskipTests package" >&2; exit 1; }

label() { sed "s|^{|{\"label\":\"$1\",|"; }

run_chatroom() { # label, jar, bench args...
  local label="$1" jar="$2"; shift 2
  local dir; dir=$(mktemp -d)
  "$JAVA" $(./chatroom java-opts) -jar "$jar" --host 127.0.0.1 --port "$PORT" --db "$dir/chatroom.db" --rate 0 \
    >"$dir/server.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do grep -q "running at" "$dir/server.log" 2>/dev/null && break; sleep 0.1; done
  "$JAVA" -jar "$JAR" bench fanout --url "ws://127.0.0.1:$PORT/r/{room}/ws" --pid "$pid" "${LOAD[@]}" "$@" | label "$label"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}

run_node() { # label, bench args...
  local label="$1"; shift
  local dir=/tmp/bench-anchor-node-ws
  [ -d "$dir/node_modules" ] || { rm -rf "$dir"; cp -r "$ANCHORS/node-ws" "$dir"; (cd "$dir" && npm install --no-audit --no-fund >&2); }
  (cd "$dir" && PORT="$NODE_PORT" exec node server.js >/tmp/bench-node-ws.log 2>&1) &
  local pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$NODE_PORT/" && break; sleep 0.1; done
  "$JAVA" -jar "$JAR" bench fanout --url "ws://127.0.0.1:$NODE_PORT/connect?room={room}" --pid "$pid" "${LOAD[@]}" "$@" | label "$label"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

for r in $(seq "$ROUNDS"); do
  run_chatroom "messages 500/s" "$JAR" --rate 500/s
  run_chatroom "mix 500/s" "$JAR" --rate 500/s --changes true
  run_node "node-ws messages 500/s" --rate 500/s
  [ -n "${BEFORE:-}" ] && run_chatroom "before messages 500/s" "$BEFORE" --rate 500/s
  run_chatroom "messages 50/s" "$JAR" --rate 50/s
  run_chatroom "messages 50/s, 20 typing" "$JAR" --rate 50/s --typers 20
done
