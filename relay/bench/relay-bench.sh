#!/usr/bin/env bash
# Relay load benchmark (issue 5): N concurrent bidirectional G.711 calls through the relay on loopback,
# stepping N up until loss reaches 0.1 % or p99 latency 5 ms; prints loss, latency, jitter and the relay's
# CPU per packet for each N (see org.peerline.relay.bench.RelayBench).
# Usage: relay/bench/relay-bench.sh [--seconds S] [--threads T] [--ladder 100,200,...] [--with-rtpengine]
#   --with-rtpengine: then runs the same ladder through rtpengine (Debian rtpengine-daemon, userspace
#   forwarding, --num-threads as --threads) started here on 127.0.0.1, and prints both results and the ratio.
# Needs: mvn -B -q -DskipTests install (the relay's classes and dependencies).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CP_FILE=$ROOT/relay/target/bench.classpath
if [[ ! -f $CP_FILE || $ROOT/relay/pom.xml -nt $CP_FILE ]]; then
    (cd "$ROOT" && mvn -B -q -o -pl relay dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=runtime \
        || mvn -B -q -pl relay dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=runtime)
fi
[[ -d $ROOT/relay/target/classes ]] || { echo "relay-bench: build first: mvn -B -q -DskipTests install" >&2; exit 1; }
# the relay's own dependencies only (the test libraries' logging would time every forwarded packet)
CP=$(tr ':' '\n' <"$CP_FILE" | grep -v -E 'junit|opentest4j|apiguardian|logback' | paste -sd: -)
WITH_RTPENGINE=0
ARGS=()
THREADS=1
while (( $# )); do
    case $1 in
        --with-rtpengine) WITH_RTPENGINE=1 ;;
        --threads) THREADS=$2; ARGS+=("$1" "$2"); shift ;;
        *) ARGS+=("$1") ;;
    esac
    shift
done
bench() { java -Xms512m -Xmx512m -cp "$ROOT/relay/target/classes:$CP" org.peerline.relay.bench.RelayBench "$@" 2>&1 \
    | grep -v '^SLF4J'; }
bench "${ARGS[@]}" | tee /tmp/relay-bench-peerline.txt
(( WITH_RTPENGINE )) || exit 0
command -v rtpengine >/dev/null || { echo "relay-bench: rtpengine is not installed (Debian rtpengine-daemon)" >&2; exit 1; }
rtpengine --config-file=none --interface=127.0.0.1 --listen-ng=127.0.0.1:22223 --table=-1 --foreground \
    --log-stderr --log-level=3 --port-min=30000 --port-max=60000 --num-threads="$THREADS" >/tmp/relay-bench-rtpengine.log 2>&1 &
RTPE=$!
trap 'kill $RTPE 2>/dev/null || true' EXIT
sleep 1
kill -0 $RTPE 2>/dev/null || { echo "relay-bench: rtpengine did not start: $(tail -3 /tmp/relay-bench-rtpengine.log)" >&2; exit 1; }
bench "${ARGS[@]}" --rtpengine 127.0.0.1:22223 "$RTPE" | tee /tmp/relay-bench-rtpengine.txt
ours=$(grep -o 'RESULT peerline: [0-9]*' /tmp/relay-bench-peerline.txt | grep -o '[0-9]*$')
theirs=$(grep -o 'RESULT rtpengine: [0-9]*' /tmp/relay-bench-rtpengine.txt | grep -o '[0-9]*$')
echo "RATIO peerline/rtpengine: $ours/$theirs calls = $(awk -v a="$ours" -v b="$theirs" 'BEGIN{printf "%.2f", b ? a/b : 0}')"
