#!/usr/bin/env bash
# Compares iscsi4j with tgt (the Linux SCSI target framework's userspace daemon, tgtd) on this machine. It starts
# each target in turn on its own loopback port with a LUN of LUN_MIB MiB, writes the same random data to both LUNs,
# runs the same unmodified clients against each, one target after the other (scripts/benchmark.sh), and writes
# the tables to OUTDIR/report.md (scripts/compare-report.py):
#   matrix    iscsi-perf sequential reads and 4 KiB random reads, qemu-img bench sequential reads and writes, at
#             4 KiB, 256 KiB and 1 MiB and QD 1 and 32: IOPS of both targets, the ratio iscsi4j / tgt per cell,
#             the median ratio and the lowest cell; the target's CPU microseconds per operation, and their ratio
#   sweep     the same workloads at QD 1 2 4 8 16 32 64: per block size, QD 32 throughput as a fraction of the
#             best depth's (matrix and sweep share one pass over the union of their queue depths)
#   sessions  N = 1, 4, 16 and 64 iscsi-perf processes at once, each its own initiator and session, 4 KiB random
#             reads at QD 32 for SESSION_SECS: their aggregate IOPS, the ratio, and whether 64 sessions do at least
#             as well as 16
#   memory    the target process's VmRSS and VmHWM, sampled while the LUN is written, during and after the
#             matrix and during each sessions run; for iscsi4j's RAM disk, peak RSS minus the LUN's size
#   ceiling   loopback TCP throughput of one iperf3 stream, and 256 KiB and 1 MiB QD 32 reads and writes as a
#             fraction of it
# tgt serves a fully allocated file in SHM_DIR (tmpfs) through its rdwr backing store; iscsi4j is the demo jar.
# With ISCSI4J_BACKING=rbd both serve a Ceph RBD image instead, each its own image of LUN_MIB in RBD_POOL of the
# cluster CEPH_CONF names (tgt through its rbd backing store, package tgt-rbd; iscsi4j with --rbd); the images are
# created at the start and removed at the end.
#
# Usage: scripts/compare.sh OUTDIR
#   OUTDIR  receives report.md, notes.txt (problems met), and per target (tgt/, iscsi4j/) the target's log,
#           memory.csv and each benchmark.sh output directory; ceiling/ holds iperf3's JSON
# Environment: PARTS ("matrix sweep sessions memory ceiling"), TARGETS ("tgt iscsi4j"), REPS (3), BENCH_SECS (5),
#   LUN_MIB (1024), BLOCK_SIZES ("4096 262144 1048576"), MATRIX_DEPTHS ("1 32"), SWEEP_DEPTHS ("1 2 4 8 16 32 64"),
#   SESSIONS ("1 4 16 64"), SESSION_SECS (15: long, so that the time 64 logins take matters little),
#   SETTLE_SECS (5: sampled idle time after the matrix), SAMPLE_SECS (0.5),
#   DEMO_JAR (examples/target/iscsi4j-demo.jar), JAVA (java), ISCSI4J_BACKING (memory: the demo's RAM disk, in
#   the Java heap; file: a fully allocated file in SHM_DIR, like tgt's; rbd: see above), RBD_POOL (rbd),
#   ISCSI4J_JAVA_OPTS (-Xmx512m, plus LUN_MIB
#   with the RAM disk, which lives in the heap), ISCSI4J_PORT (3271), TGT_PORT (3270), TGT_CONTROL_PORT (3270),
#   IPERF_PORT (5270), SHM_DIR (/dev/shm).
#
# It builds nothing: build the demo jar first. It needs tgt, libiscsi-bin, qemu-utils, qemu-block-extra, iperf3
# and python3, serves loopback addresses only, and stops everything it started when it exits. Run it on an
# otherwise idle machine; at the defaults it takes about 50 minutes (two passes of about 19 minutes over 70
# points, about 7 minutes of sessions runs in all).
set -euo pipefail

usage() { echo "usage: $0 OUTDIR" >&2; exit 2; }
[[ $# -eq 1 ]] || usage
out=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

parts=" ${PARTS:-matrix sweep sessions memory ceiling} "
targets=${TARGETS:-"tgt iscsi4j"}
reps=${REPS:-3}
secs=${BENCH_SECS:-5}
lun_mib=${LUN_MIB:-1024}
sizes=${BLOCK_SIZES:-"4096 262144 1048576"}
matrix_depths=${MATRIX_DEPTHS:-"1 32"}
sweep_depths=${SWEEP_DEPTHS:-"1 2 4 8 16 32 64"}
session_counts=${SESSIONS:-"1 4 16 64"}
session_secs=${SESSION_SECS:-15}
settle=${SETTLE_SECS:-5}
sample=${SAMPLE_SECS:-0.5}
demo_jar=${DEMO_JAR:-$root/examples/target/iscsi4j-demo.jar}
java=${JAVA:-java}
backing=${ISCSI4J_BACKING:-memory}
if [[ $backing == memory ]]; then default_heap=$((lun_mib + 512)); else default_heap=512; fi
read -r -a java_opts <<<"${ISCSI4J_JAVA_OPTS:-"-Xmx${default_heap}m"}"
iscsi4j_port=${ISCSI4J_PORT:-3271}
tgt_port=${TGT_PORT:-3270}
tgt_control=${TGT_CONTROL_PORT:-3270}
iperf_port=${IPERF_PORT:-5270}
shm=${SHM_DIR:-/dev/shm}
tgt_iqn=iqn.2026-11.io.iscsi4j:compare-tgt
iscsi4j_iqn=iqn.2026-11.io.iscsi4j:demo
prefix=iqn.2026-11.io.iscsi4j:bench

has() { [[ $parts == *" $1 "* ]]; }
die() { echo "$0: $*" >&2; exit 1; }
log() { echo "== $(date +%T) $*"; }
note() { echo "$0: $1: $2" >&2; echo "$1: $2" >>"$out/notes.txt"; }

[[ $backing == memory || $backing == file || $backing == rbd ]] ||
  die "ISCSI4J_BACKING is memory, file or rbd, not $backing"
rbd_pool=${RBD_POOL:-rbd}
if [[ $backing == rbd ]]; then
  [[ -n ${CEPH_CONF:-} && -r $CEPH_CONF ]] || die "ISCSI4J_BACKING=rbd needs CEPH_CONF (scripts/ceph-cluster.sh up DIR)"
  command -v rbd >/dev/null || die "rbd not found: apt-get install ceph-common"
fi
for tool in tgtd tgtadm iscsi-perf iscsi-readcapacity16 qemu-img iperf3 python3 ss fallocate; do
  command -v "$tool" >/dev/null ||
    die "$tool not found: apt-get install tgt libiscsi-bin qemu-utils qemu-block-extra iperf3 python3 iproute2"
done
[[ $targets != *iscsi4j* || -f $demo_jar ]] || die "no demo jar at $demo_jar: build it first, or set DEMO_JAR"
for port in "$iscsi4j_port" "$tgt_port" "$iperf_port"; do
  [[ -z $(ss -Hltn "sport = :$port") ]] || die "port $port is already in use; choose others (ISCSI4J_PORT, TGT_PORT, IPERF_PORT)"
done
[[ ! -e /var/run/tgtd/socket.$tgt_control ]] || ! tgtadm -C "$tgt_control" --lld iscsi --op show --mode target >/dev/null 2>&1 ||
  die "a tgtd already answers on control port $tgt_control; choose another TGT_CONTROL_PORT"

mkdir -p "$out"
rm -f "$out/notes.txt" "$out/report.md"
touch "$out/notes.txt"
rand=$shm/iscsi4j-compare-$$-random.img
tgt_file=$shm/iscsi4j-compare-$$-tgt.img
iscsi4j_file=$shm/iscsi4j-compare-$$-iscsi4j.img
tgt_image=iscsi4j-compare-$$-tgt
iscsi4j_image=iscsi4j-compare-$$-iscsi4j
phase_file=$out/.phase

# Everything started here is stopped by its PID on exit, whatever the exit.
target_pid=""
sampler_pid=""
iperf_pid=""
child_pid=""
stop_pid() { # stop_pid PID SIGNAL SECONDS: the signal, then SIGKILL after SECONDS
  local pid=$1 i
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill "-$2" "$pid" 2>/dev/null || true
  for ((i = 0; i < $3 * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
stop_target() {
  # tgtd ignores SIGTERM; SIGINT ends it. The demo stops on SIGTERM.
  if [[ -n $target_pid ]]; then
    if [[ $current == tgt ]]; then stop_pid "$target_pid" INT 5; else stop_pid "$target_pid" TERM 15; fi
  fi
  target_pid=""
  if [[ $current == tgt ]]; then rm -f "/var/run/tgtd/socket.$tgt_control" "/var/run/tgtd/socket.$tgt_control.lock"; fi
}
cleanup() {
  stop_pid "$child_pid" TERM 15
  stop_pid "$sampler_pid" TERM 1
  stop_pid "$iperf_pid" TERM 5
  stop_target
  rm -f "$rand" "$tgt_file" "$iscsi4j_file" "$phase_file" "$phase_file.new"
  if [[ $backing == rbd ]]; then
    timeout 120 rbd rm --no-progress "$rbd_pool/$tgt_image" >/dev/null 2>&1 || true
    timeout 120 rbd rm --no-progress "$rbd_pool/$iscsi4j_image" >/dev/null 2>&1 || true
  fi
}
current=""
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# bounded SECONDS COMMAND...: the command under timeout, in the background so that a signal here is handled at once
# (cleanup stops it); timeout passes SIGTERM on to its command and kills it 10 s after SECONDS if need be.
bounded() {
  local s=$1 rc=0; shift
  timeout --kill-after=10 "$s" "$@" &
  child_pid=$!
  wait "$child_pid" || rc=$?
  child_pid=""
  return "$rc"
}

{
  echo "started=$(date -Is)"
  echo "parts=${parts# }"; echo "targets=$targets"; echo "reps=$reps"; echo "secs=$secs"; echo "lun_mib=$lun_mib"
  echo "sizes=$sizes"; echo "matrix_depths=$matrix_depths"; echo "sweep_depths=$sweep_depths"
  echo "sessions=$session_counts"; echo "session_secs=$session_secs"; echo "backing=$backing"; echo "java_opts=${java_opts[*]}"
  echo "sample=$sample"; echo "settle=$settle"
  echo "machine=$(uname -sr), $(nproc) CPUs, $(awk '/^MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo)"
  echo "tgt=$(tgtd --version 2>&1 | head -1)"
  echo "libiscsi=$(dpkg-query -W -f='${Version}' libiscsi-bin 2>/dev/null || echo unknown)"
  echo "qemu=$(qemu-img --version | head -1)"
  echo "iperf3=$(iperf3 --version | head -1)"
  echo "java=$("$java" -version 2>&1 | head -1)"
  echo "demo_jar=${demo_jar#"$root/"}"
} >"$out/compare.env"

phase() { echo "$1" >"$phase_file.new" && mv "$phase_file.new" "$phase_file"; } # whole, for the sampler
phase idle

# sampler PID CSV: the process's VmRSS and VmHWM (KiB) with the current phase, every SAMPLE_SECS until it ends.
sampler() {
  local pid=$1 csv=$2 key value rss hwm
  echo "time,phase,vmrss_kib,vmhwm_kib" >"$csv"
  while [[ -r /proc/$pid/status ]]; do
    rss=""; hwm=""
    while read -r key value _; do
      case $key in VmRSS:) rss=$value ;; VmHWM:) hwm=$value ;; esac
    done <"/proc/$pid/status" || break
    echo "$EPOCHREALTIME,$(<"$phase_file"),$rss,$hwm" >>"$csv"
    sleep "$sample"
  done
}

# ready URL NAME: waits up to 60 s for the LUN to answer READ CAPACITY while the target process lives.
ready() {
  local i
  for ((i = 0; i < 60; i++)); do
    kill -0 "$target_pid" 2>/dev/null || { note "$2" "the target exited at start; see $2/target.log"; return 1; }
    timeout 5 iscsi-readcapacity16 "$1" >/dev/null 2>&1 && return 0
    sleep 1
  done
  note "$2" "the LUN did not answer within 60 s of the start; see $2/target.log"; return 1
}

adm() { timeout 10 tgtadm -C "$tgt_control" --lld iscsi "$@"; }

start_tgt() { # sets target_pid and url
  local dir=$out/tgt i
  local store=(--bstype rdwr -b "$tgt_file")
  if [[ $backing == rbd ]]; then
    timeout 60 rbd create --size "${lun_mib}M" "$rbd_pool/$tgt_image" || { note tgt "rbd create failed"; return 1; }
    store=(--bstype rbd -b "$rbd_pool/$tgt_image" --bsopts "conf=$CEPH_CONF")
  else
    fallocate -l $((lun_mib * 1048576)) "$tgt_file"
  fi
  mkdir -p /var/run/tgtd
  # tgtd ignores SIGTERM and stops on SIGINT, which a shell ignores in what it starts in the background: restore it
  local restore=(env --default-signal=INT)
  "${restore[@]}" true 2>/dev/null || restore=()
  "${restore[@]}" tgtd -f -C "$tgt_control" --iscsi "portal=127.0.0.1:$tgt_port" >"$dir/target.log" 2>&1 &
  target_pid=$!
  for ((i = 0; i < 100; i++)); do
    adm --op show --mode target >/dev/null 2>&1 && break
    kill -0 "$target_pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! { adm --op new --mode target --tid 1 -T "$tgt_iqn" &&
    adm --op new --mode logicalunit --tid 1 --lun 1 "${store[@]}" &&
    adm --op bind --mode target --tid 1 -I ALL; }; then
    note tgt "tgtadm could not set up the target; see tgt/target.log"; return 1
  fi
  url=iscsi://127.0.0.1:$tgt_port/$tgt_iqn/1
  ready "$url" tgt
}

start_iscsi4j() { # sets target_pid and url
  local args=(--portal "127.0.0.1:$iscsi4j_port" --iqn "$iscsi4j_iqn")
  if [[ $backing == rbd ]]; then
    timeout 60 rbd create --size "${lun_mib}M" "$rbd_pool/$iscsi4j_image" || { note iscsi4j "rbd create failed"; return 1; }
    args+=(--rbd "$rbd_pool/$iscsi4j_image" --ceph-conf "$CEPH_CONF")
  else
    args+=(--size "${lun_mib}M")
  fi
  if [[ $backing == file ]]; then
    fallocate -l $((lun_mib * 1048576)) "$iscsi4j_file"
    args+=(--file "$iscsi4j_file")
  fi
  "$java" "${java_opts[@]}" -jar "$demo_jar" "${args[@]}" >"$out/iscsi4j/target.log" 2>&1 &
  target_pid=$!
  url=iscsi://127.0.0.1:$iscsi4j_port/$iscsi4j_iqn/0
  ready "$url" iscsi4j
}

# bench NAME DIR [VAR=VALUE...]: scripts/benchmark.sh against the current target with CPU sampling.
bench() {
  local name=$1 dir=$2; shift 2
  local rc=0
  env REPS="$reps" BENCH_SECS="$secs" BLOCK_SIZES="$sizes" TARGET_PID="$target_pid" INITIATOR_PREFIX="$prefix" "$@" \
    "$here/benchmark.sh" "$url" "$dir" &
  child_pid=$!
  wait "$child_pid" || rc=$?
  child_pid=""
  ((rc == 0)) || note "$name" "benchmark.sh failed in ${dir#"$out/"}; see its output above"
  kill -0 "$target_pid" 2>/dev/null || { note "$name" "the target exited during ${dir#"$out/"}; see $name/target.log"; return 1; }
}

if has ceiling; then
  log "ceiling: iperf3, one stream over loopback, $reps x $secs s"
  mkdir -p "$out/ceiling"
  iperf3 -s -B 127.0.0.1 -p "$iperf_port" >"$out/ceiling/iperf3-server.log" 2>&1 &
  iperf_pid=$!
  for ((i = 0; i < 50; i++)); do [[ -n $(ss -Hltn "sport = :$iperf_port") ]] && break; sleep 0.1; done
  for run in $(seq "$reps"); do
    bounded $((secs + 30)) iperf3 -c 127.0.0.1 -p "$iperf_port" -t "$secs" -J \
      >"$out/ceiling/iperf3-$run.json" 2>&1 || note ceiling "iperf3 run $run failed; see ceiling/iperf3-$run.json"
  done
  stop_pid "$iperf_pid" TERM 5; iperf_pid=""
fi

measure=""
has matrix && measure+=" $matrix_depths"
has sweep && measure+=" $sweep_depths"
depths=$(tr ' ' '\n' <<<"$measure" | sed '/^$/d' | sort -n -u | tr '\n' ' ')
if [[ -n $depths ]] || has sessions || has memory; then
  log "random data for both LUNs: $lun_mib MiB"
  bounded 300 head -c "${lun_mib}M" /dev/urandom >"$rand"
fi

for current in $targets; do
  case $current in tgt | iscsi4j) ;; *) die "unknown target $current: TARGETS holds tgt and iscsi4j" ;; esac
  [[ -n $depths ]] || has sessions || has memory || continue
  rm -rf "${out:?}/$current"; mkdir -p "$out/$current"
  log "$current: start"
  if ! "start_$current"; then stop_target; continue; fi
  phase start
  if has memory; then sampler "$target_pid" "$out/$current/memory.csv" & sampler_pid=$!; fi
  log "$current: write the random data to $url"
  phase prewrite
  if ! bounded 900 qemu-img convert -n -f raw -O raw "$rand" "$url" >"$out/$current/prewrite.log" 2>&1; then
    note "$current" "writing the random data failed, so nothing was measured; see $current/prewrite.log"
    stop_pid "$sampler_pid" TERM 1; sampler_pid=""; stop_target; continue
  fi
  alive=true
  if [[ -n $depths ]]; then
    log "$current: matrix, QD $depths"
    phase matrix
    bench "$current" "$out/$current/matrix" QUEUE_DEPTHS="$depths" || alive=false
    phase after-matrix
    $alive && sleep "$settle"
  fi
  if $alive && has sessions; then
    offset=$(stat -c %s "$out/$current/target.log")
    for n in $session_counts; do
      log "$current: $n sessions"
      phase "sessions-$n"
      bench "$current" "$out/$current/sessions-$n" MODE=sessions SESSIONS="$n" BENCH_SECS="$session_secs" ||
        { alive=false; break; }
    done
    # The demo logs every login and reinstatement; tgtd logs neither at its default level.
    if [[ $current == iscsi4j ]]; then
      logins=$(tail -c +$((offset + 1)) "$out/$current/target.log" | grep -c "normal session .* of $prefix-s" || true)
      again=$(tail -c +$((offset + 1)) "$out/$current/target.log" | grep -c "reinstating session" || true)
      expected=0; for n in $session_counts; do expected=$((expected + n * reps)); done
      echo "logins=$logins expected=$expected reinstatements=$again" >"$out/$current/sessions-check.txt"
      ((logins == expected)) || note "$current" "$logins sessions logged in during the sessions runs, $expected expected"
      ((again == 0)) || note "$current" "$again sessions were reinstated during the sessions runs: initiator names collided"
    fi
  fi
  phase idle
  stop_pid "$sampler_pid" TERM 1; sampler_pid=""
  log "$current: stop"
  stop_target
done
rm -f "$rand"

python3 "$here/compare-report.py" "$out" >"$out/report.md"
cat "$out/report.md"
