# Sourced by bench/ab and bench/profile: one broker on CPU 0, and the equal-load fan-in on CPU 1
# (8 publishers at RATE msg/s, 64 bytes, QoS 0 -> 1 subscriber on bench/#).
# Defines: jar, port, rate, out (a scratch directory), broker (its pid, killed at exit),
#   start_broker "JVM FLAGS"   Starling from broker-server/target/starling.jar, or $BROKER_CMD when set
#   fanin SECONDS [HOOK]       one run; HOOK (a function) is started in the background 1.5 s into the
#                              publishing and waited for; prints the subscriber's received count
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jar=$(pwd)/broker-server/target/starling.jar
[ -f "$jar" ] || bin/starling --version > /dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rate=${RATE:-30000}
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

fanin() { # SECONDS [HOOK]
  taskset -c 1 java -jar "$jar" bench sub -p "$port" -t 'bench/#' --idle-exit 2 -d 120 --quiet > "$out/sub" 2> /dev/null &
  local sub=$! hook=""
  sleep 1.5
  if [ -n "${2:-}" ]; then
    (sleep 1.5; "$2") &
    hook=$!
  fi
  taskset -c 1 java -jar "$jar" bench pub -p "$port" -c 8 -t 'bench/%i' -s 64 -R "$rate" -d "$1" --quiet > /dev/null 2>&1
  wait "$sub" || true
  [ -z "$hook" ] || wait "$hook" || true
  grep '^result' "$out/sub" | tr ' ' '\n' | awk -F= '$1 == "received" {print $2}'
}
