#!/usr/bin/env bash
# Measures one LUN with unmodified initiators, so that any two targets can be compared side by side:
#   iscsi-perf (libiscsi-bin): sequential reads, and random reads at 4 KiB, for a fixed time;
#   qemu-img bench (qemu-utils, qemu-block-extra): sequential reads and writes, a request count sized for about
#   BENCH_SECS seconds by a short calibration run.
# Block sizes 4 KiB, 256 KiB and 1 MiB; queue depths 1 and 32; each point REPS times; medians reported.
# With MODE=sessions it measures many sessions at once instead: for each N in SESSIONS, N iscsi-perf processes
# (each with its own initiator name, so no session reinstates another; they log in LOGIN_BATCH at a time) read
# 4 KiB blocks at random at queue depth SESSION_QD for BENCH_SECS seconds; the IOPS of a point is the sum of the N
# processes' averages.
# With TARGET_PID set it also records the CPU time of the target process (utime + stime of /proc/PID/stat, all
# threads) over each measured run, and the CPU microseconds per operation.
#
# Usage: scripts/benchmark.sh URL OUTDIR
#   URL     the LUN, iscsi://127.0.0.1:PORT/IQN/LUN (loopback only: the write runs OVERWRITE the LUN)
#   OUTDIR  receives benchmark-runs.csv (every run), benchmark.txt (medians) and raw/ (each tool's output)
# Environment: REPS (3), BENCH_SECS (5), BLOCK_SIZES ("4096 262144 1048576"), QUEUE_DEPTHS ("1 32"),
#   WORKLOADS ("perf-seq perf-rand qemu-read qemu-write"), TARGET_PID (unset: no CPU figures),
#   MODE (matrix, or sessions), SESSIONS ("1 4 16 64"), SESSION_QD (32),
#   INITIATOR_PREFIX (iqn.2026-11.io.iscsi4j:bench; session k of a point logs in as PREFIX-sK), LOGIN_BATCH (4: the
#   sessions that log in at once).
#
# A run that fails (the tool exits non-zero, times out or prints no result) leaves its IOPS empty, says why in the
# error column and on stderr, and does not count in the medians. Run it on an otherwise idle machine, one target at
# a time, and compare ratios rather than absolute numbers.
set -euo pipefail

usage() { echo "usage: $0 URL OUTDIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
url=$1
out=$2
if ! [[ $url =~ ^iscsi://(127\.[0-9]+\.[0-9]+\.[0-9]+|localhost|\[::1\])(:[0-9]+)?/ ]]; then
  echo "$0: refusing $url: loopback addresses only (the write runs overwrite the LUN)" >&2; exit 2
fi
for tool in iscsi-perf iscsi-readcapacity16 qemu-img; do
  command -v "$tool" >/dev/null || { echo "$0: $tool not found: apt-get install libiscsi-bin qemu-utils qemu-block-extra" >&2; exit 1; }
done
reps=${REPS:-3}
secs=${BENCH_SECS:-5}
sizes=${BLOCK_SIZES:-"4096 262144 1048576"}
depths=${QUEUE_DEPTHS:-"1 32"}
workloads=" ${WORKLOADS:-perf-seq perf-rand qemu-read qemu-write} "
mode=${MODE:-matrix}
sessions=${SESSIONS:-"1 4 16 64"}
session_qd=${SESSION_QD:-32}
prefix=${INITIATOR_PREFIX:-iqn.2026-11.io.iscsi4j:bench}
login_batch=${LOGIN_BATCH:-4}
login_s=""
tpid=${TARGET_PID:-}
[[ $mode == matrix || $mode == sessions ]] || { echo "$0: MODE is matrix or sessions, not $mode" >&2; exit 2; }
if [[ -n $tpid && ! -r /proc/$tpid/stat ]]; then echo "$0: TARGET_PID $tpid: no such process" >&2; exit 2; fi
clk=$(getconf CLK_TCK)

# Tools run in the background and are waited for, so that a signal to this script is handled at once: it stops
# them (timeout passes the signal on to its command) before exiting.
trap 'kill -TERM $(jobs -p) 2>/dev/null; exit 143' TERM
trap 'kill -TERM $(jobs -p) 2>/dev/null; exit 130' INT
bounded() { # bounded SECONDS COMMAND...: the command under timeout, killed 10 s after SECONDS if need be
  local s=$1 pid rc=0; shift
  timeout --kill-after=10 "$s" "$@" &
  pid=$!
  wait "$pid" || rc=$?
  return "$rc"
}

block=$(timeout 30 iscsi-readcapacity16 "$url" | sed -n 's/^LOGICAL BLOCK LENGTH IN BYTES:\([0-9]*\).*/\1/p') || true
[[ -n $block ]] || { echo "$0: cannot read the capacity of $url" >&2; exit 1; }
mkdir -p "$out/raw"
runs=$out/benchmark-runs.csv
echo "workload,block_bytes,queue_depth,run,iops,mib_per_s,sessions,ops,target_cpu_s,target_cpu_us_per_op,error,login_s" >"$runs"

# The target's CPU time in clock ticks, user and system, all threads; nothing without TARGET_PID or once it is gone.
ticks() {
  [[ -n $tpid && -r /proc/$tpid/stat ]] || return 0
  local stat f
  stat=$(<"/proc/$tpid/stat") || return 0
  read -r -a f <<<"${stat##*) }" # fields from the 3rd (state) on: utime and stime are the 14th and 15th
  echo $((f[11] + f[12]))
}

# iscsi-perf prints progress with carriage returns and ends with "iops average N (M MB/s)"; it exits 10 on errors.
perf_iops() { tr '\r' '\n' <"$1" | sed -n 's/^iops average \([0-9]*\) .*/\1/p' | tail -1; }

exit_text() { # exit_text TOOL STATUS
  if (($2 == 124 || $2 == 137)); then echo "$1 timed out"
  elif (($2 != 0)); then echo "$1 exited $2"
  else echo "$1 printed no result"
  fi
}

# With TARGET_PID, a target that has exited is not measured again: its runs fail at once.
gone() {
  [[ -n $tpid && ! -r /proc/$tpid/stat ]] || return 1
  iops=""; ops=""; err="not run: target process $tpid has exited"
}

# Each measurement sets iops (empty when the run failed), ops (operations completed) and err (why it failed).
perf() { # perf LOG QD BLOCKS [-r]
  local log=$1 qd=$2 blocks=$3 rc=0; shift 3
  gone && return
  bounded $((secs + 30)) iscsi-perf "$@" -m "$qd" -b "$blocks" -t "$secs" "$url" >"$log" 2>&1 || rc=$?
  iops=$(perf_iops "$log"); ops=""; err=""
  if [[ $rc -ne 0 ]]; then
    iops=""; err=$(exit_text iscsi-perf "$rc")
  elif [[ -z $iops ]]; then
    err="iscsi-perf printed no 'iops average' line"
  else
    ops=$((iops * secs))
  fi
}

# qemu-img bench prints "Run completed in S seconds."; the count is sized from a calibration run.
qemu() { # qemu LOG QD SIZE COUNT [-w]
  local log=$1 qd=$2 size=$3 count=$4 rc=0 s; shift 4
  gone && return
  bounded $((secs * 10 + 60)) qemu-img bench -f raw -t none "$@" -d "$qd" -s "$size" -c "$count" "$url" >"$log" 2>&1 || rc=$?
  s=$(sed -n 's/^Run completed in \([0-9.]*\) seconds.*/\1/p' "$log")
  iops=""; ops=""; err=""
  if [[ $rc -ne 0 ]]; then
    err=$(exit_text "qemu-img bench" "$rc")
  elif [[ -z $s ]]; then
    err="qemu-img bench printed no 'Run completed' line"
  else
    iops=$(awk -v c="$count" -v s="$s" 'BEGIN { if (s > 0) printf "%d\n", c / s }'); ops=$count
    [[ -n $iops ]] || err="qemu-img bench reported $s seconds"
  fi
}

# sessions LOGDIR N BLOCKS: N iscsi-perf processes at once, each under its own initiator name. They are started
# LOGIN_BATCH at a time, each batch once the one before has logged in (or failed): a target may refuse many
# half-open logins from one address (iscsi4j's maxPendingLoginsPerAddress is 8 by default), and a real fleet of
# initiators does not log in within the same millisecond either. Each process measures its own BENCH_SECS from its
# login, so the windows overlap by BENCH_SECS less the time the logins took; the IOPS of the point is therefore the
# operations of all processes over the wall time from the first start to the last end (a little low rather than
# high), the ops column divided by BENCH_SECS is the plain sum of their averages (high rather than low), and the
# login_s column says how long the logins took; the longer BENCH_SECS, the closer the two.
sessions() {
  local dir=$1 n=$2 blocks=$3 k pids=() rc failed=0 sum=0 one why="" start logins
  gone && return
  mkdir -p "$dir"
  start=$EPOCHREALTIME
  for k in $(seq "$n"); do
    # stdbuf: iscsi-perf's "connected to" line must reach the log at once, not when stdout's buffer fills
    timeout --kill-after=10 $((secs + 60)) stdbuf -oL iscsi-perf -i "$prefix-s$k" -r -m "$session_qd" -b "$blocks" \
      -t "$secs" "$url" >"$dir/session-$k.log" 2>&1 &
    pids+=($!)
    if ((k % login_batch == 0 || k == n)); then logged_in "$dir" $(((k - 1) / login_batch * login_batch + 1)) "$k"; fi
  done
  logins=$EPOCHREALTIME
  for k in $(seq "$n"); do
    rc=0; wait "${pids[k - 1]}" || rc=$?
    one=$(perf_iops "$dir/session-$k.log")
    if [[ $rc -ne 0 || -z $one ]]; then
      failed=$((failed + 1))
      [[ -n $why ]] || why="session $k: $(exit_text iscsi-perf "$rc")$(grep -m1 -io 'login failed.*' "$dir/session-$k.log" |
        sed 's/^/: /' || true)"
    else
      sum=$((sum + one))
    fi
  done
  awk -v a="$start" -v l="$logins" -v e="$EPOCHREALTIME" -v n="$n" -v s="$sum" -v t="$secs" 'BEGIN {
    printf "%d processes: logins took %.2f s, all ended after %.2f s; sum of their averages %d IOPS\n", n, l - a, e - a, s
    printf "%d\n", s * t / (e - a) }' >"$dir/timing.txt"
  iops=""; ops=""; err=""
  login_s=$(awk -v a="$start" -v l="$logins" 'BEGIN { printf "%.2f", l - a }')
  if ((failed > 0)); then
    err="$failed of $n iscsi-perf processes failed (first: $why)"
  else
    iops=$(tail -1 "$dir/timing.txt"); ops=$((sum * secs))
  fi
}

# logged_in DIR FIRST LAST: waits, up to 10 s, until the session processes FIRST to LAST have logged in or ended.
logged_in() {
  local dir=$1 j i state
  for ((i = 0; i < 1000; i++)); do
    for ((j = $2; j <= $3; j++)); do
      grep -q "^connected to" "$dir/session-$j.log" 2>/dev/null && continue
      state=$(cut -d' ' -f3 "/proc/${pids[j - 1]}/stat" 2>/dev/null) || state=""
      [[ -z $state || $state == Z ]] && continue
      break
    done
    ((j > $3)) && return 0
    sleep 0.01
  done
}

record() { # record WORKLOAD SIZE QD RUN SESSIONS LOG T0 T1: from iops, ops and err
  local mib="" cpu="" per_op="" e=$err
  [[ -z $iops ]] || mib=$(awk -v i="$iops" -v b="$2" 'BEGIN { printf "%.1f", i * b / 1048576 }')
  if [[ -n $tpid ]]; then
    if [[ -n $7 && -n $8 ]]; then
      cpu=$(awk -v t=$(($8 - $7)) -v c="$clk" 'BEGIN { printf "%.2f", t / c }')
      [[ -z $ops || $ops -eq 0 ]] || per_op=$(awk -v t=$(($8 - $7)) -v c="$clk" -v o="$ops" 'BEGIN { printf "%.2f", t / c * 1e6 / o }')
    elif [[ $e != "not run"* ]]; then
      e="${e:+$e; }target process $tpid exited"
    fi
  fi
  if [[ -n $e ]]; then
    e=${e//,/;}
    [[ ! -e $6 ]] || e="$e (see ${6#"$out/"})"
    echo "$0: $1 $2 bytes QD $3${5:+ x $5 sessions} run $4 failed: $e" >&2
  fi
  echo "$1,$2,$3,$4,$iops,$mib,$5,$ops,$cpu,$per_op,$e,$login_s" | tee -a "$runs"
  login_s=""
}

has() { [[ $workloads == *" $1 "* ]]; }

if [[ $mode == sessions ]]; then
  blocks=$((4096 / block))
  for n in $sessions; do
    for run in $(seq "$reps"); do
      dir=$out/raw/sessions-$n-$run
      t0=$(ticks); sessions "$dir" "$n" "$blocks"; t1=$(ticks)
      record iscsi-perf-rand-read 4096 "$session_qd" "$run" "$n" "$dir" "$t0" "$t1"
    done
  done
else
  for size in $sizes; do
    for qd in $depths; do
      blocks=$((size / block))
      for run in $(seq "$reps"); do
        if has perf-seq; then
          log=$out/raw/perf-seq-$size-$qd-$run.log
          t0=$(ticks); perf "$log" "$qd" "$blocks"; t1=$(ticks)
          record iscsi-perf-seq-read "$size" "$qd" "$run" "" "$log" "$t0" "$t1"
        fi
        if [[ $size -eq 4096 ]] && has perf-rand; then
          log=$out/raw/perf-rand-$size-$qd-$run.log
          t0=$(ticks); perf "$log" "$qd" "$blocks" -r; t1=$(ticks)
          record iscsi-perf-rand-read "$size" "$qd" "$run" "" "$log" "$t0" "$t1"
        fi
      done
      for rw in read write; do
        has "qemu-$rw" || continue
        flag=(); [[ $rw == write ]] && flag=(-w)
        log=$out/raw/qemu-$rw-$size-$qd-calibration.log
        qemu "$log" "$qd" "$size" 1000 "${flag[@]}"
        [[ -n $iops ]] || echo "$0: qemu-img $rw $size bytes QD $qd calibration failed: $err (see ${log#"$out/"})" >&2
        count=$(( ${iops:-1000} * secs ))
        (( count < 1000 )) && count=1000
        for run in $(seq "$reps"); do
          log=$out/raw/qemu-$rw-$size-$qd-$run.log
          t0=$(ticks); qemu "$log" "$qd" "$size" "$count" "${flag[@]}"; t1=$(ticks)
          record "qemu-img-seq-$rw" "$size" "$qd" "$run" "" "$log" "$t0" "$t1"
        done
      done
    done
  done
fi

{
  echo "# $url, logical block $block bytes, $reps runs of about $secs s per point; medians of the runs that succeeded"
  printf '%-22s %10s %4s %8s %10s %10s %12s %s\n' workload block QD sessions IOPS MiB/s "CPU-us/op" failed
  awk -F, 'NR > 1 {
      k = $1 "," $2 "," $3 "," $7
      if (!(k in seen)) { seen[k] = 1; order[++n] = k }
      runs[k]++
      if ($5 != "") v[k] = v[k] " " $5; else failed[k]++
      if ($10 != "") c[k] = c[k] " " $10
    }
    function median(list,   a, m, x, y, t) {
      m = split(substr(list, 2), a, " ")
      if (m == 0) return ""
      for (x = 1; x <= m; x++) for (y = x + 1; y <= m; y++) if (a[y] + 0 < a[x] + 0) { t = a[x]; a[x] = a[y]; a[y] = t }
      return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
    }
    END {
      for (i = 1; i <= n; i++) {
        k = order[i]; split(k, f, ",")
        med = median(v[k]); cpu = median(c[k])
        label = f[2] >= 1048576 ? f[2] / 1048576 " MiB" : f[2] / 1024 " KiB"
        printf "%-22s %10s %4d %8s %10s %10s %12s %s\n", f[1], label, f[3], f[4] == "" ? "1" : f[4],
          med == "" ? "-" : sprintf("%d", med), med == "" ? "-" : sprintf("%.1f", med * f[2] / 1048576),
          cpu == "" ? "-" : sprintf("%.2f", cpu), failed[k] ? failed[k] "/" runs[k] : ""
      }
    }' "$runs"
} >"$out/benchmark.txt"
cat "$out/benchmark.txt"
