#!/usr/bin/env bash
# A throw-away single-host Ceph cluster for the RBD tests: one monitor and one OSD (BlueStore on a sparse file),
# every daemon on 127.0.0.1, all state, sockets and logs under one directory, no systemd, no kernel modules.
#
#   scripts/ceph-cluster.sh up DIR     # creates DIR (must not exist or be empty), starts the daemons, creates and
#                                      # initialises the pool "rbd"; prints CEPH_CONF=DIR/ceph.conf when ready
#   scripts/ceph-cluster.sh down DIR   # stops the daemons it started (DIR/pids) and removes DIR
#
# Needs Debian's ceph-mon, ceph-osd and ceph-common (Ceph 16.2 in Debian 12). Environment: PORT (the monitor's
# first port, default 46789; the daemons use the 90 ports above it), WAIT (seconds to wait for each step, 60).
set -euo pipefail

usage() { echo "usage: $0 up|down DIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
cmd=$1
dir=$2
port=${PORT:-46789}
wait_s=${WAIT:-60}

down() {
  local d=$1
  if [[ -f $d/pids ]]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$d/pids"
    for _ in $(seq 50); do
      local alive=0
      while read -r pid; do kill -0 "$pid" 2>/dev/null && alive=1; done <"$d/pids"
      ((alive)) || break
      sleep 0.1
    done
    while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done <"$d/pids"
  fi
  [[ -f $d/ceph.conf ]] && rm -rf "$d"
  return 0
}

# Runs "$@" until it succeeds, at most WAIT seconds.
retry() {
  local deadline=$((SECONDS + wait_s))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { echo "$0: gave up waiting for: $*" >&2; return 1; }
    sleep 0.5
  done
}

case $cmd in
  down) down "$dir"; exit 0 ;;
  up) ;;
  *) usage ;;
esac

for tool in ceph-mon ceph-osd ceph ceph-authtool monmaptool rbd rados uuidgen; do
  command -v "$tool" >/dev/null || { echo "$0: $tool not found (apt-get install ceph-mon ceph-osd ceph-common)" >&2; exit 1; }
done
if [[ -e $dir && -n $(ls -A "$dir") ]]; then
  echo "$0: $dir exists and is not empty" >&2
  exit 1
fi
mkdir -p "$dir"/{run,log,mon,osd/ceph-0}
dir=$(cd "$dir" && pwd)
conf=$dir/ceph.conf
fsid=$(uuidgen)
mon_addr="[v2:127.0.0.1:$port,v1:127.0.0.1:$((port + 1))]"

# auth none: the cluster lives for one test run on loopback; cephx would only add keyrings to pass around.
cat >"$conf" <<CONF
[global]
fsid = $fsid
mon host = $mon_addr
mon initial members = a
public network = 127.0.0.0/8
ms bind port min = $((port + 2))
ms bind port max = $((port + 90))
auth cluster required = none
auth service required = none
auth client required = none
run dir = $dir/run
admin socket = $dir/run/\$name.\$pid.asok
log file = $dir/log/\$name.log
pid file = $dir/run/\$name.pid
crash dir = $dir/crash
osd pool default size = 1
osd pool default min size = 1
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
[mon]
mon data = $dir/mon/\$cluster-\$id
[osd]
osd data = $dir/osd/\$cluster-\$id
osd objectstore = bluestore
bluestore block create = true
bluestore block size = 8589934592
bluestore block db create = false
bluestore block wal create = false
bluestore fsck on mount = false
osd memory target = 939524096
bluestore cache autotune = false
bluestore cache size = 134217728
CONF
export CEPH_CONF=$conf

started() { echo "$1" >>"$dir/pids"; }

ceph-authtool --create-keyring "$dir/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
monmaptool --create --fsid "$fsid" --addv a "$mon_addr" "$dir/monmap" >/dev/null
ceph-mon --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/mon.keyring"
ceph-mon -f -i a >"$dir/log/mon.a.out" 2>&1 &
started $!
retry timeout 10 ceph --connect-timeout 5 mon stat

osd_uuid=$(uuidgen)
osd_id=$(ceph osd new "$osd_uuid")
[[ $osd_id == 0 ]] || { echo "$0: expected OSD 0, got $osd_id" >&2; exit 1; }
ceph-osd -i 0 --mkfs --osd-uuid "$osd_uuid" >"$dir/log/osd.0.mkfs" 2>&1
ceph-osd -f -i 0 >"$dir/log/osd.0.out" 2>&1 &
started $!
osd_up() { ceph osd stat 2>/dev/null | grep -q '1 up'; }
retry osd_up

ceph osd pool create rbd 8 8 >/dev/null 2>&1
rbd pool init rbd
probe() { timeout 10 rados -p rbd put probe "$conf" && rados -p rbd rm probe; }
retry probe
echo "CEPH_CONF=$conf"
