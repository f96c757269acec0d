#!/usr/bin/env bash
# loopback-bench.sh - the overlay on real sockets: N boxes in one JVM over loopback TLS, phased like the
# sipgw-dht-v1 workload (../shared/bench/dht-workload.md): join and settle, idle traffic, K stores, Poisson
# lookups at 20/s, idle traffic with the records stored, then every record looked up, a third of the boxes
# killed one by one, and every record looked up again (nothing may be lost). One JSON line per run.
#
# As root it runs in a network namespace of its own (unshare -n), so the bytes counted on its lo are the
# overlay's alone; otherwise the counts include whatever else uses this machine's loopback.
#
# Usage: overlay/bench/loopback-bench.sh [NODES [RECORDS [SEED [LOOKUP_SECONDS [IDLE_SECONDS]]]]]
#        (defaults 50 10000 1 60 30; about 5 minutes)
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=gateway/target/peerline.jar
[[ -f $JAR ]] || { echo "no $JAR: build first (mvn -B -q -DskipTests package)" >&2; exit 2; }
ARGS=("${@:-50}")
[[ $# -gt 0 ]] && ARGS=("$@")
RUN=(java -Xmx2g -Dlogback.configurationFile=/dev/null -cp "$JAR" org.peerline.overlay.sim.LoopbackBench "${ARGS[@]}")
if [[ $(id -u) -eq 0 ]] && command -v unshare >/dev/null; then
    exec unshare -n bash -c 'ip link set lo up && exec "$@"' bench "${RUN[@]}"
fi
echo "not root: byte counts include all of this machine's loopback traffic" >&2
exec "${RUN[@]}"
