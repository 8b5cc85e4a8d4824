# Sourced by bench/ab and bench/profile: one broker on CPU 0, and an equal-load scenario on CPU 1, QoS 0,
# 64-byte payloads: SCENARIO=fanin (default) is 8 publishers at RATE [30000] msg/s in all -> 1 subscriber
# on bench/#; SCENARIO=fanout is 1 publisher at RATE [800] msg/s -> 50 subscribers of fanout/1.
# Defines: jar, port, rate, out (a scratch directory), broker (its pid, killed at exit), deliveries (per
# published message: 1 or 50),
#   start_broker "JVM FLAGS"   Starling from broker-server/target/starling.jar, or $BROKER_CMD when set
#   run_load SECONDS [HOOK]   one run of the scenario; HOOK (a function) is started in the background
#                              1.5 s into the publishing and waited for; prints the messages delivered
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jar=$(pwd)/broker-server/target/starling.jar
[ -f "$jar" ] || bin/starling --version > /dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
case "${SCENARIO:-fanin}" in
  fanin) rate=${RATE:-30000} subscribers=1 sub_topic='bench/#' publishers=8 pub_topic='bench/%i' ;;
  fanout) rate=${RATE:-800} subscribers=50 sub_topic='fanout/1' publishers=1 pub_topic='fanout/%i' ;;
  *) echo "SCENARIO is fanin or fanout, not $SCENARIO" >&2; exit 2 ;;
esac
deliveries=$subscribers
out=$(mktemp -d /tmp/starling-equal-load.XXXXXX)

start_broker() { # "JVM FLAGS"
  if [ -n "${BROKER_CMD:-}" ]; then
    taskset -c 0 $BROKER_CMD -p "$port" > "$out/broker.log" 2>&1 &
  else
    taskset -c 0 java ${1:-} -jar "$jar" -p "$port" > "$out/broker.log" 2>&1 &
  fi
  broker=$!
  trap 'kill $broker 2>/dev/null || true' EXIT
  sleep 2
}

run_load() { # SECONDS [HOOK]
  taskset -c 1 java -jar "$jar" bench sub -p "$port" -c "$subscribers" -t "$sub_topic" --idle-exit 2 -d 120 --quiet > "$out/sub" 2> /dev/null &
  local sub=$! hook=""
  sleep 1.5
  if [ -n "${2:-}" ]; then
    (sleep 1.5; "$2") &
    hook=$!
  fi
  taskset -c 1 java -jar "$jar" bench pub -p "$port" -c "$publishers" -t "$pub_topic" -s 64 -R "$rate" -d "$1" --quiet > /dev/null 2>&1
  wait "$sub" || true
  [ -z "$hook" ] || wait "$hook" || true
  grep '^result' "$out/sub" | tr ' ' '\n' | awk -F= '$1 == "received" {print $2}'
}
