#!/usr/bin/env bash
# Measures one LUN with unmodified initiators, so that any two targets can be compared side by side:
#   iscsi-perf (libiscsi-bin): sequential reads, and random reads at 4 KiB, for a fixed time;
#   qemu-img bench (qemu-utils, qemu-block-extra): sequential reads and writes, a request count sized for about
#   BENCH_SECS seconds by a short calibration run.
# Block sizes 4 KiB, 256 KiB and 1 MiB; queue depths 1 and 32; each point REPS times; medians reported.
#
# Usage: scripts/benchmark.sh URL OUTDIR
#   URL     the LUN, iscsi://127.0.0.1:PORT/IQN/LUN (loopback only: the write runs OVERWRITE the LUN)
#   OUTDIR  receives benchmark-runs.csv (every run), benchmark.txt (medians) and raw/ (each tool's output)
# Environment: REPS (3), BENCH_SECS (5), BLOCK_SIZES ("4096 262144 1048576"), QUEUE_DEPTHS ("1 32").
#
# Run it on an otherwise idle machine, one target at a time, and compare ratios rather than absolute numbers.
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

block=$(iscsi-readcapacity16 "$url" | sed -n 's/^LOGICAL BLOCK LENGTH IN BYTES:\([0-9]*\).*/\1/p')
[[ -n $block ]] || { echo "$0: cannot read the capacity of $url" >&2; exit 1; }
mkdir -p "$out/raw"
runs=$out/benchmark-runs.csv
echo "workload,block_bytes,queue_depth,run,iops,mib_per_s" >"$runs"

# iscsi-perf prints progress with carriage returns and ends with "iops average N (M MB/s)".
perf() { # perf LOG QD BLOCKS [-r]
  local log=$1 qd=$2 blocks=$3; shift 3
  timeout $((secs + 30)) iscsi-perf "$@" -m "$qd" -b "$blocks" -t "$secs" "$url" >"$log" 2>&1 || true
  tr '\r' '\n' <"$log" | sed -n 's/^iops average \([0-9]*\) .*/\1/p' | tail -1
}

# qemu-img bench prints "Run completed in S seconds."; the count is sized from a calibration run.
qemu() { # qemu LOG QD SIZE COUNT [-w]
  local log=$1 qd=$2 size=$3 count=$4; shift 4
  timeout 300 qemu-img bench -f raw -t none "$@" -d "$qd" -s "$size" -c "$count" "$url" >"$log" 2>&1 || true
  local s
  s=$(sed -n 's/^Run completed in \([0-9.]*\) seconds.*/\1/p' "$log")
  if [[ -n $s ]]; then
    awk -v c="$count" -v s="$s" 'BEGIN { printf "%d\n", c / s }'
  fi
}

record() { # record WORKLOAD SIZE QD RUN IOPS
  local mib=""
  [[ -z $5 ]] || mib=$(awk -v i="$5" -v b="$2" 'BEGIN { printf "%.1f", i * b / 1048576 }')
  echo "$1,$2,$3,$4,$5,$mib" | tee -a "$runs"
}

for size in $sizes; do
  for qd in $depths; do
    blocks=$((size / block))
    for run in $(seq "$reps"); do
      record iscsi-perf-seq-read "$size" "$qd" "$run" "$(perf "$out/raw/perf-seq-$size-$qd-$run.log" "$qd" "$blocks")"
      if [[ $size -eq 4096 ]]; then
        record iscsi-perf-rand-read "$size" "$qd" "$run" \
          "$(perf "$out/raw/perf-rand-$size-$qd-$run.log" "$qd" "$blocks" -r)"
      fi
    done
    for mode in read write; do
      flag=(); [[ $mode == write ]] && flag=(-w)
      cal=$(qemu "$out/raw/qemu-$mode-$size-$qd-calibration.log" "$qd" "$size" 1000 "${flag[@]}")
      count=$(( ${cal:-1000} * secs ))
      (( count < 1000 )) && count=1000
      for run in $(seq "$reps"); do
        record "qemu-img-seq-$mode" "$size" "$qd" "$run" \
          "$(qemu "$out/raw/qemu-$mode-$size-$qd-$run.log" "$qd" "$size" "$count" "${flag[@]}")"
      done
    done
  done
done

{
  echo "# $url, logical block $block bytes, $reps runs of about $secs s per point; medians"
  printf '%-22s %10s %4s %10s %10s\n' workload block QD IOPS MiB/s
  awk -F, 'NR > 1 && $5 != "" { k = $1 "," $2 "," $3; v[k] = v[k] " " $5; if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
    END {
      for (i = 1; i <= n; i++) {
        k = order[i]; m = split(substr(v[k], 2), a, " ")
        for (x = 1; x <= m; x++) for (y = x + 1; y <= m; y++) if (a[y] + 0 < a[x] + 0) { t = a[x]; a[x] = a[y]; a[y] = t }
        med = (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
        split(k, f, ",")
        label = f[2] >= 1048576 ? f[2] / 1048576 " MiB" : f[2] / 1024 " KiB"
        printf "%-22s %10s %4d %10d %10.1f\n", f[1], label, f[3], med, med * f[2] / 1048576
      }
    }' "$runs"
} >"$out/benchmark.txt"
cat "$out/benchmark.txt"
