#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions called indirectly (traps, search/quick "$@")
# sip-bench.sh - SIP load benchmark: the Peerline gateway against Kamailio 5.6, same machine, same run.
#
# Figures (each is the highest rate that keeps >= 99.9 % of the SIPp "calls" successful AND is
# actually sustained, see "Pass criterion" below):
#   1. REGISTER/s over UDP with digest auth (REGISTER -> 401 -> REGISTER+Authorization -> 200),
#      150,000 distinct AORs, each AOR registering at most once per trial;
#      Kamailio also without auth (REGISTER -> 200).
#   2. calls/s through the proxy: SIPp UAC -> server -> SIPp UAS,
#      INVITE - 100 - 180 - 200 - ACK - (hold) - BYE - 200.
#      Kamailio: no auth on calls. Peerline: twice, once with the caller answering a 407 digest
#      challenge (what phones do), once from a "trusted" source that is not challenged
#      (the figure comparable with Kamailio's).
#   3. For every trial: CPU % of the server process(es) (utime+stime deltas from /proc, 100 % = one
#      core), SIPp's own CPU, UDP drops on the server socket and elsewhere (SIPp), retransmissions;
#      for Peerline the Java heap in use (jstat, sampled every second) and RSS; for Kamailio its
#      shared memory in use and the PSS of all its processes.
#   4. A final table: figure, Peerline, Kamailio, ratio Peerline/Kamailio.
#
# Usage:
#   gateway/bench/sip-bench.sh [--quick] [--only kamailio|peerline] [--out DIR] [--jar FILE]
#     --quick        smoke run: small counts, one fixed low rate per figure, success still checked
#                    (exit status 1 if a quick trial misses 99.9 %); about a minute
#     --only X       run only the Kamailio or only the Peerline side
#     --out DIR      where the results go (default gateway/target/bench); each run writes
#                    sip-bench-<stamp>.txt (everything printed), sip-bench-<stamp>.tsv (one line per
#                    trial) and sip-bench-<stamp>-logs/ (SIPp screens and stats, server logs)
#     --jar FILE     the gateway jar (default gateway/target/peerline.jar)
#   Needs: sipp (Debian: sip-tester), kamailio, java 17 (jstat/jcmd from the JDK for heap figures),
#   ss (iproute2), awk, timeout. Uses UDP ports 5060 (Kamailio), 5070 (Peerline), 5090 (SIPp UAS)
#   and 5080/5081 (SIPp clients) on 127.0.0.1 only. A full run takes about 10-15 minutes on 2 cores.
#
# Rate search (per figure, full run):
#   ramp    short trials (RAMP_SECS of traffic) at START, 2*START, 4*START ... until one fails;
#   bisect  BISECT_STEPS full-length trials between the last passing and the first failing rate;
#   confirm if the best rate so far only passed a short ramp trial, it is re-run at full length
#           (and lowered by 15 % until it passes, at most 3 times).
#   The reported figure is the highest rate that passed a full-length trial. Its CPU/memory are
#   the ones printed in the table.
#   Full-length REGISTER trials send min(150,000, rate * REG_TRIAL_SECS) registrations, one per
#   AOR, taken in order from the credential file (so at >= 10,000/s every one of the 150,000
#   AORs registers exactly once per trial). Before the search, a "fill" pass registers all
#   150,000 AORs once (concurrency-limited, so it runs at whatever pace the server manages):
#   the trials then measure registration refreshes against a full location table, the steady
#   state of a site with 150,000 phones. The fill's own rate is printed too (new bindings).
#
# Pass criterion of one trial (SUCCESS_MIN, SUSTAIN_MIN):
#   successful SIPp calls >= 99.9 % of the calls the trial was to make (failed, timed-out and
#   never-finished calls all count against it), and
#   effective rate = successful / (elapsed - hold time) >= 95 % of the target rate: SIPp limits
#   the calls in flight (-l), so a server (or a client) that falls behind does not pass by
#   completing everything late.
#
# Tunables (environment variables, defaults in brackets): AORS [150000], REG_START [2000],
#   CALL_START [250], RAMP_SECS [5], REG_TRIAL_SECS [15], CALL_TRIAL_SECS [10], BISECT_STEPS [3],
#   HOLD_MS [1000] (pause between ACK and BYE), FILL_RATE [30000], FILL_INFLIGHT [1000],
#   REG_INFLIGHT_MS [200]
#   (SIPp -l for REGISTER trials = rate * this), KAM_PORT [5060], PEERLINE_PORT [5070],
#   UAS_PORT [5090], UAC_PORT [5080], PROBE_PORT [5081], KAM_SHM_MB [1024], JAVA_OPTS [-Xms512m -Xmx1g], KEEP_TMP [0].
#
# SIPp settings and why:
#   -t u1              one UDP socket for the UAC. "-t un" (a socket per call) was slower here
#                      (10.5k vs 17k REGISTER/s in the same conditions): SIPp then spends its time
#                      in socket()/close(); and "un" with -max_socket reuse left calls hanging.
#                      The UAS uses u1 as well.
#   -p PORT            explicit local ports: SIPp otherwise tries 5060 first, racing the server.
#   -max_recv_loops 10000  lets SIPp drain more of its socket per event-loop pass (default 1000);
#                      fewer responses are dropped on SIPp's own socket at high rates.
#   -buff_size 4194304 socket buffers as large as net.core.rmem_max allows by default (4 MiB):
#                      bursts are queued instead of dropped.
#   -l                 bounds the calls in flight: REGISTER trials rate x 200 ms (by Little's law
#                      the mean REGISTER transaction must stay under ~200 ms to keep the rate),
#                      call trials rate x (hold + 2 s). Without a bound an overloaded run
#                      snowballs into a retransmission storm (up to 20,000 calls retransmitting)
#                      that SIPp itself does not get out of, even at rates it passed before.
#   -max_retrans 3     a request unanswered after 3 retransmissions (0.5+1+2 s, fails at ~7.5 s)
#                      fails the call, which bounds the tail of a failing trial.
#   -default_behaviors all,-abortunexp (call trials): a 180 forwarded after the 200 is ignored
#                      instead of failing the call (see call_trial below).
#   -trace_stat -fd 1  per-second statistics file; its last line holds the final counters.
#   -trace_error_codes codes of unexpected responses, summed up per trial ("408x12 500x3").
#   -nostdin           no interactive keys (the script runs without a terminal too).
#
# Stop with Ctrl-C: the trap stops every process this script started (and only those).

set -euo pipefail

# ---------------------------------------------------------------------------------------------
# Paths and settings
# ---------------------------------------------------------------------------------------------
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
GATEWAY_DIR="$(cd "$BENCH_DIR/.." && pwd)"
SIPP_DIR="$GATEWAY_DIR/src/test/resources/sipp"
KAM_CFG="$BENCH_DIR/kamailio.cfg"

MODE=full
ONLY=all
OUT_DIR="$GATEWAY_DIR/target/bench"
JAR="$GATEWAY_DIR/target/peerline.jar"

AORS=${AORS:-150000}
REG_START=${REG_START:-2000}
CALL_START=${CALL_START:-250}
RAMP_SECS=${RAMP_SECS:-5}
REG_TRIAL_SECS=${REG_TRIAL_SECS:-15}
CALL_TRIAL_SECS=${CALL_TRIAL_SECS:-10}
BISECT_STEPS=${BISECT_STEPS:-3}
HOLD_MS=${HOLD_MS:-1000}
FILL_RATE=${FILL_RATE:-30000}
FILL_INFLIGHT=${FILL_INFLIGHT:-1000}
REG_INFLIGHT_MS=${REG_INFLIGHT_MS:-200}
KAM_PORT=${KAM_PORT:-5060}
PEERLINE_PORT=${PEERLINE_PORT:-5070}
UAS_PORT=${UAS_PORT:-5090}
# SIPp binds 5060 (then 5061, ...) when not told otherwise, which races with the server's own
# bind: every SIPp client gets an explicit port
UAC_PORT=${UAC_PORT:-5080}
PROBE_PORT=${PROBE_PORT:-5081}
KAM_SHM_MB=${KAM_SHM_MB:-1024}
JAVA_OPTS=${JAVA_OPTS:--Xms512m -Xmx1g}
KEEP_TMP=${KEEP_TMP:-0}

SUCCESS_MIN=0.999   # share of the trial's calls that must succeed
SUSTAIN_MIN=0.95    # effective rate / target rate
DOMAIN=bench.example
MAX_RATE=200000     # the ramp never goes above this

usage() {
    sed -n '3,/^set -euo pipefail/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) MODE=quick ;;
        --only)
            [[ $# -ge 2 ]] || { echo "--only needs kamailio or peerline" >&2; exit 2; }
            ONLY=$2; shift
            [[ $ONLY == kamailio || $ONLY == peerline ]] || { echo "--only: kamailio or peerline, not '$ONLY'" >&2; exit 2; }
            ;;
        --out)
            [[ $# -ge 2 ]] || { echo "--out needs a directory" >&2; exit 2; }
            OUT_DIR=$2; shift ;;
        --jar)
            [[ $# -ge 2 ]] || { echo "--jar needs a file" >&2; exit 2; }
            JAR=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

if [[ $MODE == quick ]]; then
    # Smoke run: a few thousand AORs, one fixed low rate per figure, short calls.
    AORS=${QUICK_AORS:-2000}
    QUICK_REG_RATE=${QUICK_REG_RATE:-500}
    QUICK_CALL_RATE=${QUICK_CALL_RATE:-50}
    QUICK_CALLS=${QUICK_CALLS:-300}
    HOLD_MS=${QUICK_HOLD_MS:-200}
fi

STAMP=$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
RESULT_TXT="$OUT_DIR/sip-bench-$STAMP.txt"
RESULT_TSV="$OUT_DIR/sip-bench-$STAMP.tsv"
LOG_DIR="$OUT_DIR/sip-bench-$STAMP-logs"
mkdir -p "$LOG_DIR"
TMP="$(mktemp -d /tmp/sip-bench.XXXXXX)"
# absolute jar path, then work inside TMP: any file SIPp or the JVM drops in the current
# directory lands there, not in the source tree
[[ $JAR == /* ]] || JAR="$PWD/$JAR"
cd "$TMP"

# Everything printed also goes to the results file.
# tee ignores Ctrl-C so that the lines printed while cleaning up still reach the screen and file.
exec > >(trap '' INT TERM; exec tee -a "$RESULT_TXT") 2>&1

CLK_TCK=$(getconf CLK_TCK)

# PIDs of the long-lived processes this script started (servers, UAS, jstat sampler)
SERVER_PID=""
SERVER_KIND=""
TRIAL_PID=""
UAS_PID=""
JSTAT_PID=""
JSTAT_FILE=""

# Final figures, filled in by the searches and quick trials, by key (kam_reg_auth, ...):
# FIG[key] = rate (/s), FIGCPU[key] = server CPU % at that rate, FIGMEM[key] = memory note
declare -A FIG FIGCPU FIGMEM
QUICK_FAILED=0
TRIAL_SEQ=0
OTHER_MAX=0       # highest CPU % used by other processes during a trial
OTHER_WARNED=0

log()  { printf '%s %s\n' "$(date +%H:%M:%S)" "$*"; }
warn() { printf '%s WARNING: %s\n' "$(date +%H:%M:%S)" "$*"; }
die()  { printf '%s ERROR: %s\n' "$(date +%H:%M:%S)" "$*"; exit 1; }

now() { date +%s.%N; }
# calc EXPR: floating point arithmetic through awk
calc() { awk "BEGIN { printf \"%.6f\", ($1) }"; }
# fmt_int NUMBER (not an expression: use calc first)
fmt_int() { awk -v x="$1" 'BEGIN { printf "%d", x + 0.5 }'; }
# round_rate R: 2 significant digits (1234 -> 1200, 27350 -> 27000), at least 10
round_rate() {
    awk -v r="$1" 'BEGIN { if (r < 10) { print 10; exit }
        m = 1; while (r >= 100) { r /= 10; m *= 10 }; printf "%d", int(r + 0.5) * m }'
}

# ---------------------------------------------------------------------------------------------
# Cleanup: stop only what this script started
# ---------------------------------------------------------------------------------------------
stop_pid() {  # stop_pid PID [SECONDS]: SIGTERM, wait, then SIGKILL
    local pid=$1 secs=${2:-15} i
    [[ -n $pid ]] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < secs * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        warn "process $pid did not stop within ${secs}s, killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_pid "$TRIAL_PID" 10; TRIAL_PID=""
    stop_pid "$UAS_PID" 5; UAS_PID=""
    stop_pid "$JSTAT_PID" 5; JSTAT_PID=""
    stop_pid "$SERVER_PID" 20; SERVER_PID=""
    if [[ $KEEP_TMP == 1 ]]; then
        echo "temporary files kept in $TMP"
    else
        rm -rf "$TMP"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'echo "interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# Prerequisites
# ---------------------------------------------------------------------------------------------
RUN_KAM=1
RUN_PEER=1
[[ $ONLY == peerline ]] && RUN_KAM=0
[[ $ONLY == kamailio ]] && RUN_PEER=0

for tool in sipp ss awk timeout getconf; do
    command -v "$tool" >/dev/null || die "$tool not found (Debian: apt-get install sip-tester iproute2 coreutils gawk)"
done
for f in register-auth.xml register-noauth.xml uac-call.xml uas-call.xml options.xml; do
    [[ -f $SIPP_DIR/$f ]] || die "missing SIPp scenario $SIPP_DIR/$f"
done
if [[ $RUN_KAM == 1 ]]; then
    command -v kamailio >/dev/null || die "kamailio not found (apt-get install kamailio)"
    kamailio -c -f "$KAM_CFG" -A WITH_AUTH >"$LOG_DIR/kamailio-check.log" 2>&1 \
        || die "kamailio -c rejects $KAM_CFG (see $LOG_DIR/kamailio-check.log)"
fi
if [[ $RUN_PEER == 1 ]]; then
    PEER_PROBLEM=""
    if ! command -v java >/dev/null; then
        PEER_PROBLEM="java not found"
    elif [[ ! -f $JAR ]]; then
        PEER_PROBLEM="$JAR does not exist (build: cd <repo> && mvn -B -q -DskipTests package)"
    elif ! timeout 60 java -jar "$JAR" --help >"$LOG_DIR/peerline-help.log" 2>&1; then
        PEER_PROBLEM="'java -jar $JAR --help' fails (see $LOG_DIR/peerline-help.log)"
    fi
    if [[ -n $PEER_PROBLEM ]]; then
        [[ $ONLY == peerline ]] && die "$PEER_PROBLEM"
        warn "skipping Peerline: $PEER_PROBLEM"
        RUN_PEER=0
    fi
fi
HAVE_JSTAT=0
command -v jstat >/dev/null && HAVE_JSTAT=1

port_busy() {  # port_busy PORT: true if something listens on 127.0.0.1:PORT/udp (or any address)
    ss -Huln "sport = :$1" | grep -q .
}
for p in "$UAS_PORT" "$UAC_PORT" "$PROBE_PORT" $([[ $RUN_KAM == 1 ]] && echo "$KAM_PORT") $([[ $RUN_PEER == 1 ]] && echo "$PEERLINE_PORT"); do
    port_busy "$p" && die "UDP port $p is already in use (another SIP server or SIPp still running?)"
done

# ---------------------------------------------------------------------------------------------
# Credentials: one file, generated, shared by both servers.
#   users.csv   SIPp injection file: SEQUENTIAL, then "user<N>;pw-user<N>" (Kamailio derives the
#               password the same way: "pw-" + username)
#   uas.csv     the callee "uas" (password pw-uas)
#   peerline/users-import.csv  the same users for "peerline user import" (written by
#               import_peerline_users: name,password,extension,display)
# ---------------------------------------------------------------------------------------------
USERS_CSV="$TMP/users.csv"
UAS_CSV="$TMP/uas.csv"
awk -v n="$AORS" 'BEGIN { print "SEQUENTIAL"; for (i = 1; i <= n; i++) printf "user%d;pw-user%d\n", i, i }' >"$USERS_CSV"
printf 'SEQUENTIAL\nuas;pw-uas\n' >"$UAS_CSV"

# ---------------------------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------------------------
server_pids() {  # the server's PIDs: Kamailio = main process + its children; Java = one process
    [[ -n $SERVER_PID ]] || return 0
    echo "$SERVER_PID"
    if [[ $SERVER_KIND == kamailio ]]; then
        pgrep -P "$SERVER_PID" || true
    fi
}
cpu_ticks() {  # cpu_ticks PID...: utime+stime (clock ticks) summed over the PIDs
    local t=0 p v
    for p in "$@"; do
        # fields 14 and 15 of /proc/PID/stat; the comm field (2) has no spaces for our processes
        v=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)
        t=$((t + v))
    done
    echo "$t"
}
children_cpu_s() {  # user+sys seconds of waited-for children, from the output of "times" (line 2: "0m1.230s 0m0.450s")
    awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub(/s$/, "", p[2]); s += p[1] * 60 + p[2] }; printf "%.3f", s }' "$1"
}
busy_ticks() {  # CPU ticks spent busy on the whole machine (all cores), from /proc/stat
    awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}
udp_rcvbuf_errors() {  # system-wide UDP receive-buffer drops (/proc/net/snmp RcvbufErrors)
    awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) col[$i] = i; h = 1 } else print $col["RcvbufErrors"] }' /proc/net/snmp
}
socket_drops() {  # socket_drops PORT: datagrams dropped by the kernel on the UDP socket(s) bound to PORT
    ss -Huamn "sport = :$1" | sed -n 's/.*[(,]d\([0-9]*\)).*/\1/p' | awk '{ s += $1 } END { print s + 0 }'
}
pss_kb() {  # pss_kb PID...: proportional set size summed (shared memory counted once overall)
    local t=0 p v
    for p in "$@"; do
        v=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
        t=$((t + ${v:-0}))
    done
    echo "$t"
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# Java heap in use (KiB) from the jstat sampler, max over sample lines FROM..TO (1-based)
jstat_heap_max_kb() {
    local from=$1 to=$2
    [[ -n $JSTAT_FILE && -s $JSTAT_FILE ]] || { echo 0; return; }
    awk -v from="$from" -v to="$to" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $1 == "S0C" { next }
        NR >= from && NR <= to {
            u = $col["S0U"] + $col["S1U"] + $col["EU"] + $col["OU"]
            if (u > m) m = u
        }
        END { printf "%d", m }' "$JSTAT_FILE"
}
jcmd_heap_used_kb() {  # heap in use right now, from jcmd GC.heap_info ("... used 123456K ...")
    command -v jcmd >/dev/null || { echo 0; return; }
    timeout 20 jcmd "$SERVER_PID" GC.heap_info 2>/dev/null \
        | awk '/ heap / && /used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); print v; exit } }' \
        || echo 0
}
kam_shm_used_kb() {  # Kamailio shared memory in use, via kamcmd core.shmmem
    command -v kamcmd >/dev/null || { echo 0; return; }
    timeout 10 kamcmd -s "unixs:$KAM_RUNDIR/ctl" core.shmmem 2>/dev/null \
        | awk '/real_used:/ { print int($2 / 1024); exit }' || echo 0
}
kam_ul_records() {  # AORs in Kamailio's location table
    command -v kamcmd >/dev/null || { echo "?"; return; }
    timeout 10 kamcmd -s "unixs:$KAM_RUNDIR/ctl" stats.get_statistics usrloc: 2>/dev/null \
        | awk '/location_users =/ { print $NF; exit }' || echo "?"
}

# ---------------------------------------------------------------------------------------------
# One trial: run SIPp once, bounded in calls and time, and judge it
#   run_trial LABEL SCENARIO RATE CALLS INFLIGHT HOLD_MS [sipp args...]
# Sets TR_PASS (1/0), TR_EFF (effective rate), TR_CPU (server CPU %), TR_MEM (memory note),
# TR_OK (successful calls), TR_CALLS (calls planned).
# ---------------------------------------------------------------------------------------------
TSV_HEADER="server	figure	kind	target_rate	calls	created	successful	failed	success_pct	elapsed_s	effective_rate	server_cpu_pct	uas_cpu_pct	sipp_cpu_pct	other_cpu_pct	retransmissions	server_sock_drops	other_udp_drops	heap_max_mib	rss_mib_or_kamailio_pss_mib	verdict"
echo "$TSV_HEADER" >"$RESULT_TSV"

run_trial() {
    local label=$1 scenario=$2 rate=$3 calls=$4 inflight=$5 hold_ms=$6
    shift 6
    TRIAL_SEQ=$((TRIAL_SEQ + 1))
    local tag
    tag=$(printf '%03d-%s-%s-r%s' "$TRIAL_SEQ" "$SERVER_KIND" "${label// /_}" "$rate")
    local stf="$LOG_DIR/$tag.stat.csv" screen="$LOG_DIR/$tag.screen.log" timef="$TMP/time.$TRIAL_SEQ"
    # SIPp's own global timeout: twice the planned length plus the hold and retransmission time
    # (TRIAL_FLOOR_RATE: plan for a slower pace than the target, for the concurrency-bound fill)
    local planned gto
    planned=$(calc "$calls / ${TRIAL_FLOOR_RATE:-$rate}")
    gto=$(fmt_int "$(calc "$planned * 2 + $hold_ms / 1000 + 20")")

    local pids srv0 srv1 uas0=0 uas1=0 d_srv0 d_srv1 d_all0 d_all1 t0 t1 jline0=0 jline1=0 rc busy0 busy1
    pids=$(server_pids)
    # shellcheck disable=SC2086
    srv0=$(cpu_ticks $pids)
    [[ -n $UAS_PID ]] && uas0=$(cpu_ticks "$UAS_PID")
    d_srv0=$(socket_drops "$SRV_PORT")
    d_all0=$(udp_rcvbuf_errors)
    [[ -n $JSTAT_FILE ]] && jline0=$(wc -l <"$JSTAT_FILE")
    busy0=$(busy_ticks)
    t0=$(now)

    local cmd=(sipp -sf "$SIPP_DIR/$scenario"
        -inf "$USERS_CSV" -key domain "$DOMAIN"
        -i 127.0.0.1 -p "$UAC_PORT" -t u1 -nostdin
        -r "$rate" -m "$calls" -l "$inflight" -d "$hold_ms"
        -max_recv_loops 10000 -buff_size 4194304 -max_retrans 3
        -watchdog_minor_maxtriggers 100000 -watchdog_major_maxtriggers 100000
        -timeout "${gto}s" -trace_stat -stf "$stf" -fd 1 -trace_error_codes
        "$@" "127.0.0.1:$SRV_PORT")
    echo "${cmd[*]}" >"$screen"
    # SIPp runs in the background and the script waits for it: "wait" returns at once on Ctrl-C
    # or SIGTERM, and the trap then stops it (timeout passes the signal on to SIPp).
    # SIPp's CPU: the "times" builtin's children user+sys before and after (only SIPp ends
    # in between).
    times >"$timef.0"
    timeout -k 5 $((gto + 15)) "${cmd[@]}" >>"$screen" 2>&1 &
    TRIAL_PID=$!
    set +e
    wait "$TRIAL_PID"
    rc=$?
    set -e
    TRIAL_PID=""
    times >"$timef.1"

    t1=$(now)
    busy1=$(busy_ticks)
    # SIP codes of unexpected responses (-trace_error_codes writes <scenario>_<pid>_error_codes.csv
    # into the current directory, TMP): "408x12 500x3"
    local unexpected="" ecf
    for ecf in "$TMP/${scenario%.xml}"_*_error_codes.csv; do
        [[ -f $ecf ]] || continue
        unexpected=$(awk -F';' '{ n = split($3, c, ","); for (i = 1; i <= n; i++) if (c[i] != "") k[c[i]]++ }
            END { for (x in k) printf "%sx%d ", x, k[x] }' "$ecf")
        if [[ -n $unexpected ]]; then mv "$ecf" "$LOG_DIR/$tag.error_codes.csv"; else rm -f "$ecf"; fi
    done
    # shellcheck disable=SC2086
    srv1=$(cpu_ticks $pids)
    [[ -n $UAS_PID ]] && uas1=$(cpu_ticks "$UAS_PID")
    d_srv1=$(socket_drops "$SRV_PORT")
    d_all1=$(udp_rcvbuf_errors)
    [[ -n $JSTAT_FILE ]] && jline1=$(wc -l <"$JSTAT_FILE")

    # Final counters: last line of SIPp's statistics file (columns looked up by name)
    local created=0 ok=0 failed=0 retrans=0 elapsed=0
    if [[ -s $stf ]]; then
        read -r elapsed created ok failed retrans < <(awk -F';' '
            NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
            { last = $0 }
            END {
                n = split(last, f, ";")
                split(f[col["StartTime"]], a, "\t"); split(f[col["CurrentTime"]], b, "\t")
                printf "%.3f %d %d %d %d\n", b[3] - a[3], f[col["TotalCallCreated"]],
                    f[col["SuccessfulCall(C)"]], f[col["FailedCall(C)"]], f[col["Retransmissions(C)"]]
            }' "$stf") || true
    else
        warn "SIPp left no statistics (exit $rc); see $screen"
    fi
    local wall sipp_cpu_s srv_cpu uas_cpu sipp_cpu success_pct eff gen_time verdict
    wall=$(calc "$t1 - $t0")
    sipp_cpu_s=$(children_cpu_s "$timef.1")
    sipp_cpu_s=$(calc "$sipp_cpu_s - $(children_cpu_s "$timef.0")")
    srv_cpu=$(calc "($srv1 - $srv0) / $CLK_TCK / $wall * 100")
    uas_cpu=$(calc "($uas1 - $uas0) / $CLK_TCK / $wall * 100")
    sipp_cpu=$(calc "${sipp_cpu_s:-0} / $wall * 100")
    # CPU that neither the server nor SIPp used: other processes on the machine (and the
    # kernel's softirq work for the loopback traffic). Should be near 0 on an idle machine.
    local other_cpu
    other_cpu=$(calc "($busy1 - $busy0) / $CLK_TCK / $wall * 100 - $srv_cpu - $uas_cpu - $sipp_cpu")
    if awk -v o="$other_cpu" -v m="$OTHER_MAX" 'BEGIN { exit !(o > m) }'; then
        OTHER_MAX=$other_cpu
    fi
    if [[ $OTHER_WARNED == 0 ]] && awk -v o="$other_cpu" 'BEGIN { exit !(o > 25) }'; then
        warn "other processes used $(printf '%.0f' "$other_cpu")% CPU during this trial (column 'other'): the machine is not idle, all figures will be low"
        OTHER_WARNED=1
    fi
    success_pct=$(calc "$ok / $calls * 100")
    # the calls are generated during (elapsed - hold): the last call still holds for hold_ms
    gen_time=$(calc "($elapsed - $hold_ms / 1000) > 0.05 ? ($elapsed - $hold_ms / 1000) : 0.05")
    eff=$(calc "$ok / $gen_time")

    verdict=PASS
    if awk -v ok="$ok" -v n="$calls" -v m="$SUCCESS_MIN" 'BEGIN { exit !(ok < n * m) }'; then
        verdict="FAIL(success)"
    elif awk -v e="$eff" -v r="$rate" -v m="$SUSTAIN_MIN" 'BEGIN { exit !(e < r * m) }'; then
        verdict="FAIL(rate)"
    fi

    local heap_mib="" rss_mib="" mem_note=""
    if [[ $SERVER_KIND == peerline ]]; then
        local hk
        hk=$(jstat_heap_max_kb "$((jline0 + 1))" "$jline1")
        [[ $hk -gt 0 ]] || hk=$(jcmd_heap_used_kb)
        heap_mib=$(calc "$hk / 1024")
        rss_mib=$(calc "$(rss_kb "$SERVER_PID") / 1024")
        mem_note=$(printf 'heap %.0f MiB, RSS %.0f MiB (peak %.0f)' "$heap_mib" "$rss_mib" "$(calc "$(hwm_kb "$SERVER_PID") / 1024")")
    else
        # shellcheck disable=SC2086
        rss_mib=$(calc "$(pss_kb $pids) / 1024")
        mem_note=$(printf 'shm used %.0f MiB, PSS %.0f MiB' "$(calc "$(kam_shm_used_kb) / 1024")" "$rss_mib")
    fi

    local srv_drops=$((d_srv1 - d_srv0)) all_drops=$((d_all1 - d_all0))
    local other_drops=$((all_drops - srv_drops))
    ((other_drops < 0)) && other_drops=0
    printf '%s   %-34s rate %6s  calls %6s  ok %6.2f%%  eff %7.0f/s  %s CPU %5.1f%%  sipp %4.0f%%  uas %3.0f%%  other %3.0f%%  retrans %s  drops srv/other %s/%s  %s -> %s\n' \
        "$(date +%H:%M:%S)" "$SERVER_KIND $label" "$rate" "$calls" "$success_pct" "$eff" "$SERVER_KIND" "$srv_cpu" \
        "$sipp_cpu" "$uas_cpu" "$other_cpu" "$retrans" "$srv_drops" "$other_drops" "$mem_note" "$verdict"
    if [[ -n $unexpected ]]; then
        printf '%s     unexpected responses (code x count): %s\n' "$(date +%H:%M:%S)" "$unexpected"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.3f\t%.3f\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$SERVER_KIND" "$label" "$scenario" "$rate" "$calls" "$created" "$ok" "$failed" "$success_pct" "$elapsed" "$eff" \
        "$srv_cpu" "$uas_cpu" "$sipp_cpu" "$other_cpu" "$retrans" "$srv_drops" "$other_drops" "$heap_mib" "$rss_mib" "$verdict" >>"$RESULT_TSV"

    TR_EFF=$eff
    TR_CPU=$srv_cpu
    TR_MEM=$mem_note
    TR_OK=$ok
    TR_CALLS=$calls
    if [[ $verdict == PASS ]]; then TR_PASS=1; else TR_PASS=0; fi
}

# ---------------------------------------------------------------------------------------------
# Trial kinds: how many calls and how many in flight for a given rate
# ---------------------------------------------------------------------------------------------
min() { if (($1 < $2)); then echo "$1"; else echo "$2"; fi; }
max() { if (($1 > $2)); then echo "$1"; else echo "$2"; fi; }

# reg_trial LABEL SCENARIO RATE SECS: min(AORS, rate*secs) registrations, one per AOR
reg_trial() {
    local label=$1 scenario=$2 rate=$3 secs=$4 n inflight
    n=$(min "$AORS" "$((rate * secs))")
    n=$(max "$n" 100)
    inflight=$(max 100 "$((rate * REG_INFLIGHT_MS / 1000))")
    run_trial "$label" "$scenario" "$rate" "$n" "$inflight" 0 -aa -auth_uri "$DOMAIN"
}
# call_trial LABEL RATE SECS: rate*secs calls to uas@DOMAIN; in flight: hold time + 2 s of calls.
# "-default_behaviors all,-abortunexp": an unexpected response does not abort the call. A proxy
# with several workers forwards the UAS's 180 and 200 (sent back to back) in either order now
# and then; a phone ignores a 180 that comes after the 200, SIPp by default fails the call. With
# abortunexp off SIPp ignores it too; a real error response still fails the call (the request
# is retransmitted until -max_retrans) and every unexpected response is listed per trial.
call_trial() {
    local label=$1 rate=$2 secs=$3 n inflight
    n=$(max "$((rate * secs))" 50)
    inflight=$(max 100 "$(fmt_int "$(calc "$rate * ($HOLD_MS / 1000 + 2)")")")
    run_trial "$label" uac-call.xml "$rate" "$n" "$inflight" "$HOLD_MS" -s uas -auth_uri "uas@$DOMAIN" \
        -default_behaviors all,-abortunexp
}

# ---------------------------------------------------------------------------------------------
# Rate search: ramp (short trials, doubling) -> bisect (full trials) -> confirm
#   search KEY LABEL START FULL_SECS TRIAL_FN [TRIAL_FN's leading args...]
#   TRIAL_FN is called as: TRIAL_FN ARGS... RATE SECS (SECS = RAMP_SECS or FULL_SECS)
# ---------------------------------------------------------------------------------------------
search() {
    local key=$1 label=$2 start=$3 full_secs=$4
    shift 4
    local fn=("$@")
    local lo=0 hi=0 best=0 best_cpu="" best_mem="" r i

    log "search: $SERVER_KIND $label (ramp from $start/s, ${RAMP_SECS}s trials; then ${full_secs}s trials)"
    # ramp
    r=$start
    while :; do
        "${fn[@]}" "$r" "$RAMP_SECS"
        if [[ $TR_PASS == 1 ]]; then
            lo=$r
            [[ $RAMP_SECS -ge $full_secs ]] && { best=$r; best_cpu=$TR_CPU; best_mem=$TR_MEM; }
            r=$((r * 2))
            if ((r > MAX_RATE)); then hi=0; break; fi
        else
            hi=$r
            break
        fi
    done
    # nothing passed: walk down from the start rate
    if ((lo == 0)); then
        r=$start
        for i in 1 2 3 4; do
            r=$(round_rate "$(calc "$r / 2")")
            "${fn[@]}" "$r" "$full_secs"
            if [[ $TR_PASS == 1 ]]; then lo=$r; best=$r; best_cpu=$TR_CPU; best_mem=$TR_MEM; break; fi
            hi=$r
        done
    fi
    # bisect between lo (passed) and hi (failed) with full-length trials
    if ((lo > 0 && hi > 0)); then
        for ((i = 0; i < BISECT_STEPS; i++)); do
            r=$(round_rate "$(calc "($lo + $hi) / 2")")
            ((r > lo && r < hi)) || break
            "${fn[@]}" "$r" "$full_secs"
            if [[ $TR_PASS == 1 ]]; then
                lo=$r; best=$r; best_cpu=$TR_CPU; best_mem=$TR_MEM
            else
                hi=$r
            fi
        done
    fi
    # confirm: the best rate must have passed a full-length trial
    if ((best == 0 && lo > 0)); then
        r=$lo
        for i in 1 2 3; do
            "${fn[@]}" "$r" "$full_secs"
            if [[ $TR_PASS == 1 ]]; then best=$r; best_cpu=$TR_CPU; best_mem=$TR_MEM; break; fi
            r=$(round_rate "$(calc "$r * 0.85")")
        done
    fi
    FIG[$key]=$best
    FIGCPU[$key]=$best_cpu
    FIGMEM[$key]=$best_mem
    if ((best > 0)); then
        log "RESULT $SERVER_KIND $label: $best/s (server CPU $(printf '%.0f' "$best_cpu")%, $best_mem)"
    else
        log "RESULT $SERVER_KIND $label: no rate reached ${SUCCESS_MIN} success"
    fi
}

# quick mode: one trial at a fixed rate, must pass
quick() {
    local key=$1 rate=$2
    shift 2
    "$@"
    FIG[$key]=$([[ $TR_PASS == 1 ]] && echo "$rate" || echo 0)
    FIGCPU[$key]=$TR_CPU
    FIGMEM[$key]=$TR_MEM
    [[ $TR_PASS == 1 ]] || QUICK_FAILED=1
}

# fill: register every AOR once with at most FILL_INFLIGHT registrations in flight, so it runs
# about as fast as the server answers (up to FILL_RATE/s). Only its success matters for the
# search; its effective rate is printed as "first registration" (new bindings) figure.
fill() {
    local scenario=$1
    log "fill: registering all $AORS AORs once (new bindings; at most $FILL_INFLIGHT in flight, up to $FILL_RATE/s)"
    TRIAL_FLOOR_RATE=1000 run_trial "fill" "$scenario" "$FILL_RATE" "$AORS" "$FILL_INFLIGHT" 0 -aa -auth_uri "$DOMAIN"
    FIG[fill_${SERVER_KIND}_${scenario%.xml}]=$(fmt_int "$TR_EFF")
    if awk -v ok="$TR_OK" -v n="$TR_CALLS" -v m="$SUCCESS_MIN" 'BEGIN { exit !(ok < n * m) }'; then
        warn "the fill registered only $TR_OK of $TR_CALLS AORs; the trials refresh fewer bindings"
    else
        log "fill: $TR_OK AORs registered at $(fmt_int "$TR_EFF")/s (the FAIL(rate) verdict above only means slower than $FILL_RATE/s)"
    fi
}

# ---------------------------------------------------------------------------------------------
# Readiness and the UAS
# ---------------------------------------------------------------------------------------------
wait_sip_ready() {  # wait_sip_ready PORT SECONDS: OPTIONS until any final response
    local port=$1 secs=$2 i
    for ((i = 0; i < secs * 2; i++)); do
        if [[ -n $SERVER_PID ]] && ! kill -0 "$SERVER_PID" 2>/dev/null; then
            return 1
        fi
        if timeout 5 sipp -sf "$SIPP_DIR/options.xml" -key domain "$DOMAIN" -i 127.0.0.1 -p "$PROBE_PORT" -m 1 \
            -recv_timeout 400 -nostdin "127.0.0.1:$port" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.5
    done
    return 1
}

# start_uas REGISTER_SCENARIO [FALLBACK_SCENARIO]: register uas@DOMAIN with Contact
# 127.0.0.1:UAS_PORT (SIPp bound to that port), then start the answering UAS on it
start_uas() {
    local scen
    for scen in "$@"; do
        if timeout 30 sipp -sf "$SIPP_DIR/$scen" -inf "$UAS_CSV" -key domain "$DOMAIN" -auth_uri "$DOMAIN" \
            -i 127.0.0.1 -p "$UAS_PORT" -t u1 -m 1 -recv_timeout 5000 -nostdin \
            "127.0.0.1:$SRV_PORT" >"$LOG_DIR/uas-register-$SERVER_KIND.log" 2>&1; then
            log "UAS registered as uas@$DOMAIN -> 127.0.0.1:$UAS_PORT ($scen)"
            break
        fi
        scen=""
    done
    [[ -n $scen ]] || die "could not register the UAS (see $LOG_DIR/uas-register-$SERVER_KIND.log)"
    sipp -sf "$SIPP_DIR/uas-call.xml" -i 127.0.0.1 -p "$UAS_PORT" -t u1 -aa -nostdin \
        -max_recv_loops 10000 -buff_size 4194304 -max_retrans 3 \
        -watchdog_minor_maxtriggers 100000 -watchdog_major_maxtriggers 100000 \
        >"$LOG_DIR/uas-$SERVER_KIND.log" 2>&1 &
    UAS_PID=$!
    sleep 0.5
    kill -0 "$UAS_PID" 2>/dev/null || die "the SIPp UAS did not start (see $LOG_DIR/uas-$SERVER_KIND.log)"
}
stop_uas() { stop_pid "$UAS_PID" 5; UAS_PID=""; }

# ---------------------------------------------------------------------------------------------
# Kamailio
# ---------------------------------------------------------------------------------------------
KAM_RUNDIR="$TMP/kamailio"
start_kamailio() {  # start_kamailio auth|noauth
    local mode=$1
    local defs=(-A "KAM_LISTEN=udp:127.0.0.1:$KAM_PORT" -A "KAM_CTL=\"unixs:$KAM_RUNDIR/ctl\"")
    [[ $mode == auth ]] && defs+=(-A WITH_AUTH)
    mkdir -p "$KAM_RUNDIR"
    # -DD: stay in the foreground (but fork the workers); -E: log to stderr (our log file);
    # -m: shared memory for 150,000 contacts plus transactions; -M: per-process memory
    kamailio -f "$KAM_CFG" -DD -E -m "$KAM_SHM_MB" -M 16 -Y "$KAM_RUNDIR" "${defs[@]}" \
        >>"$LOG_DIR/kamailio-$mode.log" 2>&1 &
    SERVER_PID=$!
    SERVER_KIND=kamailio
    SRV_PORT=$KAM_PORT
    wait_sip_ready "$KAM_PORT" 30 || die "Kamailio did not answer OPTIONS on $KAM_PORT (see $LOG_DIR/kamailio-$mode.log)"
    log "Kamailio ($mode) up: pid $SERVER_PID, $(server_pids | wc -l) processes (children=2 UDP workers)"
}
stop_server() {
    stop_pid "$SERVER_PID" 20
    SERVER_PID=""
}

bench_kamailio() {
    log "=== Kamailio $(kamailio -v 2>/dev/null | awk 'NR==1 { print $3 }') ($KAM_CFG) ==="
    # 1) REGISTER without auth, then calls on the same instance (with its full location table)
    start_kamailio noauth
    if [[ $MODE == quick ]]; then
        quick kam_reg_noauth "$QUICK_REG_RATE" reg_trial "REGISTER no-auth" register-noauth.xml "$QUICK_REG_RATE" "$((AORS / QUICK_REG_RATE))"
    else
        fill register-noauth.xml
        search kam_reg_noauth "REGISTER no-auth" "$REG_START" "$REG_TRIAL_SECS" reg_trial "REGISTER no-auth" register-noauth.xml
    fi
    log "Kamailio location table: $(kam_ul_records) AORs"
    start_uas register-noauth.xml
    if [[ $MODE == quick ]]; then
        quick kam_call_noauth "$QUICK_CALL_RATE" call_trial "calls no-auth" "$QUICK_CALL_RATE" "$((QUICK_CALLS / QUICK_CALL_RATE))"
    else
        search kam_call_noauth "calls no-auth" "$CALL_START" "$CALL_TRIAL_SECS" call_trial "calls no-auth"
    fi
    stop_uas
    stop_server

    # 2) REGISTER with digest auth, fresh instance
    start_kamailio auth
    if [[ $MODE == quick ]]; then
        quick kam_reg_auth "$QUICK_REG_RATE" reg_trial "REGISTER digest" register-auth.xml "$QUICK_REG_RATE" "$((AORS / QUICK_REG_RATE))"
    else
        fill register-auth.xml
        search kam_reg_auth "REGISTER digest" "$REG_START" "$REG_TRIAL_SECS" reg_trial "REGISTER digest" register-auth.xml
    fi
    log "Kamailio location table: $(kam_ul_records) AORs"
    stop_server
}

# ---------------------------------------------------------------------------------------------
# Peerline
# ---------------------------------------------------------------------------------------------
PEER_DIR="$TMP/peerline"
write_peerline_config() {  # write_peerline_config FILE trusted|untrusted
    local file=$1 trust=$2
    {
        echo "site:  { name: bench, domain: $DOMAIN }"
        echo "data:  $PEER_DIR/data"
        echo "sip:"
        echo "  listen: [ \"udp:127.0.0.1:$PEERLINE_PORT\" ]"
        echo "  # 0 disables the per-source rate limit and brute-force blocking (all load comes from 127.0.0.1)"
        echo "  security: { rate-limit: 0, auth-failures: 0 }"
        if [[ $trust == trusted ]]; then
            echo "  # requests from trusted sources skip the 407 challenge (the no-auth call run)"
            echo "  trusted: [ \"127.0.0.1/32\" ]"
        fi
        echo "admin: { listen: \"127.0.0.1:0\" }"
        echo "log:   { level: warn }"
        echo "# signalling only, as Kamailio does here: no media relay"
        echo "relay: { enabled: false }"
    } >"$file"
}

import_peerline_users() {
    local csv="$PEER_DIR/users-import.csv" t0 t1
    {
        echo "name,password,extension,display"
        awk -v n="$AORS" 'BEGIN { for (i = 1; i <= n; i++) printf "user%d,pw-user%d,,\n", i, i }'
        echo "uas,pw-uas,,"
    } >"$csv"
    t0=$(now)
    # shellcheck disable=SC2086
    java $JAVA_OPTS -jar "$JAR" user import "$csv" --config "$PEER_DIR/untrusted.yaml" \
        >"$LOG_DIR/peerline-import.log" 2>&1 || die "user import failed (see $LOG_DIR/peerline-import.log)"
    t1=$(now)
    log "imported $((AORS + 1)) users into Peerline in $(printf '%.1f' "$(calc "$t1 - $t0")")s"
}

start_peerline() {  # start_peerline CONFIG_NAME (untrusted|trusted)
    local name=$1
    # shellcheck disable=SC2086
    java $JAVA_OPTS -jar "$JAR" run --config "$PEER_DIR/$name.yaml" >>"$LOG_DIR/peerline-$name.log" 2>&1 &
    SERVER_PID=$!
    SERVER_KIND=peerline
    SRV_PORT=$PEERLINE_PORT
    wait_sip_ready "$PEERLINE_PORT" 90 || die "Peerline did not answer OPTIONS on $PEERLINE_PORT (see $LOG_DIR/peerline-$name.log)"
    log "Peerline ($name) up: pid $SERVER_PID"
    if [[ $HAVE_JSTAT == 1 ]]; then
        # one sampler for the whole life of the JVM: a line per second, trials pick their lines
        JSTAT_FILE="$LOG_DIR/peerline-$name.jstat"
        jstat -gc "$SERVER_PID" 1000 >"$JSTAT_FILE" 2>&1 &
        JSTAT_PID=$!
    fi
}
stop_peerline() {
    if [[ -n $SERVER_PID ]] && command -v jcmd >/dev/null; then
        timeout 20 jcmd "$SERVER_PID" GC.heap_info >>"$LOG_DIR/peerline-heap-info.log" 2>&1 || true
    fi
    stop_pid "$JSTAT_PID" 5
    JSTAT_PID=""
    JSTAT_FILE=""
    stop_server
}

# live_heap KEY: the Java heap still in use after a full GC, with every AOR registered (the live set:
# users, bindings, stack state), as opposed to the sampled "heap in use", which includes garbage the
# collector has not needed to reclaim yet under -Xmx
live_heap() {
    local key=$1 kb
    [[ -n $SERVER_PID ]] && command -v jcmd >/dev/null || return 0
    timeout 30 jcmd "$SERVER_PID" GC.run >/dev/null 2>&1 || return 0
    kb=$(jcmd_heap_used_kb)
    [[ $kb -gt 0 ]] || return 0
    FIGMEM[$key]=$(printf 'live heap after full GC %.0f MiB (%s AORs registered, %s users)' "$(calc "$kb / 1024")" "$AORS" "$AORS")
    log "${FIGMEM[$key]}"
}

bench_peerline() {
    log "=== Peerline ($JAR) ==="
    mkdir -p "$PEER_DIR/data"
    write_peerline_config "$PEER_DIR/untrusted.yaml" untrusted
    write_peerline_config "$PEER_DIR/trusted.yaml" trusted
    import_peerline_users

    # 1) REGISTER with digest auth, then calls with the caller answering 407
    start_peerline untrusted
    if [[ $MODE == quick ]]; then
        quick peer_reg_auth "$QUICK_REG_RATE" reg_trial "REGISTER digest" register-auth.xml "$QUICK_REG_RATE" "$((AORS / QUICK_REG_RATE))"
    else
        fill register-auth.xml
        search peer_reg_auth "REGISTER digest" "$REG_START" "$REG_TRIAL_SECS" reg_trial "REGISTER digest" register-auth.xml
    fi
    live_heap peer_live_heap
    start_uas register-auth.xml
    if [[ $MODE == quick ]]; then
        quick peer_call_auth "$QUICK_CALL_RATE" call_trial "calls 407-auth" "$QUICK_CALL_RATE" "$((QUICK_CALLS / QUICK_CALL_RATE))"
    else
        search peer_call_auth "calls 407-auth" "$CALL_START" "$CALL_TRIAL_SECS" call_trial "calls 407-auth"
    fi
    stop_uas
    stop_peerline

    # 2) calls from a trusted source (no challenge), comparable with Kamailio's no-auth proxy
    start_peerline trusted
    # a trusted REGISTER may be accepted without a challenge: then register-noauth does it
    start_uas register-auth.xml register-noauth.xml
    if [[ $MODE == quick ]]; then
        quick peer_call_trusted "$QUICK_CALL_RATE" call_trial "calls trusted" "$QUICK_CALL_RATE" "$((QUICK_CALLS / QUICK_CALL_RATE))"
    else
        search peer_call_trusted "calls trusted" "$CALL_START" "$CALL_TRIAL_SECS" call_trial "calls trusted"
    fi
    stop_uas
    stop_peerline
}

# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------
T_START=$(now)
log "sip-bench ($MODE) on $(nproc) cores, $(uname -r); sipp: $(sipp -v 2>/dev/null | awk '/SIPp/ { print $2; exit }' || true)"
log "AORs: $AORS; success >= $(calc "$SUCCESS_MIN * 100" | sed 's/0*$//;s/\.$//')% and effective rate >= $(calc "$SUSTAIN_MIN * 100" | sed 's/0*$//;s/\.$//')% of target; call hold ${HOLD_MS} ms"
log "results: $RESULT_TXT, $RESULT_TSV, logs in $LOG_DIR"
log "net.core.rmem_max = $(cat /proc/sys/net/core/rmem_max 2>/dev/null || echo '?')"
# The figures assume an otherwise idle machine: measure what else runs for 2 seconds.
BG0=$(busy_ticks); sleep 2; BG1=$(busy_ticks)
BG_LOAD=$(calc "($BG1 - $BG0) / $CLK_TCK / 2 * 100")
log "background load before the run: $(printf '%.0f' "$BG_LOAD")% CPU (100% = one core)"
if awk -v b="$BG_LOAD" 'BEGIN { exit !(b > 20) }'; then
    warn "the machine is busy (top: $(ps -eo pcpu=,comm= --sort=-pcpu | head -3 | awk '{ printf "%s %s%%; ", $2, $1 }')); the figures will be lower than on an idle machine"
fi

[[ $RUN_KAM == 1 ]] && bench_kamailio
[[ $RUN_PEER == 1 ]] && bench_peerline

# ---------------------------------------------------------------------------------------------
# Final table
# ---------------------------------------------------------------------------------------------
val() { local v=${FIG[$1]:-}; [[ -n $v ]] && echo "$v" || echo "n/a"; }
cpu() { local v=${FIGCPU[$1]:-}; [[ -n $v ]] && printf '%.0f%%' "$v" || echo "n/a"; }
ratio() {
    local a=${FIG[$1]:-} b=${FIG[$2]:-}
    if [[ -n $a && -n $b && $b != 0 ]]; then calc "$a / $b" | awk '{ printf "%.2f", $1 }'; else echo "-"; fi
}
row() { printf '%-46s %14s %14s %8s\n' "$@"; }

echo
echo "=================================== SIP bench results ($MODE, $(date '+%Y-%m-%d %H:%M')) ==================================="
row "figure" "Peerline" "Kamailio" "ratio"
row "REGISTER/s, digest auth, $AORS AORs" "$(val peer_reg_auth)" "$(val kam_reg_auth)" "$(ratio peer_reg_auth kam_reg_auth)"
row "  server CPU at that rate (100% = 1 core)" "$(cpu peer_reg_auth)" "$(cpu kam_reg_auth)" ""
row "REGISTER/s, no auth" "n/a" "$(val kam_reg_noauth)" "-"
row "  server CPU at that rate" "" "$(cpu kam_reg_noauth)" ""
row "calls/s, no auth (Peerline: trusted source)" "$(val peer_call_trusted)" "$(val kam_call_noauth)" "$(ratio peer_call_trusted kam_call_noauth)"
row "  server CPU at that rate" "$(cpu peer_call_trusted)" "$(cpu kam_call_noauth)" ""
row "calls/s, caller answers 407 digest" "$(val peer_call_auth)" "n/a" "-"
row "  server CPU at that rate" "$(cpu peer_call_auth)" "" ""
if [[ $MODE == full ]]; then
    row "first registration of all AORs (fill), digest" "$(val fill_peerline_register-auth)" "$(val fill_kamailio_register-auth)" \
        "$(ratio fill_peerline_register-auth fill_kamailio_register-auth)"
    row "first registration of all AORs (fill), no auth" "n/a" "$(val fill_kamailio_register-noauth)" "-"
fi
echo
echo "memory at the reported rates:"
for k in peer_live_heap peer_reg_auth peer_call_auth peer_call_trusted kam_reg_auth kam_reg_noauth kam_call_noauth; do
    if [[ -n ${FIGMEM[$k]:-} ]]; then
        printf '  %-20s %s\n' "$k" "${FIGMEM[$k]}"
    fi
done
[[ $MODE == quick ]] && echo "(quick mode: fixed low rates, the figures only show that the trials passed; 0 = failed)"
echo "CPU used by other processes during the trials: up to $(printf '%.0f' "$OTHER_MAX")% of a core (background before the run: $(printf '%.0f' "$BG_LOAD")%)"
echo "pass = >= $(calc "$SUCCESS_MIN * 100" | sed 's/0*$//;s/\.$//')% of calls successful and >= $(calc "$SUSTAIN_MIN * 100" | sed 's/0*$//;s/\.$//')% of the target rate sustained; all trials: $RESULT_TSV"
log "done in $(printf '%.0f' "$(calc "$(now) - $T_START")")s"

if [[ $MODE == quick && $QUICK_FAILED == 1 ]]; then
    echo "QUICK RUN FAILED: at least one trial missed the success threshold"
    exit 1
fi
exit 0
