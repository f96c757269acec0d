#!/usr/bin/env bash
# Cross-site call benchmark (issue 4): how many calls per second site A's phones can place to users of
# site B that site A's box finds by overlay lookup, and the post-dial delay (INVITE -> 180 at the caller)
# that the lookup and the second box add, against a same-site call through site B's box alone.
#
# Setup, all on 127.0.0.1 (one machine; the boxes and SIPp share its cores):
#   - BOXES boxes (default 4) of one federation, each the real daemon (peerline.jar run): box 1 is site A,
#     where the callers are; box 2 is site B, where USERS users (default 10,000) register from one SIPp
#     UAS that answers every call; the others only hold their share of the overlay, so that most lookups
#     cross the overlay instead of being answered by the caller's own box.
#   - callers are trusted by address at both boxes (sip.trusted), so the figures are about routing, not
#     digest authentication (the foundation benchmark, sip-bench.sh, measures that).
#
# Figures:
#   - cross-site calls/s: the highest rate of the ladder RATES at which a TRIAL_SECS trial completes
#     >= 99.9 % of its calls (INVITE, 180, 200, ACK, HOLD_MS, BYE, 200), each to a different user of site B;
#   - post-dial delay p50/p90/p99 at PDD_RATE calls/s over PDD_CALLS calls, cross-site (A's box -> overlay
#     lookup -> TLS to B's box -> phone) and same-site (B's box -> phone).
#
# Usage: gateway/bench/federation-bench.sh [--quick]     (needs gateway/target/peerline.jar and sipp)
#   --quick: 1,000 users, rates 20 and 50, 300 calls for the delays (about two minutes)
# Environment: USERS BOXES RATES TRIAL_SECS HOLD_MS PDD_RATE PDD_CALLS JAR OUT; KEEP=1 keeps the work directory
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=${JAR:-$ROOT/gateway/target/peerline.jar}
SIPP_DIR=$ROOT/gateway/src/test/resources/sipp
USERS=${USERS:-10000}
BOXES=${BOXES:-4}
RATES=${RATES:-"50 100 200 300 400 500 600"}
TRIAL_SECS=${TRIAL_SECS:-15}
HOLD_MS=${HOLD_MS:-1000}
PDD_RATE=${PDD_RATE:-50}
PDD_CALLS=${PDD_CALLS:-1500}
OUT=${OUT:-$ROOT/gateway/target/bench}
if [[ ${1:-} == --quick ]]; then
    USERS=1000 RATES="20 50" TRIAL_SECS=10 PDD_CALLS=300
fi

die() { echo "federation-bench: $*" >&2; exit 1; }
[[ -f $JAR ]] || die "no $JAR: build it with 'mvn -B -q -DskipTests package'"
command -v sipp >/dev/null || die "sipp is not installed (Debian package sip-tester)"
(( BOXES >= 2 )) || die "BOXES must be at least 2"

mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
REPORT=$OUT/federation-bench-$STAMP.txt
TMP=$(mktemp -d /tmp/federation-bench.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [[ ${KEEP:-0} == 1 ]] || rm -rf "$TMP"
}
trap cleanup EXIT
say() { echo "$*" | tee -a "$REPORT"; }
peerline() { java -jar "$JAR" "$@"; }

sip_port() { echo $((5100 + 10 * $1)); }
say "federation-bench $STAMP: $BOXES boxes, $USERS users at site B, hold ${HOLD_MS} ms, $(nproc) cores"
say "git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $(java -version 2>&1 | head -1), $(sipp -v 2>&1 | grep -o 'SIPp v[0-9.]*' | head -1)"

# --- the federation: configs, certificates, users -------------------------------------------------
for i in $(seq 1 "$BOXES"); do
    d=$TMP/box$i
    mkdir -p "$d"
    boot=""
    (( i > 1 )) && boot=", bootstrap: [ \"127.0.0.1:6110\" ]"
    cat >"$d/peerline.yaml" <<EOF
site: { name: site-$i, domain: site-$i.example }
data: $d/data
sip:
  listen: [ "udp:127.0.0.1:$(sip_port "$i")" ]
  trusted: [ "127.0.0.1/32" ]
  security: { rate-limit: 0, auth-failures: 0 }
admin: { listen: "127.0.0.1:$((8100 + i))" }
log: { level: warn }
relay: { enabled: false }
overlay: { listen: "127.0.0.1:$((6100 + 10 * i))", sip-listen: "127.0.0.1:$(($(sip_port "$i") + 1))"$boot }
EOF
done
peerline federation init --overlay bench --config "$TMP/box1/peerline.yaml" >/dev/null
for i in $(seq 2 "$BOXES"); do
    peerline overlay ca issue --site "site-$i" --domain "site-$i.example" --out "$TMP/box$i/data/overlay/node" \
        --config "$TMP/box1/peerline.yaml" >/dev/null
done
{
    echo "name,password,extension,display"
    for n in $(seq 1 "$USERS"); do printf 'u%05d,pw-%05d,,\n' "$n" "$n"; done
} >"$TMP/users.csv"
peerline user import "$TMP/users.csv" --config "$TMP/box2/peerline.yaml" >/dev/null
{ echo SEQUENTIAL; for n in $(seq 1 "$USERS"); do printf 'u%05d;pw-%05d\n' "$n" "$n"; done; } >"$TMP/register.csv"
{ echo RANDOM; for n in $(seq 1 "$USERS"); do printf 'u%05d\n' "$n"; done; } >"$TMP/callees.csv"

# --- start the boxes ------------------------------------------------------------------------------
for i in $(seq 1 "$BOXES"); do
    java -Xmx512m -jar "$JAR" run --config "$TMP/box$i/peerline.yaml" >"$TMP/box$i/log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 60); do
        peerline overlay status --json --config "$TMP/box$i/peerline.yaml" 2>/dev/null | grep -q '"state" *: *"joined"' && break
        kill -0 "${PIDS[-1]}" 2>/dev/null || die "box $i died: $(tail -5 "$TMP/box$i/log")"
        sleep 0.5
    done
    peerline overlay status --json --config "$TMP/box$i/peerline.yaml" 2>/dev/null | grep -q '"state" *: *"joined"' \
        || die "box $i did not join: $(tail -5 "$TMP/box$i/log")"
done
sleep 3
say "boxes up: $(for i in $(seq 1 "$BOXES"); do printf 'site-%d ' "$i"; done)"

# --- site B's phones: USERS registrations from one SIPp UAS socket, then it answers every call -------
UAS_PORT=5090
t0=$(date +%s.%N)
sipp -sf "$SIPP_DIR/register-noauth.xml" -inf "$TMP/register.csv" -key domain site-2.example -i 127.0.0.1 \
    -p "$UAS_PORT" -t u1 -r 500 -m "$USERS" -nostdin -timeout 120s -timeout_error \
    "127.0.0.1:$(sip_port 2)" >"$TMP/register.log" 2>&1 || die "registering $USERS users failed: $(tail -20 "$TMP/register.log")"
# wait until site B's box has published every AOR and no store is still on its way
for _ in $(seq 1 300); do
    status=$(peerline overlay status --json --config "$TMP/box2/peerline.yaml" 2>/dev/null || true)
    published=$(grep -o '"publishedAors" *: *[0-9]*' <<<"$status" | grep -o '[0-9]*$' || true)
    storing=$(grep -o '"publishing" *: *[0-9]*' <<<"$status" | grep -o '[0-9]*$' || true)
    [[ ${published:-0} -ge $USERS && ${storing:-1} -eq 0 ]] && break
    sleep 1
done
t1=$(date +%s.%N)
say "registered and published $USERS users at site B in $(printf '%.1f' "$(echo "$t1 - $t0" | bc)") s (published: ${published:-?})"
sipp -sf "$SIPP_DIR/uas-call.xml" -i 127.0.0.1 -p "$UAS_PORT" -t u1 -aa -nostdin -max_recv_loops 10000 \
    -buff_size 4194304 >"$TMP/uas.log" 2>&1 &
PIDS+=($!)
sleep 1

# trial LABEL BOX RATE CALLS [RTT]: SIPp callers at BOX's address; prints "ok failed"; RTT=1 keeps the delays
trial() {
    local label=$1 box=$2 rate=$3 calls=$4 rtt=${5:-0} dir=$TMP/trial-$1
    rm -rf "$dir"; mkdir -p "$dir"
    local extra=()
    (( rtt )) && extra=(-trace_rtt -rtt_freq 1)
    (cd "$dir" && sipp -sf "$SIPP_DIR/uac-call-inf.xml" -inf "$TMP/callees.csv" -key domain site-2.example \
        -i 127.0.0.1 -p 5080 -t u1 -r "$rate" -m "$calls" -l $((rate * (HOLD_MS / 1000 + 4))) -d "$HOLD_MS" \
        -timer_resol 1 -nostdin -timeout $((calls / rate + 40))s -recv_timeout 10s -max_recv_loops 10000 -buff_size 4194304 \
        -default_behaviors all,-abortunexp -trace_stat -stf stat.csv -fd 1 "${extra[@]}" \
        "127.0.0.1:$(sip_port "$box")" >sipp.log 2>&1) || true
    local last ok failed
    last=$(tail -1 "$dir/stat.csv")
    # columns of SIPp's statistics file: SuccessfulCall(C) and FailedCall(C) by header name
    ok=$(awk -F';' -v want=SuccessfulCall\(C\) 'NR==1{for(i=1;i<=NF;i++) if($i==want) c=i} END{print $c}' \
        <(head -1 "$dir/stat.csv"; echo "$last"))
    failed=$(awk -F';' -v want=FailedCall\(C\) 'NR==1{for(i=1;i<=NF;i++) if($i==want) c=i} END{print $c}' \
        <(head -1 "$dir/stat.csv"; echo "$last"))
    echo "${ok:-0} ${failed:-0}"
}

# percentiles LABEL: p50/p90/p99 of response time 1 (INVITE -> 180) from the trial's rtt file, in ms
percentiles() {
    local f
    f=$(ls "$TMP/trial-$1"/*_rtt.csv 2>/dev/null | head -1)
    [[ -n $f ]] || { echo "n/a"; return; }
    awk -F';' 'NR>1 && $3==1 {print $2}' "$f" | sort -n | awk '{v[NR]=$1} END {
        if (NR == 0) { print "n/a"; exit }
        printf "p50 %.1f ms, p90 %.1f ms, p99 %.1f ms (n=%d)", v[int(NR*0.50)+(NR*0.50>int(NR*0.50))], \
            v[int(NR*0.90)+(NR*0.90>int(NR*0.90))], v[int(NR*0.99)+(NR*0.99>int(NR*0.99))], NR }'
}

# --- warm-up: the JIT compiles the routing paths of both boxes before anything is measured ----------
read -r ok failed < <(trial warmup 1 "$PDD_RATE" $((PDD_RATE * 10)))
say "warm-up cross-site: $ok ok, $failed failed (not counted)"

# --- post-dial delay, same rate, cross-site vs same-site --------------------------------------------
read -r ok failed < <(trial pdd-cross 1 "$PDD_RATE" "$PDD_CALLS" 1)
say "cross-site at $PDD_RATE calls/s: $ok ok, $failed failed; INVITE->180 $(percentiles pdd-cross)"
read -r ok failed < <(trial pdd-same 2 "$PDD_RATE" "$PDD_CALLS" 1)
say "same-site  at $PDD_RATE calls/s: $ok ok, $failed failed; INVITE->180 $(percentiles pdd-same)"

# --- cross-site rate ladder --------------------------------------------------------------------------
best=0
for rate in $RATES; do
    calls=$((rate * TRIAL_SECS))
    read -r ok failed < <(trial "rate-$rate" 1 "$rate" "$calls")
    pct=$(awk -v o="$ok" -v c="$calls" 'BEGIN{printf "%.2f", c ? 100*o/c : 0}')
    say "cross-site $rate calls/s x ${TRIAL_SECS} s: $ok/$calls ok ($pct %), $failed failed"
    if awk -v p="$pct" 'BEGIN{exit !(p >= 99.9)}'; then best=$rate; else break; fi
done
say "RESULT cross-site: $best calls/s with >= 99.9 % success ($USERS users at site B, $BOXES boxes, one machine)"
say "logs: $TMP is removed at exit; box logs follow"
for i in 1 2; do grep -i 'warn\|error' "$TMP/box$i/log" | tail -5 | sed "s/^/box $i: /" | tee -a "$REPORT" || true; done
say "report: $REPORT"
