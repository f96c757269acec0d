#!/usr/bin/env bash
# dht-bench.sh - Peerline's overlay on the "sipgw-dht-v1" workload (../shared/bench/dht-workload.md),
# in the deterministic simulator, next to the figures OpenDHT 2.4.12 reached on the same kind of machine.
#
# Runs `peerline overlay sim` (the real node code: RELOAD messages encoded and decoded, CHORD-RELOAD,
# replicated storage) over a simulated network in virtual time:
#   N = 100, 300, 1000 with 10% of the nodes replaced per minute, seeds 1-3 (medians reported);
#   N = 300 with 50% per minute; N = 10,000 once (feasibility and wall time).
# Each run: N nodes join through node 0 at 50/s, settle 60 s, idle 60 s (maintenance traffic), store
# 10,000 records of 200 bytes from their publishers, idle 60 s again, then MINUTES of lookups at 20/s
# with churn. Bytes include TLS record, framing and TCP/IP overheads (see SimNetwork).
#
# Usage: overlay/bench/dht-bench.sh [--quick] [--jar FILE]
#   --quick   one seed, 1 minute of churn, no 10,000-node run (about a minute)
# Needs: java 17, python3 (for the table). Prints the JSON lines, then the table.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=gateway/target/peerline.jar
MINUTES=3
SEEDS=(1 2 3)
BIG=1
while [[ $# -gt 0 ]]; do
    case $1 in
        --quick) MINUTES=1; SEEDS=(1); BIG=0 ;;
        --jar) JAR=$2; shift ;;
        *) echo "usage: $0 [--quick] [--jar FILE]" >&2; exit 2 ;;
    esac
    shift
done
[[ -f $JAR ]] || { echo "no $JAR: build first (mvn -B -q -DskipTests package)" >&2; exit 2; }
OUT=$(mktemp -d /tmp/dht-bench.XXXXXX)
run() {  # run LABEL NODES CHURN SEED
    local label=$1 n=$2 churn=$3 seed=$4
    java -Xmx4g -jar "$JAR" overlay sim --nodes "$n" --minutes "$MINUTES" --churn-per-minute "$churn" --seed "$seed" \
        | sed "s/^{/{\"label\":\"$label\",/" | tee -a "$OUT/results.jsonl"
}
for n in 100 300 1000; do
    for s in "${SEEDS[@]}"; do run "n$n-churn10" "$n" 0.1 "$s"; done
done
for s in "${SEEDS[@]}"; do run "n300-churn50" 300 0.5 "$s"; done
if [[ $BIG == 1 ]]; then run "n10000-churn10" 10000 0.1 1; fi

python3 - "$OUT/results.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for r in rows:
    by.setdefault(r["label"], []).append(r)
def med(label, key, scale=1.0, fmt="{:.1f}"):
    rs = by.get(label)
    return fmt.format(statistics.median(r[key] for r in rs) * scale) if rs else "-"
print()
print("sipgw-dht-v1, medians over seeds (Peerline, simulator)        | OpenDHT 2.4.12 (same workload)")
print("{:<46} {:>9} {:>9} {:>9} | {}".format("", "N=100", "N=300", "N=1000", "N=100 / 300 / 1000"))
def line(name, key, scale=1.0, fmt="{:.1f}", ref=""):
    print("{:<46} {:>9} {:>9} {:>9} | {}".format(name, *(med(f"n{n}-churn10", key, scale, fmt) for n in (100, 300, 1000)), ref))
line("idle bytes/node/s, settled (before records)", "maintenance_bytes_per_node_per_s", ref="31 / 32 / 32 (1.5 min after join)")
line("idle bytes/node/s, records stored", "maintenance_bytes_per_node_per_s_records_stored", ref="2 / 8 / 7")
line("lookup success, 10%/min churn (%)", "lookup_success", 100, "{:.2f}", "100 / 99.97 / 99.89")
line("lookup latency p50 (ms, simulated WAN)", "latency_p50_ms", ref="1.3-2 (loopback)")
line("lookup latency p99 (ms, simulated WAN)", "latency_p99_ms")
line("hops p50", "hops_p50")
line("hops p99", "hops_p99")
line("bytes per store", "bytes_per_store", 1, "{:.0f}", "10.3k / 10.9k / 12.5k")
line("bytes per lookup (net of idle, incl. churn)", "bytes_per_lookup", 1, "{:.0f}")
print("{:<46} {:>9} | {}".format("lookup success, N=300, 50%/min churn (%)", med("n300-churn50", "lookup_success", 100, "{:.2f}"), "94.9"))
if "n10000-churn10" in by:
    r = by["n10000-churn10"][0]
    print("N=10000, 10%/min: lookup success {:.3f}%, hops p50 {}, wall {:.0f} s".format(r["lookup_success"] * 100, r["hops_p50"], r["wall_s"]))
print("targets: success >= 99.9% (N=1000, 10%/min), >= 99% (N=300, 50%/min); median hops <= log2(N)/2 + 1"
      " (4.3 / 5.1 / 6.0); idle <= 50 B/s per node")
PY
echo "(JSON lines in $OUT/results.jsonl)"
