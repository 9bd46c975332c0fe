#!/usr/bin/env bash
# build.sh - build the kernel + initramfs of the dm-multipath test guest.
#
# Usage: build.sh            (idempotent; rebuilds the initramfs every time, downloads only what is missing)
#   Env (defaults in brackets):
#     MP_CACHE [/tmp/linux-multipath/debs]    where the .deb files are downloaded (apt-get download)
#     MP_BUILD [/tmp/linux-multipath/build]   output: vmlinuz, initramfs.cpio.gz, versions; stage/ + root/ scratch
#     MP_KPKG  [the linux-image-*-amd64 package that linux-image-amd64 depends on]
#
# Host requirements (Debian 12): apt-get, dpkg-deb, kmod (depmod, modprobe), cpio, gzip; for run.sh also
# qemu-system-x86 and socat:
#   apt-get install -y --no-install-recommends qemu-system-x86 kmod cpio socat
#
# The guest: busybox, open-iscsi (iscsid, iscsiadm), e2fsprogs, sg3-utils, multipath-tools (multipath,
# multipathd and their checker/prioritizer plugins), dmsetup, systemd-udevd + udevadm with the udev rules of udev,
# dmsetup and multipath-tools, and the kernel modules for iscsi_tcp, sd_mod, ext4, virtio-net, scsi_dh_alua,
# dm-multipath with its round-robin / service-time / queue-length path selectors. guest/init runs
# guest/mpath-test.sh.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${MP_CACHE:-/tmp/linux-multipath/debs}
BUILD=${MP_BUILD:-/tmp/linux-multipath/build}

need=()
for c in apt-get apt-cache dpkg-deb depmod modprobe cpio gzip ldd; do
  command -v "$c" >/dev/null 2>&1 || need+=("$c")
done
if ((${#need[@]})); then
  echo "build.sh: missing host tools: ${need[*]}" >&2
  echo "  apt-get install -y --no-install-recommends qemu-system-x86 kmod cpio socat" >&2
  exit 2
fi

KPKG=${MP_KPKG:-$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')}
[[ -n $KPKG ]] || { echo "build.sh: cannot resolve the kernel package behind linux-image-amd64" >&2; exit 2; }

# open-iscsi, e2fsprogs, sg3-utils, busybox and their libraries; multipath-tools, dmsetup, udev and theirs
PKGS=("$KPKG" open-iscsi libopeniscsiusr libisns0 libkmod2 libmount1 libblkid1 libuuid1 libssl3 libsystemd0
      libcap2 libgcrypt20 libgpg-error0 liblz4-1 liblzma5 libzstd1 libselinux1 libpcre2-8-0 zlib1g libc6
      e2fsprogs libext2fs2 libcom-err2 libss2 busybox-static sg3-utils libsgutils2-1.46-2
      multipath-tools kpartx libaio1 libdevmapper1.02.1 libedit2 libjson-c5 libudev1 liburcu8 dmsetup
      udev libbsd0 libmd0 libtinfo6 libacl1 libgcc-s1)

mkdir -p "$CACHE" "$BUILD"
missing=()
for p in "${PKGS[@]}"; do
  compgen -G "$CACHE/${p}_*.deb" >/dev/null || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "build.sh: downloading ${missing[*]}" >&2
  # apt-get download writes into the current directory; _apt cannot write to root-owned dirs (harmless warning)
  (cd "$CACHE" && timeout 600 apt-get download "${missing[@]}")
fi

STAGE=$BUILD/stage
ROOT=$BUILD/root
rm -rf "$STAGE" "$ROOT"
mkdir -p "$STAGE" "$ROOT"
for p in "${PKGS[@]}"; do
  deb=$(find "$CACHE" -maxdepth 1 -name "${p}_*.deb" | sort -V | tail -1)
  dpkg-deb -x "$deb" "$STAGE"
done

KVER=$(find "$STAGE/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | head -1)
[[ -f $STAGE/boot/vmlinuz-$KVER ]] || { echo "build.sh: no vmlinuz for $KVER" >&2; exit 1; }
depmod -b "$STAGE" "$KVER"

# ---- kernel modules, in load order (dependencies first), deduplicated. scsi_dh_alua before iscsi_tcp, so that
# the ALUA device handler attaches when the disks are scanned.
WANT=(crc32c_generic crc32c_intel scsi_dh_alua scsi_transport_iscsi libiscsi libiscsi_tcp iscsi_tcp sd_mod ext4
      dm_mod dm_multipath dm_round_robin dm_service_time dm_queue_length virtio_pci virtio_net)
mkdir -p "$ROOT/etc/itest" "$ROOT/lib/modules/$KVER"
: >"$ROOT/etc/itest/modules.list"
declare -A seen=()
for m in "${WANT[@]}"; do
  while read -r verb path _; do
    [[ $verb == insmod ]] || continue
    rel=${path#"$STAGE"/}
    [[ -n ${seen[$rel]:-} ]] && continue
    seen[$rel]=1
    mkdir -p "$ROOT/$(dirname "$rel")"
    cp "$path" "$ROOT/$rel"
    echo "/$rel" >>"$ROOT/etc/itest/modules.list"
  done < <(modprobe -d "$STAGE" -S "$KVER" --show-depends "$m")
done
cp "$STAGE/lib/modules/$KVER"/modules.{order,builtin,builtin.modinfo} "$ROOT/lib/modules/$KVER/" 2>/dev/null || true
depmod -b "$ROOT" "$KVER"

# ---- binaries, plugins and their shared libraries (resolved inside the staged tree)
mkdir -p "$ROOT"/{bin,sbin,dev,proc,sys,run,tmp,mnt,var/lib,etc/iscsi/ifaces,lib/x86_64-linux-gnu,lib64}
mkdir -p "$ROOT"/{lib/multipath,lib/udev/rules.d,lib/systemd,etc/udev/rules.d,etc/multipath}
mkdir -p "$ROOT/usr"
ln -s ../lib "$ROOT/usr/lib"
cp "$STAGE/bin/busybox" "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"
BINS=(sbin/iscsid sbin/iscsiadm sbin/iscsistart sbin/iscsi-iname sbin/mkfs.ext4 sbin/e2fsck sbin/dumpe2fs
      usr/bin/sg_reset usr/bin/sg_inq usr/bin/sg_vpd usr/bin/sg_readcap usr/bin/sg_luns usr/bin/sg_turs usr/bin/sg_sync
      usr/bin/sg_rtpg sbin/multipath sbin/multipathd sbin/dmsetup bin/udevadm)
LIBPATH="$STAGE/lib/x86_64-linux-gnu:$STAGE/usr/lib/x86_64-linux-gnu:$STAGE/lib:$STAGE/usr/lib/x86_64-linux-gnu/systemd"
declare -A libs=()
add_libs() {
  local lib
  while read -r lib; do
    [[ $lib == not ]] && { echo "build.sh: unresolved library of $1" >&2; LD_LIBRARY_PATH=$LIBPATH ldd "$1" | grep 'not found' >&2; exit 1; }
    libs[$lib]=1
  done < <(LD_LIBRARY_PATH=$LIBPATH ldd "$1" | awk '/=>/ {print $3}')
}
for b in "${BINS[@]}"; do
  src=$STAGE/$b
  [[ -f $src ]] || { echo "build.sh: missing $b in the staged packages" >&2; exit 1; }
  cp -L "$src" "$ROOT/sbin/"
  add_libs "$src"
done
# udev helpers called by the rules; the daemon is udevadm started as systemd-udevd
cp -L "$STAGE/lib/udev/scsi_id" "$ROOT/lib/udev/"
add_libs "$STAGE/lib/udev/scsi_id"
cp -L "$STAGE/lib/udev/kpartx_id" "$ROOT/lib/udev/" # a shell script
ln -s ../../sbin/udevadm "$ROOT/lib/systemd/systemd-udevd"
ln -s ../sbin/udevadm "$ROOT/bin/udevadm"
for d in multipath dmsetup; do ln -s ../sbin/$d "$ROOT/bin/$d"; done
# multipath-tools' checker, prioritizer and foreign plugins (dlopen'ed from /lib/multipath)
for so in "$STAGE"/lib/multipath/*.so; do
  cp -L "$so" "$ROOT/lib/multipath/"
  add_libs "$so"
done
for lib in "${!libs[@]}"; do
  case $lib in "$STAGE"/*) ;; *) echo "build.sh: $lib resolved outside the staged tree" >&2; exit 1 ;; esac
  cp -L "$lib" "$ROOT/lib/x86_64-linux-gnu/$(basename "$lib")"
done
cp -L "$STAGE/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" "$ROOT/lib/x86_64-linux-gnu/"
# glibc dlopens libgcc_s for pthread_cancel (multipathd cancels its threads)
cp -L "$STAGE/lib/x86_64-linux-gnu/libgcc_s.so.1" "$ROOT/lib/x86_64-linux-gnu/"
ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$ROOT/lib64/ld-linux-x86-64.so.2"
# udev rules: the storage ones of udev, and those of dmsetup (dm cookies, /dev/mapper names), multipath-tools
# and kpartx (multipath path claiming)
for r in 50-udev-default 60-block 60-persistent-storage 55-dm 60-persistent-storage-dm 95-dm-notify 56-dm-mpath \
         60-multipath 56-dm-parts 60-kpartx 68-del-part-nodes; do
  cp "$STAGE/lib/udev/rules.d/$r.rules" "$ROOT/lib/udev/rules.d/"
done
# iscsid checks the uid of iscsiadm's socket peer by name (getpwuid): it needs root in /etc/passwd; udev's
# default rules name a few groups
echo 'root:x:0:0:root:/root:/bin/sh' >"$ROOT/etc/passwd"
printf '%s\n' 'root:x:0:' 'disk:x:6:' 'tty:x:5:' 'kmem:x:15:' 'dialout:x:20:' 'audio:x:29:' 'video:x:44:' \
  'input:x:105:' 'render:x:106:' 'sgx:x:107:' 'kvm:x:108:' >"$ROOT/etc/group"
# open-iscsi's reference config (the test rewrites /etc/iscsi/iscsid.conf from the run's parameters)
cp "$STAGE/etc/iscsi/iscsid.conf" "$ROOT/etc/iscsi/iscsid.conf.debian"

install -m 0755 "$HERE/guest/init" "$ROOT/init"
install -m 0755 "$HERE/guest/mpath-test.sh" "$ROOT/itest.sh"
{
  echo "kernel=$KVER"
  echo "kernel_pkg=$(basename "$(find "$CACHE" -maxdepth 1 -name "${KPKG}_*.deb" | sort -V | tail -1)")"
  for p in open-iscsi multipath-tools dmsetup udev busybox-static e2fsprogs sg3-utils; do
    echo "$p=$(basename "$(find "$CACHE" -maxdepth 1 -name "${p}_*.deb" | sort -V | tail -1)")"
  done
} >"$ROOT/etc/itest/versions"

(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) | gzip -6 >"$BUILD/initramfs.cpio.gz.new"
mv "$BUILD/initramfs.cpio.gz.new" "$BUILD/initramfs.cpio.gz"
cp "$STAGE/boot/vmlinuz-$KVER" "$BUILD/vmlinuz"
cp "$ROOT/etc/itest/versions" "$BUILD/versions"
echo "build.sh: kernel $KVER ($KPKG), $(wc -l <"$ROOT/etc/itest/modules.list") modules," \
  "initramfs $(du -h "$BUILD/initramfs.cpio.gz" | cut -f1) -> $BUILD" >&2
