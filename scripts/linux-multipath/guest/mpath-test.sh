#!/bin/sh
# mpath-test.sh - dm-multipath over two iSCSI gateways, inside the test guest (busybox ash, run by /init).
#
# The host forwards two portals of the same target: A at 10.0.2.100:3260 and B at 10.0.2.101:3260 (two gateways
# serving the same storage, each its own target port group / portal group tag). The test logs in to both, expects
# dm-multipath (multipathd, udev) to build ONE map with two paths, the ALUA hardware handler and ALUA priorities,
# writes and checks data and an ext4 file system through /dev/mapper/<map>, then prints "MPATH-READY" on the
# console and keeps an O_DIRECT+fsync writer going (one line per completed 1 MiB write with its time) while the
# host kills gateway A; afterwards everything is read back and checked, and e2fsck -fn must be clean.
#
#   /itest.sh                 run every step
#   /itest.sh --step NAME     run one step (used internally, each step in its own process under `timeout`)
#
# Output (serial console):
#   MPATH step=NAME result=PASS|FAIL|SKIP ms=N info="..."     one line per check, then the step's log ("  |NAME| ...")
#   MPATH-W n=I t=MS                                           each completed failover write (ms since boot)
#   MPATH-RESULT PASS|FAIL passed=N failed=N skipped=N [failed_steps=a,b] pause_ms=N
# Configuration: /etc/itest/config (KEY=VALUE lines written by /init from the kernel command line).
# shellcheck disable=SC2086 # $W, device and file names here never hold spaces or glob characters
export PATH=/sbin:/bin
export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu
W=/tmp/itest
mkdir -p $W

# ---------- configuration
C_TARGET='' C_INITIATOR=iqn.1993-08.org.debian:01:linux-guest C_PORTAL_A=10.0.2.100:3260 C_PORTAL_B=10.0.2.101:3260
C_REPL_TIMEOUT=5 C_ISCSID_DEBUG=1 C_FO_WINDOW=120 C_FO_AFTER=20 C_NO_PATH_RETRY=12 C_FILE_MIB=8
while IFS= read -r line; do
  k=${line%%=*}
  # shellcheck disable=SC2034 # used by the eval
  v=${line#*=}
  case $k in '' | *[!A-Z0-9_]*) continue ;; esac
  eval "C_$k=\$v"
done </etc/itest/config
T=$C_TARGET
PA=$C_PORTAL_A
PB=$C_PORTAL_B

ms() { # milliseconds since boot (10 ms resolution)
  read -r up _ </proc/uptime
  s=${up%.*}
  f=${up#*.}
  echo $((s * 1000 + 1${f}0 - 1000))
}
info() { echo "$*" >$W/$STEP.info; echo "info: $*"; }
fail() { echo "FAIL: $*"; echo "$*" >$W/$STEP.info; exit 1; }
t() { # t SECS CMD...: run CMD bounded; prints the command and its exit status
  t_lim=$1
  shift
  echo "+ $*"
  t_0=$(ms)
  timeout -s KILL "$t_lim" "$@"
  t_rc=$?
  [ $t_rc = 137 ] && echo "!! timed out after ${t_lim}s: $*"
  echo "= exit $t_rc, $(($(ms) - t_0)) ms"
  return $t_rc
}
sha_of() { sha256sum | cut -c1-64; }
map_name() { cat $W/map 2>/dev/null; }
mapdev() { echo "/dev/mapper/$(map_name)"; }
session_disks() { # "sid portal sdX" per iSCSI session
  for s in /sys/class/iscsi_session/session*; do
    [ -e "$s" ] || continue
    sid=${s##*session}
    addr=
    for c in /sys/class/iscsi_connection/connection"$sid":*; do
      addr=$(cat "$c/persistent_address" 2>/dev/null)
      break
    done
    for b in "$s"/device/target*/*:*:*:*/block/*; do
      [ -e "$b" ] && echo "$sid $addr ${b##*/}"
    done
  done
}
umnt() {
  for _ in 1 2 3 4 5; do
    t 120 umount /mnt && return 0
    grep -q ' /mnt ' /proc/mounts || return 1
    sleep 1
  done
  return 1
}
mp_ll() { timeout -s KILL 30 multipath -ll 2>&1; }

# ---------- steps (each in its own process; exit 0 PASS, 77 SKIP, other FAIL)
step_daemons() {
  [ -d /sys/class/iscsi_transport/tcp ] || fail "iscsi_tcp transport not registered"
  for p in iscsid udevd; do
    pid=$(cat $W/$p.pid 2>/dev/null)
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then fail "$p not running"; fi
  done
  grep -q '^dm_multipath ' /proc/modules || fail "dm_multipath not loaded"
  [ -e /sys/module/scsi_dh_alua ] || fail "scsi_dh_alua not loaded"
  info "iscsid, udevd running; dm_multipath, dm_round_robin, scsi_dh_alua loaded"
}

step_login() {
  # SendTargets through each portal: the TPGT of each gateway; then a hand-made node record per portal
  res=
  for x in A B; do
    eval p=\$P$x
    out=$(t 60 iscsiadm -m discovery -t sendtargets -p "$p" 2>&1)
    r=$?
    echo "$out"
    [ $r = 0 ] || fail "discovery through $p failed rc=$r"
    line=$(echo "$out" | grep -E "[ ]$T\$" | head -n 1)
    [ -n "$line" ] || fail "target $T not listed through $p"
    tp=${line%% *}
    echo "${tp##*,}" >$W/tpgt.$x
    t 20 iscsiadm -m node -o delete >/dev/null 2>&1
    res="$res $x:$p(tpgt ${tp##*,}, listed as $tp)"
  done
  [ "$(cat $W/tpgt.A)" != "$(cat $W/tpgt.B)" ] || fail "both portals report the same TPGT $(cat $W/tpgt.A):$res"
  for x in A B; do
    eval p=\$P$x
    t 20 iscsiadm -m node -o new -T "$T" -p "$p,$(cat $W/tpgt.$x)" || fail "cannot create the node record for $p"
    t 150 iscsiadm -m node -T "$T" -p "$p" --login || fail "login through $p failed: $(tail -n 3 /tmp/iscsid.log | tr '\n' ' ')"
  done
  n=0
  while [ $n -lt 60 ] && [ "$(session_disks | wc -l)" -lt 2 ]; do sleep 1; n=$((n + 1)); done
  session_disks | tee $W/disks
  [ "$(wc -l <$W/disks)" = 2 ] || fail "expected 2 disks (one per session), got $(wc -l <$W/disks)"
  t 60 udevadm settle
  timeout 20 iscsiadm -m session
  info "two sessions, one per portal:$res; disks $(awk '{print $3}' $W/disks | tr '\n' ' ')"
}

step_multipath() {
  # multipathd (started at boot, find_multipaths no) builds the map from udev's path events; wait for it
  n=0
  while [ $n -lt 60 ]; do
    out=$(timeout -s KILL 20 multipath -l -v1 2>/dev/null)
    [ -n "$out" ] && break
    sleep 1
    n=$((n + 1))
  done
  t 60 udevadm settle
  ll=$(mp_ll)
  echo "$ll" | tee $W/mp-ll.before | sed 's/^/multipath -ll: /'
  nmaps=$(timeout -s KILL 20 multipath -l -v1 2>/dev/null | grep -c .)
  if [ "$nmaps" != 1 ]; then
    echo "multipathd: $(pidof multipathd || echo 'not running')"
    timeout -s KILL 60 multipath -v3 2>&1 | tail -n 80 | sed 's/^/multipath -v3: /'
    while read -r _ _ d; do udevadm info -q property -n /dev/$d | sed "s/^/udev $d: /"; done <$W/disks
    fail "expected one multipath map, got $nmaps"
  fi
  map=$(timeout -s KILL 20 multipath -l -v1 2>/dev/null | head -n 1)
  echo "$map" >$W/map
  [ -b "/dev/mapper/$map" ] || fail "/dev/mapper/$map missing"
  npaths=$(echo "$ll" | grep -cE '[0-9]+:[0-9]+:[0-9]+:[0-9]+ +sd[a-z]+ ')
  [ "$npaths" = 2 ] || fail "map $map has $npaths path(s), expected 2"
  nready=$(echo "$ll" | grep -cE 'sd[a-z]+ +[0-9]+:[0-9]+ +active +ready +running')
  [ "$nready" = 2 ] || fail "$nready of 2 paths active ready running"
  echo "$ll" | grep -q "hwhandler='1 alua'" || fail "hardware handler is not '1 alua'"
  while read -r _ _ d; do
    h=$(cat /sys/block/$d/device/dh_state 2>/dev/null)
    echo "$d: dh_state=$h access_state=$(cat /sys/block/$d/device/access_state 2>/dev/null) preferred_path=$(cat /sys/block/$d/device/preferred_path 2>/dev/null)"
    [ "$h" = alua ] || fail "$d: device handler '$h', expected alua"
  done <$W/disks
  cfg=$(timeout -s KILL 20 multipathd show config local 2>/dev/null)
  [ -n "$cfg" ] || cfg=$(timeout -s KILL 20 multipath -t 2>/dev/null)
  echo "$cfg" | awk '/vendor "ISCSI4J"/,/}/' | sed 's/^/config: /'
  topo=$(timeout -s KILL 20 multipathd show paths format "%d %i %t %T %p %s %P" 2>/dev/null)
  echo "$topo" | sed 's/^/multipathd paths: /'
  pol=$(timeout -s KILL 20 multipathd show maps format "%n %w %N %Q %e %h %s" 2>/dev/null)
  echo "$pol" | sed 's/^/multipathd maps: /'
  # the table the kernel was given: path selector, hardware handler, groups and the priorities behind them
  tbl=$(timeout -s KILL 20 dmsetup table "$map")
  echo "dmsetup table: $tbl"
  echo "$tbl" | grep -q ' multipath ' || fail "dm table is not a multipath target"
  echo "$tbl" | grep -q '1 alua' || fail "dm table has no '1 alua' hardware handler"
  echo "$cfg" | awk '/vendor "ISCSI4J"/,/}/' | grep -q 'path_grouping_policy "*group_by_prio' || fail "device section not applied (group_by_prio)"
  prios=$(echo "$ll" | sed -n "s/.*policy='[^']*' prio=\([0-9-]*\) status=\([a-z]*\).*/\1:\2/p" | tr '\n' ' ')
  ng=$(echo "$ll" | grep -c "policy=")
  echo "$prios" | grep -qE '(^| )-1:' && fail "a path group has prio -1 (prio alua failed)"
  echo "$prios" | grep -qE '(^| )0:' && fail "a path group has prio 0: $prios"
  dmesg | grep -E 'alua' | sed 's/^/kernel: /'
  info "one map $map ($(echo "$ll" | head -n 1 | cut -c1-80)), 2 paths active ready, hwhandler '1 alua', $ng path group(s) by ALUA prio (prio:status $prios)"
}

step_rawio() {
  d=$(mapdev)
  t 60 dd if=/dev/urandom of=$W/raw.src bs=1M count=16 2>/dev/null
  want=$(sha_of <$W/raw.src)
  t 120 dd if=$W/raw.src of="$d" bs=1M count=16 seek=300 oflag=direct conv=fsync 2>/dev/null || fail "O_DIRECT write to $d failed"
  got=$(timeout -s KILL 120 dd if="$d" bs=1M count=16 skip=300 iflag=direct 2>/dev/null | sha_of)
  [ "$got" = "$want" ] || fail "read back through $d: sha256 mismatch"
  # each gateway serves the same image: the same bytes through each path on its own
  res=
  while read -r sid addr sd; do
    g=$(timeout -s KILL 120 dd if=/dev/$sd bs=1M count=16 skip=300 iflag=direct 2>/dev/null | sha_of)
    [ "$g" = "$want" ] || fail "read through path $sd (session $sid, $addr): sha256 mismatch"
    res="$res $sd(ok)"
  done <$W/disks
  echo "$want" >$W/raw.sha
  info "16 MiB written through $d with O_DIRECT (sha256 ${want%"${want#????????????}"}...), read back through the map and through each path:$res"
}

step_fs() {
  d=$(mapdev)
  t 180 mkfs.ext4 -q -F -E nodiscard "$d" || fail "mkfs.ext4 on $d failed"
  t 60 mount -t ext4 "$d" /mnt || fail "mount failed"
  mkdir -p /mnt/data
  : >$W/manifest
  i=0
  while [ $i -lt 24 ]; do
    kb=$(( (i * 37 % 29 + 1) * 16 ))
    dd if=/dev/urandom of=/mnt/data/f$i.bin bs=1K count=$kb 2>/dev/null || fail "write f$i failed"
    i=$((i + 1))
  done
  dd if=/dev/urandom of=/mnt/data/big.bin bs=1M count="$C_FILE_MIB" 2>/dev/null || fail "write big.bin failed"
  t 60 sync || fail "sync failed"
  (cd /mnt/data && sha256sum ./*.bin) >$W/manifest
  n=$(wc -l <$W/manifest)
  umnt || fail "umount failed"
  t 120 e2fsck -fn "$d" || fail "e2fsck -fn not clean after the first writes"
  t 60 mount -t ext4 "$d" /mnt || fail "mount again failed"
  out=$(timeout -s KILL 120 sh -c "cd /mnt/data && exec sha256sum -c $W/manifest" 2>&1) ||
    fail "files do not verify after remount: $(echo "$out" | grep -v ': OK$' | head -n 3 | tr '\n' ' ')"
  info "ext4 on $d, $n files ($((C_FILE_MIB)) MiB + 24 small) written, fsck clean, verified after remount"
}

step_failover() {
  d=$(mapdev)
  grep -q ' /mnt ' /proc/mounts || fail "file system not mounted"
  t 60 dd if=/dev/urandom of=$W/fo.src bs=1M count=16 2>/dev/null
  i=0
  while [ $i -lt 16 ]; do
    dd if=$W/fo.src bs=1M skip=$i count=1 2>/dev/null | sha_of >$W/fo.sha.$i
    i=$((i + 1))
  done
  ngone0=$(dmesg | grep -c 'Failing path')
  fails0=$(dmesg | grep -cE 'EXT4-fs (error|warning)|Buffer I/O error on dev dm-')
  # to the console directly (this step's stdout goes to its log): the host kills gateway A a fixed time after this
  echo "MPATH-READY t=$(ms)" >/dev/console
  # once a second: the state of each path device, what is in flight where, and the map's status
  (
    while :; do
      l="$(ms)"
      for b in $(awk '{print $3}' $W/disks) dm-0; do
        l="$l $b:$(cat /sys/block/$b/device/state 2>/dev/null || echo -)/$(tr -s ' ' <"/sys/block/$b/inflight" | sed 's/^ //; s/ /+/')"
      done
      st=$(timeout 5 dmsetup status "$(map_name)" 2>/dev/null | cut -d' ' -f4-)
      su=$(timeout 5 dmsetup info -c --noheadings -o suspended "$(map_name)" 2>/dev/null)
      echo "$l map:$su $st"
      sleep 1
    done
  ) >$W/fo.mon 2>&1 &
  mon=$!
  t0=$(ms)
  i=0
  after=0
  failed_at=
  prev=$t0
  : >$W/fo.times
  while :; do
    timeout -s KILL 300 dd if=$W/fo.src of=/mnt/fo.bin bs=1M count=1 skip=$((i % 16)) seek=$i oflag=direct conv=notrunc,fsync 2>/dev/null
    r=$?
    now=$(ms)
    [ $r = 0 ] || { echo "MPATH-W n=$i t=$now FAILED rc=$r" >/dev/console; echo "write of chunk $i failed rc=$r"; break; }
    echo "MPATH-W n=$i t=$now dt=$((now - prev))" >/dev/console
    echo "$i $now $((now - prev))" >>$W/fo.times
    prev=$now
    i=$((i + 1))
    if [ -z "$failed_at" ] && [ "$(dmesg | grep -c 'Failing path')" -gt "$ngone0" ]; then
      failed_at=$i
      echo "path failure seen in the kernel log after chunk $i, $((now - t0)) ms after MPATH-READY"
    fi
    [ -n "$failed_at" ] && after=$((after + 1))
    [ $after -ge "$C_FO_AFTER" ] && break
    [ $((now - t0)) -gt $((C_FO_WINDOW * 1000)) ] && break
  done
  kill $mon 2>/dev/null
  echo "$i chunks written in $(($(ms) - t0)) ms"
  sed 's/^/monitor (ms path:state\/inflight-r+w): /' $W/fo.mon
  # the longest pause between two completed writes, and the writes around it
  gap=$(sort -k3 -n $W/fo.times | tail -n 1)
  echo "$gap" >$W/fo.gap
  gi=${gap%% *}
  echo "longest pause: ${gap##* } ms before the completion of chunk $gi; completions around it (chunk ms-since-boot gap-ms):"
  awk -v g="$gi" '$1 >= g - 3 && $1 <= g + 3' $W/fo.times | sed 's/^/  /'
  dmesg | grep -E 'multipath|alua|connection[0-9]|session[0-9]|conn error|Failing|reinstat|I/O error|rejecting' | tail -n 40 | sed 's/^/kernel: /'
  mp_ll | tee $W/mp-ll.after | sed 's/^/multipath -ll after: /'
  for s in /sys/class/iscsi_session/session*; do echo "${s##*/}: $(cat $s/state 2>/dev/null) $(cat /sys/class/iscsi_connection/connection${s##*session}:*/persistent_address 2>/dev/null)"; done
  [ -n "$failed_at" ] || fail "no path failure seen within ${C_FO_WINDOW}s of MPATH-READY (was gateway A killed?)"
  [ $r = 0 ] || fail "a write failed during failover (chunk $i, rc $r)"
  echo 3 >/proc/sys/vm/drop_caches
  j=0
  badc=0
  while [ $j -lt $i ]; do
    got=$(timeout -s KILL 60 dd if=/mnt/fo.bin bs=1M skip=$j count=1 iflag=direct 2>/dev/null | sha_of)
    [ "$got" = "$(cat $W/fo.sha.$((j % 16)))" ] || { badc=$((badc + 1)); echo "chunk $j mismatch"; }
    j=$((j + 1))
  done
  [ $badc = 0 ] || fail "$badc of $i chunks written across the failover read back wrong"
  fails1=$(dmesg | grep -cE 'EXT4-fs (error|warning)|Buffer I/O error on dev dm-')
  [ "$fails1" -le "$fails0" ] || fail "errors on the multipath device / ext4: $(dmesg | grep -E 'EXT4-fs (error|warning)|Buffer I/O error on dev dm-' | tail -n 2 | tr '\n' ' ')"
  info "gateway A gone mid-write (path failed after chunk $failed_at); $i MiB written with O_DIRECT+fsync, none failed, all read back right; longest pause ${gap##* } ms (before chunk $gi)"
}

step_after() {
  d=$(mapdev)
  ll=$(cat $W/mp-ll.after 2>/dev/null)
  [ -n "$ll" ] || ll=$(mp_ll)
  echo "$ll"
  live=$(echo "$ll" | grep -cE 'sd[a-z]+ +[0-9]+:[0-9]+ +active +ready +running')
  failedp=$(echo "$ll" | grep -cE 'sd[a-z]+ +[0-9]+:[0-9]+ +failed')
  [ "$live" = 1 ] || fail "expected exactly one live path after the kill, got $live (failed $failedp)"
  [ "$failedp" = 1 ] || fail "expected the path through gateway A failed, got $failedp failed path(s)"
  out=$(timeout -s KILL 240 sh -c "cd /mnt/data && exec sha256sum -c $W/manifest" 2>&1)
  r=$?
  [ $r = 0 ] || fail "files written before the kill do not verify: $(echo "$out" | grep -v ': OK$' | head -n 3 | tr '\n' ' ')"
  umnt || fail "umount failed"
  t 240 e2fsck -fn "$d"
  fr=$?
  [ $fr = 0 ] || fail "e2fsck -fn after the failover not clean (exit $fr)"
  info "after the kill: 1 path live, 1 failed; $(wc -l <$W/manifest) earlier files verify; e2fsck -fn clean"
}

# ---------- driver
run_step() { # run_step NAME TIMEOUT [NEEDS...]
  name=$1
  lim=$2
  shift 2
  for need in "$@"; do
    if [ "$(cat $W/$need.result 2>/dev/null)" != PASS ]; then
      echo SKIP >$W/$name.result
      echo "MPATH step=$name result=SKIP ms=0 info=\"needs $need\""
      return
    fi
  done
  t0=$(ms)
  echo "mpath-test: step $name begin" >/dev/kmsg
  timeout -s KILL "$lim" /bin/sh /itest.sh --step "$name" >$W/$name.log 2>&1
  r=$?
  echo "mpath-test: step $name end" >/dev/kmsg
  t1=$(ms)
  case $r in
    0) res=PASS ;;
    77) res=SKIP ;;
    *) res=FAIL ;;
  esac
  [ $r = 137 ] && echo "step killed after ${lim}s" >$W/$name.info
  echo $res >$W/$name.result
  inf=$(head -n 1 $W/$name.info 2>/dev/null | tr '"' "'")
  echo "MPATH step=$name result=$res ms=$((t1 - t0)) info=\"$inf\""
  sed "s/^/  |$name| /" $W/$name.log | grep -v 'records in$\|records out$'
}

boot_setup() {
  echo "MPATH-BOOT kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) cpu, $(($(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo) / 1024)) MiB"
  sed 's/^/MPATH-VERSION /' /etc/itest/versions
  while read -r m; do
    insmod "$m" 2>$W/insmod.err || {
      grep -q 'File exists' $W/insmod.err || echo "insmod ${m##*/}: $(cat $W/insmod.err)"
    }
  done </etc/itest/modules.list
  n=0
  while [ ! -e /sys/class/net/eth0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
  ip link set lo up
  ip link set eth0 up
  ip addr add 10.0.2.15/24 dev eth0
  ip route add default via 10.0.2.2
  echo "MPATH-NET $(ip -4 addr show eth0 | grep inet | awk '{print $2}') -> portals $PA $PB"
  # udev: multipath-tools and libdevmapper depend on it (path properties, /dev/mapper nodes, cookies)
  mkdir -p /run/udev /etc/multipath /run/multipath
  /lib/systemd/systemd-udevd --daemon --resolve-names=never >/tmp/udevd.log 2>&1
  sleep 0.5
  pidof systemd-udevd >$W/udevd.pid
  udevadm trigger --type=subsystems --action=add
  udevadm trigger --type=devices --action=add
  timeout 60 udevadm settle
  cat >/etc/multipath.conf <<EOF
defaults {
    user_friendly_names yes
    find_multipaths no
    verbosity 2
    polling_interval 2
}
blacklist {
    devnode "^(ram|loop|fd|md|sr|scd|st|vd)[0-9]*"
}
devices {
    device {
        vendor "ISCSI4J"
        product "VIRTUAL-DISK"
        path_grouping_policy group_by_prio
        path_selector "round-robin 0"
        detect_prio no
        prio alua
        detect_checker no
        hardware_handler "1 alua"
        path_checker tur
        failback immediate
        no_path_retry $C_NO_PATH_RETRY
        fast_io_fail_tmo $C_REPL_TIMEOUT
        rr_min_io_rq 1
    }
}
EOF
  echo "InitiatorName=$C_INITIATOR" >/etc/iscsi/initiatorname.iscsi
  {
    echo "iscsid.startup = /bin/true"
    echo "node.startup = manual"
    echo "node.leading_login = No"
    echo "node.session.timeo.replacement_timeout = $C_REPL_TIMEOUT"
    echo "node.conn[0].timeo.login_timeout = 15"
    echo "node.conn[0].timeo.logout_timeout = 15"
    echo "node.conn[0].timeo.noop_out_interval = 5"
    echo "node.conn[0].timeo.noop_out_timeout = 5"
    echo "node.session.err_timeo.abort_timeout = 15"
    echo "node.session.err_timeo.lu_reset_timeout = 30"
    echo "node.session.err_timeo.tgt_reset_timeout = 30"
    echo "node.session.initial_login_retry_max = 2"
    echo "node.session.cmds_max = 128"
    echo "node.session.queue_depth = 32"
    echo "node.session.iscsi.InitialR2T = No"
    echo "node.session.iscsi.ImmediateData = Yes"
    echo "node.session.iscsi.FirstBurstLength = 262144"
    echo "node.session.iscsi.MaxBurstLength = 16776192"
    echo "node.conn[0].iscsi.MaxRecvDataSegmentLength = 262144"
    echo "discovery.sendtargets.iscsi.MaxRecvDataSegmentLength = 32768"
    echo "node.session.nr_sessions = 1"
    echo "node.session.iscsi.FastAbort = Yes"
    echo "node.session.scan = auto"
    echo "node.conn[0].iscsi.HeaderDigest = None"
    echo "node.conn[0].iscsi.DataDigest = None"
  } >/etc/iscsi/iscsid.conf
  iscsid -f -n -d "$C_ISCSID_DEBUG" >/tmp/iscsid.log 2>&1 &
  echo $! >$W/iscsid.pid
  n=0
  while [ $n -lt 20 ]; do
    timeout 5 iscsiadm -m iface >/dev/null 2>&1 && break
    sleep 0.5
    n=$((n + 1))
  done
  multipathd -d -v3 >/tmp/multipathd.log 2>&1 &
  echo $! >$W/multipathd.pid
}

if [ "${1:-}" = --step ]; then
  STEP=$2
  "step_$2"
  exit $?
fi

T_START=$(ms)
boot_setup
run_step daemons 30
run_step login 300 daemons
run_step multipath 180 login
run_step rawio 300 multipath
run_step fs 400 multipath
run_step failover $((C_FO_WINDOW + 400)) fs
run_step after 400 failover

pass=0 failn=0 skipn=0 failed=
for s in daemons login multipath rawio fs failover after; do
  case $(cat $W/$s.result 2>/dev/null) in
    PASS) pass=$((pass + 1)) ;;
    SKIP) skipn=$((skipn + 1)) ;;
    *) failn=$((failn + 1)); failed="$failed${failed:+,}$s" ;;
  esac
done
echo "MPATH-DMESG (multipath/ALUA/iSCSI/SCSI/ext4 lines; everything on failure)"
if [ $failn = 0 ]; then
  dmesg | grep -E 'iscsi|connection[0-9]|session[0-9]|scsi|alua|multipath|device-mapper|dm-|\[sd[a-z]|EXT4|I/O error' | sed 's/^/DMESG| /'
else
  dmesg | sed 's/^/DMESG| /'
fi
echo "MPATH-MULTIPATHD (multipathd -v3 log, lines about paths, checkers, prio and failover)"
if [ $failn = 0 ]; then
  grep -E 'alua|prio|checker|fail|reinstat|remove|add|switch|pg|tur|reload|took' /tmp/multipathd.log | tail -n 120 | sed 's/^/MULTIPATHD| /'
else
  tail -n 150 /tmp/multipathd.log | sed 's/^/MULTIPATHD| /'
  tail -n 40 /tmp/udevd.log | sed 's/^/UDEVD| /'
fi
echo "MPATH-ISCSID (last 40 lines)"
tail -n 40 /tmp/iscsid.log | sed 's/^/ISCSID| /'
gap=$(cat $W/fo.gap 2>/dev/null)
T_END=$(ms)
if [ $failn = 0 ]; then
  echo "MPATH-RESULT PASS passed=$pass failed=0 skipped=$skipn pause_ms=${gap##* } guest_ms=$((T_END - T_START))"
else
  echo "MPATH-RESULT FAIL passed=$pass failed=$failn skipped=$skipn failed_steps=$failed pause_ms=${gap##* } guest_ms=$((T_END - T_START))"
fi
