# Shell helpers shared by bench/external and bench/cold-options (sourced, not run).

apt_updated=no
# install <command> <package>: from Debian, once, when missing; true when the command is there afterwards
install() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$apt_updated" = no ]; then apt-get update -qq >/dev/null 2>&1 || true; apt_updated=yes; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 || true
  command -v "$1" >/dev/null 2>&1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

# await <url> [seconds]: until it answers 200, at most 60 s unless told
await() {
  local tries=$(( ${2:-60} * 10 ))
  for _ in $(seq 1 "$tries"); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)" = 200 ] && return 0
    sleep 0.1
  done
  echo "no answer from $1" >&2; return 1
}

# start_emulator <port> <log>: the LM Studio emulator, 16 tokens per answer, no delay (as bench/run's chat); prints its pid
start_emulator() {
  java -Xms64m -Xmx256m -cp "target/test-classes:target/classes:$(cat target/bench/classpath.txt)" \
    dev.lmstudiosidecar.testsupport.emulator.LmStudioEmulator --port "$1" --tokens 16 > "$2" 2>&1 &
  echo $!
}

# hey's percentiles in ms, "p50 p99", from its "Latency distribution"
hey_percentiles() { awk '/ 50% in/ {p50=$3*1000} / 99% in/ {p99=$3*1000} END {printf "%.3f %.3f\n", p50, p99}'; }
