#!/usr/bin/env bash
# How fast a fresh server starts and reaches full speed, with and without the start-up cache that
# `./chatroom run` trains (see the script), alternating, on one machine in one session. Each run starts a
# fresh server (fresh database, --rate 0, ./chatroom run's JVM settings) and reports:
#   first_response_ms   from the moment the JVM is started until /readyz first answers 200
#   cold                fan-out load from then on, measured over its first 10 s (no warm-up)
#   warm                the same load on the same server after 20 s more of it, measured 10 s
# with the server's CPU per delivered message in each (server.us_per_message of the fan-out report).
#   bench/warm-start.sh [rounds]          (default 3; needs the jar and target/chatroom.aot or .jsa,
#                                          which the first `./chatroom run` of a build makes)
# Prints one JSON line per run, labelled, and appends them to target/warm-start.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-3}"
JAVA_HOME="$(./chatroom java-home)"
JAVA="$JAVA_HOME/bin/java"
OPTS="$(./chatroom java-opts)" # what ./chatroom run uses
PORT=18097
LOAD=(--rooms 10 --members 10 --senders 1 --rate 1000/s)
if [ -s target/chatroom.aot ]; then CACHE="-XX:AOTCache=target/chatroom.aot -Xlog:aot*=off -Xlog:cds*=off"
elif [ -s target/chatroom.jsa ]; then CACHE="-XX:SharedArchiveFile=target/chatroom.jsa -Xlog:cds*=off"
else echo "warm-start: no start-up cache in target/; start the server once with ./chatroom run" >&2; exit 1; fi

run_one() { # label, extra JVM flags
  local label="$1" flags="$2" dir pid start first
  dir=$(mktemp -d)
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  "$JAVA" $OPTS $flags -jar target/chatroom.jar --host 127.0.0.1 --port $PORT --db "$dir/chatroom.db" --rate 0 \
    >"$dir/server.log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/readyz"; do sleep 0.005; done
  first=$(( ($(date +%s%N) - start) / 1000000 ))
  for phase in cold warm; do
    local warmup=0s; [ "$phase" = warm ] && warmup=20s
    "$JAVA" -jar target/chatroom.jar bench fanout --url "ws://127.0.0.1:$PORT/r/{room}/ws" --pid "$pid" \
        "${LOAD[@]}" --warmup "$warmup" --duration 10s --drain 2s 2>/dev/null \
      | sed "s|^{|{\"label\":\"$label $phase\",\"first_response_ms\":$first,|" | tee -a target/warm-start.jsonl
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}

for _ in $(seq "$ROUNDS"); do
  run_one "no-cache" ""
  run_one "cache" "$CACHE"
done
