#!/usr/bin/env bash
# Measures the heap the target allocates per 4 KiB READ and per 4 KiB WRITE at steady state.
#
# Starts the demo target (a 1 GiB RAM LUN on a loopback port, on the heap: -Xmx1536m is 512 MiB and the LUN) with
# Netty's leak detector off (its sampling allocates records of its own), warms it up, then for each direction runs a
# fixed number of commands with
# qemu-img bench (queue depth 32) inside a Java Flight Recording that holds only the per-thread allocation counters
# (jdk.ThreadAllocationStatistics, taken when the recording starts and when it stops). Bytes per command = what all
# of the target's threads allocated between the two readings, divided by the number of commands. The JVM's own
# threads (JIT compilers, JFR) are left out; the target's network and backstore threads are counted.
#
# Usage: scripts/allocation.sh OUTDIR
# Environment: DEMO_JAR (examples/target/iscsi4j-demo.jar), PORT (3299), COUNT (300000 commands per direction),
# QD (32), HEAP (1536m).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:?usage: $0 OUTDIR}
jar=${DEMO_JAR:-examples/target/iscsi4j-demo.jar}
port=${PORT:-3299}
count=${COUNT:-300000}
qd=${QD:-32}
for tool in qemu-img jcmd jfr python3; do
  command -v "$tool" >/dev/null || { echo "$0: $tool not found" >&2; exit 1; }
done
[[ -f $jar ]] || { echo "$0: $jar not found: mvn -B package -DskipTests" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
url="iscsi://127.0.0.1:$port/iqn.2026-11.io.iscsi4j:demo/0"

java "-Xmx${HEAP:-1536m}" -Dio.netty.leakDetection.level=disabled -jar "$jar" --portal "127.0.0.1:$port" --size 1G \
  >"$out/target.log" 2>&1 &
pid=$!
stop() { # a JVM that ran out of memory may ignore SIGTERM
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
trap stop EXIT
for _ in $(seq 100); do
  grep -q 'serving' "$out/target.log" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { echo "$0: the target did not start: $(cat "$out/target.log")" >&2; exit 1; }
  sleep 0.1
done
grep -q 'serving' "$out/target.log" || { echo "$0: the target did not start within 10 s" >&2; exit 1; }

# The recording's settings: only the allocation counters, read at its start and its end.
cat >"$out/allocation.jfc" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0" label="allocation counters">
  <event name="jdk.ThreadAllocationStatistics">
    <setting name="enabled">true</setting>
    <setting name="period">everyChunk</setting>
  </event>
</configuration>
EOF

bench() { # bench MODE COUNT LOG
  local flag=()
  [[ $1 == write ]] && flag=(-w)
  if ! timeout 600 qemu-img bench -f raw -t none "${flag[@]}" -d "$qd" -s 4096 -c "$2" "$url" >"$3" 2>&1 \
      || ! grep -q '^Run completed' "$3" || grep -qi 'error\|timeout\|reconnect' "$3"; then
    echo "$0: qemu-img bench $1 failed; see $3" >&2
    exit 1
  fi
}

printf 'direction,commands,bytes_allocated,bytes_per_command\n' >"$out/allocation.csv"
for mode in read write; do
  bench "$mode" "$count" "$out/warmup-$mode.log"          # JIT and buffer pools warm
  jcmd "$pid" JFR.start name="alloc-$mode" settings="$out/allocation.jfc" >/dev/null
  bench "$mode" "$count" "$out/bench-$mode.log"
  jcmd "$pid" JFR.stop name="alloc-$mode" filename="$out/alloc-$mode.jfr" >/dev/null
  jfr print --json --events jdk.ThreadAllocationStatistics "$out/alloc-$mode.jfr" >"$out/alloc-$mode.json"
  python3 - "$out/alloc-$mode.json" "$mode" "$count" >>"$out/allocation.csv" <<'EOF'
import json, sys
from datetime import datetime
events = json.load(open(sys.argv[1]))["recording"]["events"]
def when(e):
    return datetime.fromisoformat(e["values"]["startTime"].replace("Z", "+00:00"))
events.sort(key=when)
# The readings at the recording's start come within a moment of each other; the last ones at its end.
start = when(events[0]) if events else None
first, last = {}, {}
for e in events:
    v = e["values"]
    name = (v.get("thread") or {}).get("javaName") or ""
    if not name.startswith("iscsi4j"):
        continue  # JIT compilers, JFR, attach listener: the JVM's, not the target's
    key = (name, (v.get("thread") or {}).get("javaThreadId"))
    # a thread born during the run has no reading at the start: it counts from zero
    first.setdefault(key, v["allocated"] if (when(e) - start).total_seconds() < 1 else 0)
    last[key] = v["allocated"]
total = sum(last[k] - first[k] for k in last)
count = int(sys.argv[3])
print(f"{sys.argv[2]},{count},{total},{total / count:.1f}")
EOF
done
column -t -s, "$out/allocation.csv"
