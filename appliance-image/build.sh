#!/usr/bin/env bash
# Builds what an administrator downloads, into appliance-image/target/ (run as root, from any directory):
#   peerline_<version>_all.deb   the gateway as a Debian package (systemd unit, user peerline, conffile)
#   peerline.raw                 a bootable Debian 12 disk (GPT; BIOS via syslinux, UEFI via systemd-boot)
#   peerline.qcow2               the same, compressed (KVM, Proxmox)
#   peerline.ova                 the same as a streamOptimized VMDK with an OVF descriptor (VMware, VirtualBox)
# It installs the build tools it lacks with apt-get, builds the jars with Maven if they are missing, and takes
# Debian packages only from the mirror apt is configured with on this machine. See README.md.
#
# Environment (all optional):
#   PEERLINE_DISK_MB=2048           size of the disk image (the root filesystem grows to the VM's disk at first boot)
#   PEERLINE_DEB_VERSION=...        the .deb's version (default: the Maven version, -SNAPSHOT written ~SNAPSHOT)
#   PEERLINE_MIRROR=URL             the Debian mirror for bookworm, when apt has no bookworm source
#   PEERLINE_APT_CACHE=DIR          keeps downloaded .debs between builds (default target/apt-cache)
#   PEERLINE_ONLY_DEB=1             stop after the .deb
#   PEERLINE_LINTIAN=0              do not run lintian on the .deb even where it is installed
set -euo pipefail
umask 022

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
TARGET=$HERE/target
WORK=$TARGET/work
START=$(date +%s)
SUITE=bookworm
DISK_MB=${PEERLINE_DISK_MB:-2048}
ESP_MB=256
CACHE=${PEERLINE_APT_CACHE:-$TARGET/apt-cache}

log() { printf '[build %4ss] %s\n' "$(($(date +%s) - START))" "$*"; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot and device nodes need it)"

# ---------------------------------------------------------------------------------------------------------------
# Build tools
# ---------------------------------------------------------------------------------------------------------------
missing=()
need() { [ -e "$1" ] || command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need debootstrap debootstrap
need mkfs.fat dosfstools
need mcopy mtools
need syslinux syslinux
need /usr/lib/syslinux/mbr/gptmbr.bin syslinux-common
need /usr/lib/systemd/boot/efi/systemd-bootx64.efi systemd-boot-efi
need qemu-img qemu-utils
need sfdisk fdisk
need mke2fs e2fsprogs
need zstd zstd
need dpkg-deb dpkg
need unshare util-linux
need gpgv gpgv
need /usr/share/keyrings/debian-archive-keyring.gpg debian-archive-keyring
if [ ${#missing[@]} -gt 0 ]; then
    log "installing build tools: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
fi

# ---------------------------------------------------------------------------------------------------------------
# The jars
# ---------------------------------------------------------------------------------------------------------------
MVN_VERSION=$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -n 1)
[ -n "$MVN_VERSION" ] || die "cannot read the project's version from $ROOT/pom.xml"
JAR=$ROOT/gateway/target/peerline.jar
APP_JAR=$TARGET/peerline-appliance-image-$MVN_VERSION.jar
if [ ! -f "$JAR" ] || [ ! -f "$APP_JAR" ]; then
    log "building the jars with Maven"
    mvn=mvn
    command -v mvn >/dev/null || mvn="$ROOT/mvnw"
    (cd "$ROOT" && "$mvn" -B -q package -DskipTests -pl appliance-image -am)
fi
[ -f "$JAR" ] && [ -f "$APP_JAR" ] || die "Maven did not make $JAR and $APP_JAR"

DEB_VERSION=${PEERLINE_DEB_VERSION:-${MVN_VERSION/-/\~}}
DEB=$TARGET/peerline_${DEB_VERSION}_all.deb

# ---------------------------------------------------------------------------------------------------------------
# The .deb
# ---------------------------------------------------------------------------------------------------------------
log "packaging $(basename "$DEB")"
rm -f "$TARGET"/peerline_*_all.deb
stage=$WORK/deb
rm -rf "$stage"
install -d "$stage/DEBIAN" "$stage/usr/share/peerline" "$stage/usr/bin" "$stage/lib/systemd/system" \
    "$stage/etc/peerline" "$stage/usr/share/man/man1" "$stage/usr/share/doc/peerline"
install -m 0644 "$JAR" "$stage/usr/share/peerline/peerline.jar"
install -m 0755 "$HERE/deb/peerline" "$stage/usr/bin/peerline"
install -m 0644 "$HERE/deb/peerline.service" "$stage/lib/systemd/system/peerline.service"
install -m 0644 "$HERE/deb/peerline.yaml" "$stage/etc/peerline/peerline.yaml"
gzip -9n < "$HERE/deb/peerline.1" > "$stage/usr/share/man/man1/peerline.1.gz"
install -m 0644 "$HERE/deb/copyright" "$stage/usr/share/doc/peerline/copyright"
install -D -m 0644 "$HERE/deb/lintian-overrides" "$stage/usr/share/lintian/overrides/peerline"
gzip -9n < "$ROOT/gateway/CONFIG.md" > "$stage/usr/share/doc/peerline/CONFIG.md.gz"
{
    echo "peerline ($DEB_VERSION) unstable; urgency=medium"
    echo
    echo "  * Built from the Peerline source tree, version $MVN_VERSION."
    echo
    echo " -- Peerline developers <noreply@peerline.invalid>  $(date -R -u -d "@${SOURCE_DATE_EPOCH:-$START}")"
} | gzip -9n > "$stage/usr/share/doc/peerline/changelog.gz"
chmod 0644 "$stage"/usr/share/man/man1/* "$stage"/usr/share/doc/peerline/*
for script in postinst prerm postrm; do
    install -m 0755 "$HERE/deb/$script" "$stage/DEBIAN/$script"
done
echo /etc/peerline/peerline.yaml > "$stage/DEBIAN/conffiles"
(cd "$stage" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) \
    > "$stage/DEBIAN/md5sums"
cat > "$stage/DEBIAN/control" <<EOF
Package: peerline
Version: $DEB_VERSION
Architecture: all
Maintainer: Peerline developers <noreply@peerline.invalid>
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f 1)
Depends: openjdk-17-jre-headless | java17-runtime-headless, adduser
Section: net
Priority: optional
Description: SIP-to-P2P gateway for legacy desk phones
 Peerline lets unmodified SIP desk phones register to a box at their site;
 the boxes of several sites form a peer-to-peer overlay (RELOAD, RFC 6940)
 and route calls between them with no central server.
 .
 This package runs the gateway as the systemd service peerline.service
 (user peerline, data in /var/lib/peerline, configuration in
 /etc/peerline/peerline.yaml, log in the journal) and provides the peerline
 command to manage users, phones, backups and the federation.
EOF
dpkg-deb --root-owner-group -Zgzip --build "$stage" "$DEB" >/dev/null
if [ "${PEERLINE_LINTIAN:-1}" != 0 ] && command -v lintian >/dev/null; then
    log "lintian $(basename "$DEB")"
    lintian "$DEB" 2>&1 | sed 's/^/  lintian: /' || true
fi
if [ "${PEERLINE_ONLY_DEB:-}" = 1 ]; then
    ls -l "$DEB"
    exit 0
fi

# ---------------------------------------------------------------------------------------------------------------
# The Debian mirror, as apt is configured here
# ---------------------------------------------------------------------------------------------------------------
targets() {
    apt-get indextargets --format '$(CODENAME) $(REPO_URI) $(COMPONENT)' 'Created-By: Packages' 'Target-Of: deb' \
        2>/dev/null | sort -u
}
sources=$(targets)
if ! grep -q "^$SUITE " <<<"$sources"; then
    apt-get update -qq || true
    sources=$(targets)
fi
MIRROR=${PEERLINE_MIRROR:-$(awk -v s="$SUITE" '$1 == s { print $2; exit }' <<<"$sources")}
[ -n "$MIRROR" ] || die "apt has no $SUITE source on this machine: set PEERLINE_MIRROR to a Debian mirror's URL"
# the image's own sources: the same mirrors for bookworm, its updates and its security updates, main only
image_sources=$(awk -v s="$SUITE" '$1 == s || $1 == s "-updates" || $1 == s "-security" { print "deb " $2 " " $1 " main" }' \
    <<<"$sources" | sort -u)
grep -q " $SUITE main" <<<"$image_sources" || image_sources="deb $MIRROR $SUITE main"$'\n'"$image_sources"
log "Debian mirror: $MIRROR"

# ---------------------------------------------------------------------------------------------------------------
# The root filesystem
# ---------------------------------------------------------------------------------------------------------------
rootfs=$WORK/rootfs
rm -rf "$rootfs" "$WORK/esp.img" "$WORK/root.ext4"
mkdir -p "$rootfs/var/cache/apt/archives" "$CACHE"
# reuse the packages of an earlier build (debootstrap and apt both skip a .deb already there)
find "$CACHE" -maxdepth 1 -name '*.deb' -exec cp -l -t "$rootfs/var/cache/apt/archives/" {} + 2>/dev/null \
    || find "$CACHE" -maxdepth 1 -name '*.deb' -exec cp -t "$rootfs/var/cache/apt/archives/" {} +

log "debootstrap $SUITE (minbase)"
debootstrap --variant=minbase --components=main --merged-usr \
    --keyring=/usr/share/keyrings/debian-archive-keyring.gpg "$SUITE" "$rootfs" "$MIRROR" \
    > "$WORK/debootstrap.log" 2>&1 || { tail -n 30 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }

# runs a command inside the root filesystem, in a mount namespace of its own (nothing stays mounted after)
in_root() {
    unshare --mount --fork -- /bin/sh -c '
        set -e
        r=$1; shift
        mount -t proc proc "$r/proc"
        mount --rbind /sys "$r/sys"
        mount --rbind /dev "$r/dev"
        mount -t tmpfs tmpfs "$r/run"
        # the host resolver, also once systemd-resolved has made /etc/resolv.conf a link into /run
        mkdir -p "$r/run/systemd/resolve"
        cp -L /etc/resolv.conf "$r/run/systemd/resolve/stub-resolv.conf"
        [ -L "$r/etc/resolv.conf" ] || cp -L /etc/resolv.conf "$r/etc/resolv.conf"
        exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
            DEBIAN_FRONTEND=noninteractive "$@"' sh "$rootfs" "$@"
}

# the appliance's own files first: dpkg's path excludes must be there before the packages are unpacked
# (root-owned, directories 0755, files 0644 or 0755 whatever the checkout's umask was)
(cd "$HERE/image/rootfs" && find . -mindepth 1 | sort) | while read -r p; do
    if [ -L "$HERE/image/rootfs/$p" ]; then
        cp -P "$HERE/image/rootfs/$p" "$rootfs/$p"
    elif [ -d "$HERE/image/rootfs/$p" ]; then
        install -d -m 0755 "$rootfs/$p"
    elif [ -x "$HERE/image/rootfs/$p" ]; then
        install -m 0755 "$HERE/image/rootfs/$p" "$rootfs/$p"
    else
        install -m 0644 "$HERE/image/rootfs/$p" "$rootfs/$p"
    fi
done
ln -sf /run/peerline-appliance/setup.issue "$rootfs/etc/issue.d/20-peerline-setup.issue"
ln -sf /run/peerline-appliance/firstboot.issue "$rootfs/etc/issue.d/30-peerline-firstboot.issue"
install -m 0644 "$APP_JAR" "$rootfs/usr/lib/peerline-appliance/peerline-appliance.jar"
printf '%s\n' "$image_sources" > "$rootfs/etc/apt/sources.list"
printf '#!/bin/sh\n# no service starts while the image is built\nexit 101\n' > "$rootfs/usr/sbin/policy-rc.d"
# no fsync for every unpacked file: the image is written out whole at the end (removed again below)
echo force-unsafe-io > "$rootfs/etc/dpkg/dpkg.cfg.d/zz-build-unsafe-io"
chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
install -m 0644 "$DEB" "$rootfs/tmp/$(basename "$DEB")"

# the disk's identifiers: fstab is needed before the kernel's initramfs is made (it decides what fsck goes in)
ROOT_UUID=$(cat /proc/sys/kernel/random/uuid)
ESP_SERIAL=$(od -An -N4 -tx4 /dev/urandom | tr -d ' ' | tr 'a-f' 'A-F')
ESP_UUID="${ESP_SERIAL:0:4}-${ESP_SERIAL:4:4}"
cat > "$rootfs/etc/fstab" <<EOF
# <file system>  <mount point>  <type>  <options>  <dump>  <pass>
# the root grows to the disk at first boot (x-systemd.growfs); the EFI system partition holds the kernel
UUID=$ROOT_UUID / ext4 defaults,errors=remount-ro,x-systemd.growfs 0 1
UUID=$ESP_UUID /boot/efi vfat umask=0077,nofail 0 2
EOF
CMDLINE="root=UUID=$ROOT_UUID ro console=tty0 console=ttyS0,115200n8"

log "installing the kernel, Java 17 and Peerline"
cat > "$rootfs/tmp/setup.sh" <<EOF
set -eu
apt="apt-get -y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confold --no-install-recommends"
echo "[setup \$(date +%T)] apt-get update"
\$apt update
echo "[setup \$(date +%T)] base"
# zstd before the kernel, or the initramfs falls back to gzip; what triggers initramfs-tools before it too, so
# that the initramfs is made once
\$apt install zstd systemd-sysv systemd-resolved systemd-timesyncd udev kmod dbus iproute2 iputils-ping procps \
    less nano dosfstools e2fsprogs initramfs-tools
echo "[setup \$(date +%T)] kernel and Java"
# the kernel's own hook makes the initramfs; no second run from initramfs-tools' trigger (set back after)
sed -i 's/^update_initramfs=.*/update_initramfs=no/' /etc/initramfs-tools/update-initramfs.conf
\$apt install linux-image-amd64 openjdk-17-jre-headless
sed -i 's/^update_initramfs=.*/update_initramfs=yes/' /etc/initramfs-tools/update-initramfs.conf
echo "[setup \$(date +%T)] peerline"
\$apt install /tmp/$(basename "$DEB")
systemctl enable systemd-networkd.service systemd-resolved.service systemd-timesyncd.service \
    peerline-firstboot.service peerline-console.service peerline-console.path
# the root filesystem grows to the disk at first boot (systemd 252's unit has no [Install] section)
ln -sf /lib/systemd/system/systemd-repart.service /etc/systemd/system/sysinit.target.wants/systemd-repart.service
# no password yet: the first console login sets one
passwd -d root >/dev/null
chage -d 0 root
systemctl is-enabled peerline.service
echo "[setup \$(date +%T)] done"
EOF
stamp() { while IFS= read -r line; do printf '%(%T)T %s\n' -1 "$line"; done; }
in_root /bin/sh /tmp/setup.sh 2>&1 | stamp > "$WORK/install.log" \
    || { tail -n 40 "$WORK/install.log" >&2; die "installing failed (log: $WORK/install.log)"; }

# keep the downloaded packages for the next build, then empty the image's cache
find "$rootfs/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -l -n -t "$CACHE/" {} + 2>/dev/null \
    || find "$rootfs/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -n -t "$CACHE/" {} +

log "slimming and sealing the root filesystem"
KERNEL=$(cd "$rootfs/boot" && ls vmlinuz-* | sed 's/^vmlinuz-//' | sort -V | tail -n 1)
[ -n "$KERNEL" ] && [ -f "$rootfs/boot/initrd.img-$KERNEL" ] || die "no kernel or initramfs in the image"
# what debootstrap unpacked before the path excludes existed
find "$rootfs/usr/share/doc" -mindepth 1 ! -type d ! -name copyright ! -path '*/doc/peerline/*' -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
find "$rootfs/usr/share/man" -mindepth 1 ! -path "$rootfs/usr/share/man/man1" ! -name peerline.1.gz -delete \
    2>/dev/null || true
mkdir -p "$rootfs/usr/share/man/man1"
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
rm -rf "$rootfs/usr/share/info"/* "$rootfs/usr/share/lintian"/* "$rootfs/var/lib/apt/lists"/* \
    "$rootfs/var/cache/apt"/*.bin "$rootfs/var/cache/apt/archives"/*.deb "$rootfs/var/cache/debconf"/*-old \
    "$rootfs/var/lib/dpkg"/*-old "$rootfs/tmp"/* "$rootfs/var/tmp"/* "$rootfs/usr/sbin/policy-rc.d" "$rootfs/etc/dpkg/dpkg.cfg.d/zz-build-unsafe-io" \
    "$rootfs/root/.bash_history" "$rootfs/var/log/"*.log "$rootfs/var/log/apt"/* "$rootfs/etc/ssh"/ssh_host_*
find "$rootfs/var/log" -type f -exec truncate -s 0 {} +
# the first boot makes the machine's own identity (systemd sees an empty machine-id as the first boot)
: > "$rootfs/etc/machine-id"
rm -f "$rootfs/var/lib/dbus/machine-id" "$rootfs/var/lib/systemd/random-seed" "$rootfs/var/lib/systemd/credential.secret"
ln -sf /etc/machine-id "$rootfs/var/lib/dbus/machine-id"
ln -sf ../run/systemd/resolve/stub-resolv.conf "$rootfs/etc/resolv.conf"
mkdir -p "$rootfs/boot/efi"

# ---------------------------------------------------------------------------------------------------------------
# The disk: GPT with an EFI system partition (kernel, initramfs, systemd-boot, syslinux) and the ext4 root
# ---------------------------------------------------------------------------------------------------------------

ROOT_START_MB=$((1 + ESP_MB))
ROOT_MB=$((DISK_MB - ROOT_START_MB - 1))
USED_MB=$(du -sxm "$rootfs" | cut -f 1)
[ "$ROOT_MB" -gt $((USED_MB * 12 / 10 + 100)) ] \
    || die "the root filesystem needs about $((USED_MB * 12 / 10 + 100)) MiB: raise PEERLINE_DISK_MB (now $DISK_MB)"

log "ext4 root filesystem ($USED_MB MiB used of $ROOT_MB MiB)"
mke2fs -q -t ext4 -L peerline-root -U "$ROOT_UUID" -d "$rootfs" "$WORK/root.ext4" "${ROOT_MB}M" >/dev/null

log "EFI system partition (Linux $KERNEL)"
mkfs.fat -F 32 -n ESP -i "$ESP_SERIAL" -h $((2048)) -C "$WORK/esp.img" $((ESP_MB * 1024)) >/dev/null
export MTOOLS_SKIP_CHECK=1
esp() { mcopy -o -i "$WORK/esp.img" "$@"; }
mmd -i "$WORK/esp.img" ::/EFI ::/EFI/BOOT ::/EFI/systemd ::/loader ::/loader/entries ::/syslinux
esp "$rootfs/boot/vmlinuz-$KERNEL" ::/vmlinuz
esp "$rootfs/boot/initrd.img-$KERNEL" ::/initrd.img
esp /usr/lib/systemd/boot/efi/systemd-bootx64.efi ::/EFI/BOOT/BOOTX64.EFI
esp /usr/lib/systemd/boot/efi/systemd-bootx64.efi ::/EFI/systemd/systemd-bootx64.efi
printf 'timeout 0\ndefault peerline.conf\neditor no\n' > "$WORK/loader.conf"
printf 'title Peerline\nlinux /vmlinuz\ninitrd /initrd.img\noptions %s\n' "$CMDLINE" > "$WORK/peerline.conf"
cat > "$WORK/syslinux.cfg" <<EOF
SERIAL 0 115200
DEFAULT peerline
PROMPT 0
TIMEOUT 0
LABEL peerline
  LINUX /vmlinuz
  INITRD /initrd.img
  APPEND $CMDLINE
EOF
esp "$WORK/loader.conf" ::/loader/loader.conf
esp "$WORK/peerline.conf" ::/loader/entries/peerline.conf
esp "$WORK/syslinux.cfg" ::/syslinux/syslinux.cfg
syslinux --install --directory /syslinux "$WORK/esp.img"

log "GPT disk image ($DISK_MB MiB)"
RAW=$TARGET/peerline.raw
rm -f "$RAW" "$TARGET/peerline.qcow2" "$TARGET/peerline.ova"
truncate -s "${DISK_MB}M" "$RAW"
sfdisk --quiet --no-reread --no-tell-kernel "$RAW" <<EOF
label: gpt
unit: sectors
first-lba: 2048
start=2048, size=$((ESP_MB * 2048)), type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="esp", attrs="LegacyBIOSBootable"
start=$((ROOT_START_MB * 2048)), size=$((ROOT_MB * 2048)), type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name="root"
EOF
dd if="$WORK/esp.img" of="$RAW" bs=1M seek=1 conv=notrunc,sparse status=none
dd if="$WORK/root.ext4" of="$RAW" bs=1M seek="$ROOT_START_MB" conv=notrunc,sparse status=none
# BIOS: the protective MBR's boot code finds the partition marked legacy-BIOS-bootable and runs syslinux there
dd if=/usr/lib/syslinux/mbr/gptmbr.bin of="$RAW" bs=440 count=1 conv=notrunc status=none
rm -f "$WORK/root.ext4" "$WORK/esp.img"

# ---------------------------------------------------------------------------------------------------------------
# qcow2 and OVA
# ---------------------------------------------------------------------------------------------------------------
log "peerline.qcow2 (compressed)"
qemu-img convert -c -O qcow2 "$RAW" "$TARGET/peerline.qcow2"

log "peerline.ova (streamOptimized VMDK, OVF, SHA-256 manifest)"
ova=$WORK/ova
rm -rf "$ova"
mkdir -p "$ova"
qemu-img convert -O vmdk -o subformat=streamOptimized,adapter_type=ide "$RAW" "$ova/peerline-disk1.vmdk"
VMDK_BYTES=$(stat -c %s "$ova/peerline-disk1.vmdk")
sed -e "s/@VERSION@/$DEB_VERSION/g" -e "s/@DISK_BYTES@/$((DISK_MB * 1024 * 1024))/g" \
    -e "s/@VMDK_BYTES@/$VMDK_BYTES/g" "$HERE/image/peerline.ovf" > "$ova/peerline.ovf"
(cd "$ova" && for f in peerline.ovf peerline-disk1.vmdk; do
    echo "SHA256($f)= $(sha256sum "$f" | cut -d ' ' -f 1)"
done) > "$ova/peerline.mf"
# the descriptor first, then the manifest, then the disk (OVF 1.x/2.x); plain ustar
tar --format=ustar --owner=0 --group=0 --numeric-owner -C "$ova" -cf "$TARGET/peerline.ova" \
    peerline.ovf peerline.mf peerline-disk1.vmdk
rm -rf "$ova"

# ---------------------------------------------------------------------------------------------------------------
elapsed=$(($(date +%s) - START))
log "done in $((elapsed / 60)) min $((elapsed % 60)) s"
printf 'build time: %d s\n' "$elapsed"
for f in "$DEB" "$RAW" "$TARGET/peerline.qcow2" "$TARGET/peerline.ova"; do
    printf 'size %-28s %6s MiB' "$(basename "$f")" "$(( ($(stat -c %s "$f") + 524287) / 1048576 ))"
    [ "$f" = "$RAW" ] && printf ' (%s MiB allocated)' "$(( ($(du -k "$f" | cut -f 1) + 512) / 1024 ))"
    printf '\n'
done
