#!/usr/bin/env bash
# Compares the iscsi4j initiator (iscsi4j-client.jar bench) with libiscsi's iscsi-perf on one LUN: sequential reads
# at 4 KiB x 32 in flight and 1 MiB x 8 in flight, SECONDS each, one tool after the other. Prints one line per run
# and the ratio of the IOPS. Reads only (iscsi-perf only reads).
#
#   scripts/bench-initiators.sh URL [SECONDS [ROUNDS]]   e.g. scripts/bench-initiators.sh iscsi://127.0.0.1:3260/iqn.../0 5 3
#
# With several ROUNDS the order of the two tools alternates (on a busy machine the second run of a pair is not
# favoured); compare the medians.
#
# The Java side gets a ramp of RAMP seconds (default 3) before the measured SECONDS: load not counted, while the JIT
# compiles the I/O path (see README).
# Needs iscsi-client/target/iscsi4j-client.jar (mvn package) and iscsi-perf (Debian package libiscsi-bin).
set -euo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 URL [SECONDS]" >&2; exit 2; }
url=$1
seconds=${2:-5}
rounds=${3:-1}
ramp=${RAMP:-3}
jar=$(dirname "${BASH_SOURCE[0]}")/../iscsi-client/target/iscsi4j-client.jar
[[ -f $jar ]] || { echo "$0: $jar missing; run mvn package first" >&2; exit 1; }
command -v iscsi-perf >/dev/null || { echo "$0: iscsi-perf missing: install libiscsi-bin" >&2; exit 1; }

block_size=$(java -jar "$jar" capacity "$url" | sed -n 's/^Block size: //p')
perf_run() {
  timeout $((seconds + 30)) iscsi-perf -m "$qd" -b $((bytes / block_size)) -t "$seconds" "$url" 2>&1 |
    tr '\r' '\n' | sed -n 's/.*iops average \([0-9]*\).*/\1/p' | tail -1
}
java_run() {
  java -jar "$jar" bench "$url" --rw read --bs "$bytes" --qd "$qd" --seconds "$seconds" --ramp "$ramp" |
    sed -n 's/.*: \([0-9]*\) IOPS.*/\1/p'
}
for case in "4096 32" "1048576 8"; do
  read -r bytes qd <<<"$case"
  for round in $(seq 1 "$rounds"); do
    if ((round % 2 == 1)); then
      perf=$(perf_run)
      java_iops=$(java_run)
    else
      java_iops=$(java_run)
      perf=$(perf_run)
    fi
    echo "bs=$bytes qd=$qd round $round: iscsi-perf $perf IOPS, iscsi4j $java_iops IOPS, ratio" \
      "$(awk -v a="$java_iops" -v b="$perf" 'BEGIN { printf "%.0f %%", 100 * a / b }')"
  done
done
