#!/usr/bin/env bash
# Boots a Peerline appliance image in QEMU and checks it from outside (run as root):
#   - the VM runs in a network namespace of its own (unshare --net: loopback only), with QEMU's user network
#     forwarding SIP (UDP and TCP 5060) and the admin page (TCP 8443) from 127.0.0.1 of that namespace;
#   - KVM is tried for a few seconds where /dev/kvm exists, else (or when the guest fails there) software
#     emulation (TCG) with generous timeouts;
#   - a cloud-init NoCloud seed made here (label CIDATA) gives the site, domain and admin password;
#   - ready = the box answers SIP OPTIONS and serves the admin page; then: log in to the admin API with the
#     seed's password and create two users, register two SIPp phones, call from one to the other
#     (INVITE, 200, ACK, BYE), open the admin page, and read the console: the admin URL, the grown root
#     filesystem, and (--seed none) the setup code, which then sets the password through the page's login.
# The image itself is never written (the VM runs on a qcow2 overlay, 4 GiB, so the root filesystem grows).
#
# usage: boot-test.sh [--firmware bios|uefi] [--disk virtio|ide] [--nic virtio|e1000]
#                     [--seed vfat|iso|none] [--static-network] [--timeout SECONDS] IMAGE
#   IMAGE: peerline.raw, peerline.qcow2, peerline.ova (its VMDK) or a .vmdk
# Prints the boot-to-ready time; exit status 0 only if every check passed. Logs: target/boot-test-<firmware>/
# (after a failure also the guest's journal, journal.txt).
# Environment: PEERLINE_BOOT_TEST_SMP (vCPUs, default 2), PEERLINE_BOOT_TEST_TCG_THREAD (single, the default, or
# multi: about 40% faster, but see start_vm).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
SIPP_DIR=$ROOT/gateway/src/test/resources/sipp

ARGS=("$@")
FIRMWARE=bios
DISK=virtio
NIC=virtio
SEED=vfat
STATIC=no
TIMEOUT=
IMAGE=
while [ $# -gt 0 ]; do
    case "$1" in
        --firmware) FIRMWARE=$2; shift 2 ;;
        --disk) DISK=$2; shift 2 ;;
        --nic) NIC=$2; shift 2 ;;
        --seed) SEED=$2; shift 2 ;;
        --static-network) STATIC=yes; shift ;;
        --timeout) TIMEOUT=$2; shift 2 ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        -*) echo "boot-test.sh: unknown option $1" >&2; exit 2 ;;
        *) IMAGE=$1; shift ;;
    esac
done
[ -n "$IMAGE" ] && [ -f "$IMAGE" ] || { echo "usage: boot-test.sh [options] IMAGE (see --help)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "boot-test.sh: run as root (network namespace)" >&2; exit 2; }
IMAGE=$(realpath "$IMAGE")

# Everything below runs in a network namespace of its own: the forwarded ports are private to this test.
if [ -z "${PEERLINE_BOOT_TEST_NETNS:-}" ]; then
    exec unshare --net -- env PEERLINE_BOOT_TEST_NETNS=1 "$0" "${ARGS[@]}"
fi
ip link set lo up

START=$(date +%s)
W=$HERE/target/boot-test-$FIRMWARE
rm -rf "$W"
mkdir -p "$W"
log() { printf '[boot-test %4ss] %s\n' "$(($(date +%s) - START))" "$*"; }
FAILED=()
check() { # check NAME COMMAND...: runs the command, records the outcome
    local name=$1
    shift
    if "$@"; then
        log "PASS  $name"
    else
        log "FAIL  $name"
        FAILED+=("$name")
    fi
}

for tool in qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils sipp:sip-tester curl:curl mkfs.fat:dosfstools \
        mcopy:mtools ip:iproute2; do
    command -v "${tool%%:*}" >/dev/null || { echo "boot-test.sh: ${tool%%:*} is missing (apt-get install ${tool#*:})" >&2; exit 2; }
done

# --- the disk: an overlay on the image, larger than it --------------------------------------------------------
case "$IMAGE" in
    *.ova)
        tar -C "$W" -xf "$IMAGE" --wildcards '*.vmdk'
        BASE=$(ls "$W"/*.vmdk)
        BASE_FMT=vmdk ;;
    *.qcow2) BASE=$IMAGE; BASE_FMT=qcow2 ;;
    *.vmdk) BASE=$IMAGE; BASE_FMT=vmdk ;;
    *) BASE=$IMAGE; BASE_FMT=raw ;;
esac
qemu-img create -q -f qcow2 -F "$BASE_FMT" -b "$BASE" "$W/disk.qcow2" 4G

# --- the NoCloud seed ------------------------------------------------------------------------------------------
SITE=boot-test
DOMAIN=boot-test.example
# without a seed the box keeps the domain of the packaged /etc/peerline/peerline.yaml
[ "$SEED" = none ] && DOMAIN=peerline.home.arpa
ADMIN_PW="admin-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
mkdir -p "$W/seed"
printf 'instance-id: peerline-boot-test\nlocal-hostname: peerline-test\n' > "$W/seed/meta-data"
cat > "$W/seed/user-data" <<EOF
#cloud-config
hostname: peerline-test
peerline:
  site: $SITE
  domain: $DOMAIN
  admin_password: "$ADMIN_PW"
EOF
if [ "$STATIC" = yes ]; then
    # QEMU's user network: the guest is 10.0.2.15, the gateway 10.0.2.2, the DNS proxy 10.0.2.3;
    # "eth0" is not the guest's name for its interface: the one-interface rule applies it to the first one
    cat > "$W/seed/network-config" <<'EOF'
version: 2
ethernets:
  eth0:
    addresses: [ 10.0.2.15/24 ]
    routes: [ { to: default, via: 10.0.2.2 } ]
    nameservers: { addresses: [ 10.0.2.3 ], search: [ boot-test.example ] }
EOF
fi
SEED_DRIVE=()
case "$SEED" in
    vfat)
        mkfs.fat -n CIDATA -C "$W/seed.img" 2048 >/dev/null
        MTOOLS_SKIP_CHECK=1 mcopy -i "$W/seed.img" "$W/seed"/* ::/
        if [ "$DISK" = virtio ]; then
            SEED_DRIVE=(-drive "file=$W/seed.img,format=raw,if=virtio,readonly=on")
        else
            SEED_DRIVE=(-drive "file=$W/seed.img,format=raw,if=ide,index=1,snapshot=on")
        fi ;;
    iso)
        if command -v xorriso >/dev/null; then
            xorriso -as mkisofs -quiet -V cidata -J -r -o "$W/seed.iso" "$W/seed"
        else
            genisoimage -quiet -V cidata -J -r -o "$W/seed.iso" "$W/seed"
        fi
        SEED_DRIVE=(-drive "file=$W/seed.iso,format=raw,if=ide,index=2,media=cdrom") ;;
    none) ;;
    *) echo "boot-test.sh: --seed vfat|iso|none" >&2; exit 2 ;;
esac

# --- QEMU ------------------------------------------------------------------------------------------------------
case "$DISK" in
    virtio) DISK_DRIVE=(-drive "file=$W/disk.qcow2,format=qcow2,if=virtio") ;;
    ide) DISK_DRIVE=(-drive "file=$W/disk.qcow2,format=qcow2,if=ide,index=0") ;;
    *) echo "boot-test.sh: --disk virtio|ide" >&2; exit 2 ;;
esac
case "$NIC" in
    virtio) NIC_DEV=virtio-net-pci ;;
    e1000) NIC_DEV=e1000 ;;
    *) echo "boot-test.sh: --nic virtio|e1000" >&2; exit 2 ;;
esac
FIRMWARE_ARGS=()
if [ "$FIRMWARE" = uefi ]; then
    code=/usr/share/OVMF/OVMF_CODE_4M.fd
    vars=/usr/share/OVMF/OVMF_VARS_4M.fd
    [ -f "$code" ] || { code=/usr/share/OVMF/OVMF_CODE.fd; vars=/usr/share/OVMF/OVMF_VARS.fd; }
    [ -f "$code" ] || { echo "boot-test.sh: no OVMF firmware (apt-get install ovmf)" >&2; exit 2; }
    cp "$vars" "$W/ovmf-vars.fd"
    FIRMWARE_ARGS=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$code"
        -drive "if=pflash,format=raw,unit=1,file=$W/ovmf-vars.fd")
elif [ "$FIRMWARE" != bios ]; then
    echo "boot-test.sh: --firmware bios|uefi" >&2
    exit 2
fi

QEMU_PID=
stop_vm() {
    if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
        kill "$QEMU_PID" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$QEMU_PID" 2>/dev/null || true
    fi
    QEMU_PID=
}
UAS_PID=
cleanup() {
    [ -n "$UAS_PID" ] && kill "$UAS_PID" 2>/dev/null || true
    stop_vm
}
trap cleanup EXIT

start_vm() { # start_vm kvm|tcg
    local accel=$1 cpu=qemu64 machine
    # Software emulation runs both vCPUs on one host thread: with one thread per vCPU (QEMU's default), the JVM
    # crashed once in seven boots with SIGSEGV at the entry of a method its JIT had just patched, the way
    # cross-modifying code between vCPUs goes wrong under multi-threaded TCG; never on one thread.
    machine="pc,accel=tcg"
    [ "$accel" = tcg ] && machine="pc -accel tcg,thread=${PEERLINE_BOOT_TEST_TCG_THREAD:-single}"
    [ "$accel" = kvm ] && { cpu=host; machine="pc,accel=kvm"; }
    : > "$W/serial.log"
    # shellcheck disable=SC2086 # $machine holds the machine and its accelerator options
    qemu-system-x86_64 -name peerline-boot-test -machine $machine -cpu "$cpu" -smp "${PEERLINE_BOOT_TEST_SMP:-2}" -m 2048 \
        "${FIRMWARE_ARGS[@]}" "${DISK_DRIVE[@]}" "${SEED_DRIVE[@]}" \
        -netdev "user,id=n0,hostfwd=udp:127.0.0.1:5060-:5060,hostfwd=tcp:127.0.0.1:5060-:5060,hostfwd=tcp:127.0.0.1:8443-:8443" \
        -device "$NIC_DEV,netdev=n0" \
        -display none -vga std -monitor none -serial "file:$W/serial.log" \
        > "$W/qemu-$accel.log" 2>&1 &
    QEMU_PID=$!
    BOOT_START=$(date +%s)
}

ACCEL=tcg
if [ -w /dev/kvm ]; then
    log "trying KVM"
    start_vm kvm
    ok=no
    for _ in $(seq 1 25); do
        sleep 1
        if grep -q "KVM internal error\|emulation failure" "$W/qemu-kvm.log" 2>/dev/null || ! kill -0 "$QEMU_PID" 2>/dev/null; then
            break
        fi
        if grep -q "Linux version" "$W/serial.log"; then ok=yes; break; fi
    done
    if [ "$ok" = yes ]; then
        ACCEL=kvm
    else
        log "KVM does not run this guest here ($(grep -m1 -o 'KVM internal error.*' "$W/qemu-kvm.log" 2>/dev/null || echo 'no kernel output within 25 s')): software emulation"
        stop_vm
    fi
fi
if [ "$ACCEL" = tcg ]; then
    start_vm tcg
fi
READY_TIMEOUT=${TIMEOUT:-$([ "$ACCEL" = kvm ] && echo 180 || echo 420)}
log "booting $(basename "$IMAGE") ($FIRMWARE, $DISK disk, $NIC network, seed $SEED, $ACCEL); ready within ${READY_TIMEOUT}s"

# --- readiness: SIP answers and the admin page is served -------------------------------------------------------
sip_up() {
    sipp -sf "$SIPP_DIR/options.xml" -key domain "$DOMAIN" -m 1 -recv_timeout 2000 -timeout 4s -nostdin \
        -i 127.0.0.1 -p 5099 -t u1 127.0.0.1:5060 >/dev/null 2>&1
}
https_code() { # https_code PATH [curl options...]
    local path=$1
    shift
    curl -sk --max-time 8 -o "$W/last-body" -w '%{http_code}' "$@" "https://127.0.0.1:8443$path" 2>/dev/null || true
}
READY=no
while [ $(($(date +%s) - BOOT_START)) -lt "$READY_TIMEOUT" ]; do
    if ! kill -0 "$QEMU_PID" 2>/dev/null; then
        log "QEMU exited: $(tail -n 3 "$W/qemu-$ACCEL.log")"
        break
    fi
    if [ "$(https_code /)" = 200 ] && sip_up; then
        READY=yes
        break
    fi
    sleep 3
done
BOOT_TO_READY=$(($(date +%s) - BOOT_START))
if [ "$READY" != yes ]; then
    log "FAIL  not ready within ${READY_TIMEOUT}s; the console's last lines:"
    tail -n 60 "$W/serial.log" | sed 's/^/  console: /'
    echo "boot-to-ready: none (not ready within ${READY_TIMEOUT}s, $ACCEL)"
    exit 1
fi
log "ready: SIP answers OPTIONS and the admin page is served"

# --- the admin page and API ------------------------------------------------------------------------------------
page_ok() { [ "$(https_code /)" = 200 ] && grep -q '<title>Peerline</title>' "$W/last-body"; }
check "admin page: https://127.0.0.1:8443/ is 200 with the page's title" page_ok
api_closed() { [ "$(https_code /api/users)" = 401 ]; }
check "admin API: no session, no users (401)" api_closed

login() { # login JSON
    [ "$(https_code /api/login -c "$W/cookies" -H 'Content-Type: application/json' -d "$1")" = 204 ]
}
if [ "$SEED" = none ]; then
    # no seed: the console shows the setup code, and the page's login sets the first password with it
    code_on_console() { grep -aq 'setup code' "$W/serial.log"; }
    for _ in $(seq 1 30); do code_on_console && break; sleep 2; done
    check "console: shows the setup code while no admin password is set" code_on_console
    CODE=$(grep -ao 'setup code  [A-Z0-9-]*' "$W/serial.log" | tail -n 1 | awk '{print $3}')
    not_set() { [ "$(https_code /api/login)" = 200 ] && grep -q '"passwordSet":false' "$W/last-body"; }
    check "admin API: says no password is set" not_set
    check "admin page: the setup code from the console sets the password" \
        login "{\"setupCode\":\"$CODE\",\"password\":\"$ADMIN_PW\"}"
    code_gone() { # the console prints the issue again, without the code
        local lines
        lines=$(wc -l < "$W/serial.log")
        for _ in $(seq 1 20); do
            sleep 2
            tail -n +"$lines" "$W/serial.log" | grep -aq 'Admin page' && ! tail -n +"$lines" "$W/serial.log" \
                | grep -aq 'setup code' && return 0
        done
        return 1
    }
    check "console: the setup code is gone once the password is set" code_gone
else
    check "admin API: login with the seed's admin password" login "{\"password\":\"$ADMIN_PW\"}"
fi
add_user() { # add_user NAME PASSWORD EXTENSION
    [ "$(https_code /api/users -b "$W/cookies" -H 'Content-Type: application/json' -H 'X-Peerline-Request: 1' \
        -d "{\"name\":\"$1\",\"password\":\"$2\",\"extension\":\"$3\"}")" = 201 ]
}
check "admin API: create user alice" add_user alice alice-secret-1 201
check "admin API: create user bob" add_user bob bob-secret-2 202

# --- two SIPp phones and a call --------------------------------------------------------------------------------
printf 'SEQUENTIAL\nalice;alice-secret-1\n' > "$W/alice.csv"
printf 'SEQUENTIAL\nbob;bob-secret-2\n' > "$W/bob.csv"
sipp_run() { # sipp_run LOGNAME ARGS...: one SIPp run that must end with every call successful
    local name=$1
    shift
    (cd "$W" && sipp "$@" -t u1 -i 127.0.0.1 -nostdin -timeout 60s -timeout_error -trace_err -trace_msg \
        -error_file "$W/sipp-$name.err" -message_file "$W/sipp-$name.msg" > "$W/sipp-$name.log" 2>&1)
}
check "SIP: alice registers (digest) through the forwarded port" sipp_run register-alice \
    -sf "$SIPP_DIR/register-auth.xml" -inf "$W/alice.csv" -key domain "$DOMAIN" -auth_uri "$DOMAIN" -aa -m 1 \
    -p 5091 127.0.0.1:5060
check "SIP: bob registers (digest) through the forwarded port" sipp_run register-bob \
    -sf "$SIPP_DIR/register-auth.xml" -inf "$W/bob.csv" -key domain "$DOMAIN" -auth_uri "$DOMAIN" -aa -m 1 \
    -p 5092 127.0.0.1:5060
(cd "$W" && exec sipp -sf "$SIPP_DIR/uas-call.xml" -t u1 -i 127.0.0.1 -p 5092 -aa -nostdin -m 1 -timeout 90s \
    -timeout_error -trace_err -trace_msg -error_file "$W/sipp-uas-bob.err" -message_file "$W/sipp-uas-bob.msg" \
    > "$W/sipp-uas-bob.log" 2>&1) &
UAS_PID=$!
sleep 1
check "SIP: alice calls bob (INVITE, 200, ACK, BYE)" sipp_run call-alice \
    -sf "$SIPP_DIR/uac-call.xml" -inf "$W/alice.csv" -s bob -key domain "$DOMAIN" -auth_uri "bob@$DOMAIN" \
    -d 500 -m 1 -p 5091 127.0.0.1:5060
uas_done() { # bob's SIPp ends by itself after the BYE (and 2 s of wait); not later than 20 s after the caller
    for _ in $(seq 1 40); do
        kill -0 "$UAS_PID" 2>/dev/null || break
        sleep 0.5
    done
    kill "$UAS_PID" 2>/dev/null || true
    wait "$UAS_PID" || return 1
    # and SIPp counted the call as successful (it also ends with status 0 when stopped)
    sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' "$W/sipp-uas-bob.log" | grep 'Successful call' | tail -n 1 \
        | awk -F'|' '{ exit !($3 + 0 == 1) }'
}
check "SIP: bob's phone answered the call and got its BYE" uas_done
UAS_PID=

# --- the console -----------------------------------------------------------------------------------------------
url_on_console() {
    for _ in $(seq 1 10); do
        grep -aq 'https://10\.0\.2\.15:8443/' "$W/serial.log" && return 0
        sleep 2
    done
    return 1
}
check "console: shows the admin URL https://10.0.2.15:8443/" url_on_console
grown() { grep -aq 'resized filesystem to\|resizing filesystem' "$W/serial.log"; }
check "first boot: the root filesystem grew to the 4 GiB disk" grown
esp_mounted() { grep -aq 'Mounted .*boot-efi.mount' "$W/serial.log"; }
check "boot: the EFI system partition is mounted on /boot/efi (kernel updates reach the boot loaders)" esp_mounted
if [ "$SEED" != none ]; then
    seed_applied() { grep -aq 'the seed on .* is applied' "$W/serial.log"; }
    check "first boot: the cloud-init seed was applied" seed_applied
fi
if [ "$STATIC" = yes ]; then
    static_used() { grep -aq 'network: wrote /etc/systemd/network/10-cidata' "$W/serial.log"; }
    check "first boot: the seed's static network was written (and the box is reached through it)" static_used
fi

stop_vm

# After a failure, the guest's journal tells why: read it from the VM's disk (ext4 read with debugfs, nothing
# mounted) into journal.txt.
guest_journal() {
    local start
    qemu-img convert -O raw "$W/disk.qcow2" "$W/disk.raw" || return 1
    start=$(sfdisk --dump "$W/disk.raw" 2>/dev/null | awk -F'[=,]' '/type=4F68BCE3/ { gsub(/ /, "", $2); print $2 }')
    [ -n "$start" ] || return 1
    dd if="$W/disk.raw" of="$W/root.ext4" bs=512 skip="$start" conv=sparse status=none
    rm -f "$W/disk.raw"
    mkdir -p "$W/journal"
    debugfs -R "rdump /var/log/journal $W/journal" "$W/root.ext4" >/dev/null 2>&1
    rm -f "$W/root.ext4"
    journalctl --directory="$W/journal/journal" --no-pager -o short-monotonic > "$W/journal.txt" 2>&1
}
if [ ${#FAILED[@]} -gt 0 ]; then
    if guest_journal; then
        log "the guest's journal: $W/journal.txt; its Peerline lines around the failure:"
        grep -a ' peerline\[' "$W/journal.txt" | tail -n 40 | sed 's/^/  journal: /'
    fi
fi
echo
echo "firmware $FIRMWARE, disk $DISK, network $NIC, seed $SEED$([ "$STATIC" = yes ] && echo ' (static network)'), accel $ACCEL"
echo "boot-to-ready: ${BOOT_TO_READY} s ($ACCEL)"
if [ ${#FAILED[@]} -gt 0 ]; then
    echo "FAILED: ${FAILED[*]}"
    echo "console log: $W/serial.log; SIPp logs: $W/sipp-*"
    exit 1
fi
echo "all checks passed"
