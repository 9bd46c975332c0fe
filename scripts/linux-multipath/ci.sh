#!/usr/bin/env bash
# ci.sh DEMO_JAR - the dm-multipath failover test end to end, as .ci/run runs it: builds the guest (build.sh), creates
# a layering-only RBD image in the cluster of $CEPH_CONF, starts two demo gateways on it (ports chosen by the
# system, --shared-state rbd, --alua-group 1 and 2), runs run.sh (gateway A is killed with SIGKILL mid-write), then
# stops gateway B and removes the image. Exit status: run.sh's (0 = PASS), or 2 when something could not be set up.
#
# Env: CEPH_CONF (required), MP_BUILD, MP_CACHE (see build.sh), MP_OUT [/tmp/linux-multipath/ci] for the run's
# directory and the gateways' logs.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
JAR=${1:?usage: ci.sh DEMO_JAR}
: "${CEPH_CONF:?ci.sh: CEPH_CONF must name the cluster configuration}"
OUT=${MP_OUT:-/tmp/linux-multipath/ci}
IQN=iqn.2026-11.io.iscsi4j:mpath
IMAGE=rbd/mpath-ci-$$
mkdir -p "$OUT"

pids=()
cleanup() {
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null
  done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 50); do
      kill -0 "$p" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$p" 2>/dev/null
  done
  # A gateway killed with SIGKILL keeps its watch on the image until the cluster times it out (about 30 s).
  for _ in $(seq 1 12); do
    rbd rm --no-progress "$IMAGE" >/dev/null 2>&1 && break
    sleep 5
  done
}
trap cleanup EXIT

"$HERE/build.sh" >"$OUT/build.log" 2>&1 || { echo "ci.sh: build.sh failed, see $OUT/build.log" >&2; exit 2; }
rbd create --size 512M --image-feature layering "$IMAGE" || { echo "ci.sh: rbd create failed" >&2; exit 2; }

# Starts a gateway on a free port (in this shell, so that its pid is kept for the clean-up).
launch_gateway() {
  java -Xmx256m -jar "$JAR" --portal 127.0.0.1:0 --iqn "$IQN" --rbd "$IMAGE" --shared-state rbd \
    --alua-group "$1" --ceph-conf "$CEPH_CONF" >"$OUT/gateway-$1.log" 2>&1 &
  pids+=($!)
}

# Prints the port gateway $1 listens on, once its log says so (at most 30 s).
port_of() {
  local log="$OUT/gateway-$1.log" port
  for _ in $(seq 1 150); do
    port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log" | head -n 1)
    if [[ -n $port ]]; then
      echo "$port"
      return 0
    fi
    sleep 0.2
  done
  echo "ci.sh: gateway $1 did not start, see $log" >&2
  return 1
}

launch_gateway 1
pid_a=${pids[0]}
port_a=$(port_of 1) || exit 2
launch_gateway 2
port_b=$(port_of 2) || exit 2
echo "ci.sh: gateway A (pid $pid_a) on 127.0.0.1:$port_a, gateway B on 127.0.0.1:$port_b, image $IMAGE" >&2
"$HERE/run.sh" "$port_a" "$port_b" "$IQN" --kill-pid "$pid_a" --outdir "$OUT/run"
