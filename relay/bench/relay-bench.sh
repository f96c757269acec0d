#!/usr/bin/env bash
# Relay load benchmark (issue 5): N concurrent bidirectional G.711 calls through the relay on loopback,
# stepping N up until loss reaches 0.1 % or p99 latency 5 ms; prints loss, latency, jitter and the relay's
# CPU per packet for each N (see org.peerline.relay.bench.RelayBench).
# Usage: relay/bench/relay-bench.sh [--seconds S] [--threads T] [--ladder 100,200,...]
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
exec java -Xms512m -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$ROOT/relay/target/classes:$CP" \
    org.peerline.relay.bench.RelayBench "$@"
