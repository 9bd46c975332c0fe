#!/usr/bin/env bash
# Starts and stops a throw-away tgtd (the Linux SCSI target framework, Debian package tgt) on loopback, for the
# interop tests of the iscsi4j initiator (iscsi-client's TgtInteropTest) and for comparing benchmarks by hand.
#
#   scripts/tgt.sh start STATE_DIR    start tgtd; print the LUN URL iscsi://127.0.0.1:PORT/IQN/1 on stdout
#   scripts/tgt.sh stop STATE_DIR     stop it (delete its targets and the system with tgtadm, SIGKILL after 5 s) and
#                                     delete its backing files
#
# What start creates, on 127.0.0.1 only:
#   target 1, $TGT_IQN: LUN 1 over a fully allocated $TGT_SIZE_MIB MiB file in /dev/shm (RAM); no authentication
#   with TGT_CHAP_USER and TGT_CHAP_SECRET set, also target 2, $TGT_IQN-chap: LUN 1 over a 16 MiB file, CHAP
#     required (the initiator logs in as that user); with TGT_MUTUAL_USER and TGT_MUTUAL_SECRET, mutual CHAP too
# Environment (defaults in brackets):
#   TGT_PORT [a free port]   TGT_IQN [iqn.2026-12.io.iscsi4j:tgt]   TGT_SIZE_MIB [64]
#   TGT_PARAMS [unset]  target parameters NAME=VALUE, space separated, e.g. "MaxRecvDataSegmentLength=262144"
# STATE_DIR keeps tgtd's pid, its log and the backing files' names; each tgtd gets its own control socket
# (/var/run/tgtd/socket.N, N random), so several can run beside each other. tgtd needs root.
#
# Known tgt 1.0.85 quirk: it numbers SHA-1 CHAP_A=7 (RFC 7143 says 7 is SHA-256), so initiators must offer MD5 only.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop STATE_DIR" >&2
  exit 2
}

[[ $# -eq 2 ]] || usage
action=$1
state=$2

alive() { # a zombie (exited, not yet reaped by whoever inherited it) counts as gone
  kill -0 "$1" 2>/dev/null && [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]
}

stop() {
  local pid
  if [[ -f $state/tgtd.pid ]]; then
    pid=$(cat "$state/tgtd.pid")
    if alive "$pid"; then
      # tgtd ignores SIGTERM while it has targets: delete them (ending their sessions), then ask it to exit
      if [[ -f $state/ctl ]]; then
        local ctl tid
        ctl=$(cat "$state/ctl")
        for tid in $(timeout 5 tgtadm -C "$ctl" --lld iscsi --op show --mode target 2>/dev/null |
          sed -n 's/^Target \([0-9]*\):.*/\1/p'); do
          timeout 5 tgtadm -C "$ctl" --lld iscsi --op delete --mode target --tid "$tid" --force >/dev/null 2>&1 || true
        done
        timeout 5 tgtadm -C "$ctl" --op delete --mode system >/dev/null 2>&1 || true
      fi
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do
        alive "$pid" || break
        sleep 0.1
      done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$state/tgtd.pid"
  fi
  if [[ -f $state/backing ]]; then
    while read -r f; do rm -f "$f"; done <"$state/backing"
    rm -f "$state/backing"
  fi
  if [[ -f $state/ctl ]]; then
    rm -f "/var/run/tgtd/socket.$(cat "$state/ctl")" "/var/run/tgtd/socket.$(cat "$state/ctl").lock"
    rm -f "$state/ctl"
  fi
}

port_in_use() {
  ss -Htln "sport = :$1" 2>/dev/null | grep -q .
}

case $action in
  stop)
    stop
    exit 0
    ;;
  start) ;;
  *) usage ;;
esac

command -v tgtd >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
if ! command -v tgtd >/dev/null 2>&1 || ! command -v tgtadm >/dev/null 2>&1; then
  echo "$0: tgtd and tgtadm not found: install the Debian package tgt" >&2
  exit 3
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "$0: tgtd needs root" >&2
  exit 3
fi

mkdir -p "$state" /var/run/tgtd
if [[ -f $state/tgtd.pid ]] && alive "$(cat "$state/tgtd.pid")"; then
  echo "$0: a tgtd started with $state is already running (pid $(cat "$state/tgtd.pid"))" >&2
  exit 1
fi
iqn=${TGT_IQN:-iqn.2026-12.io.iscsi4j:tgt}
size=${TGT_SIZE_MIB:-64}
port=${TGT_PORT:-}
if [[ -z $port ]]; then
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" || break
  done
fi
ctl=
for _ in $(seq 1 100); do
  ctl=$((1000 + RANDOM % 30000))
  [[ -e /var/run/tgtd/socket.$ctl ]] || break
done
echo "$ctl" >"$state/ctl"

trap 'echo "$0: start failed; tgtd log:" >&2; cat "$state/tgtd.log" >&2 2>/dev/null || true; stop' ERR

shm=/dev/shm
[[ -d $shm && -w $shm ]] || shm=$state
backing() { # SIZE_MIB -> path of a new fully allocated file (zeros), recorded for stop
  local f
  f=$(mktemp "$shm/iscsi4j-tgt.XXXXXX")
  echo "$f" >>"$state/backing"
  dd if=/dev/zero of="$f" bs=1M count="$1" status=none
  echo "$f"
}
lun1=$(backing "$size")

# -f keeps tgtd in the foreground of its own process, so this pid is tgtd's; its output goes to the log only.
tgtd -f -C "$ctl" --iscsi "portal=127.0.0.1:$port" </dev/null >"$state/tgtd.log" 2>&1 &
pid=$!
echo "$pid" >"$state/tgtd.pid"

adm() { tgtadm -C "$ctl" --lld iscsi "$@"; }
for _ in $(seq 1 100); do
  adm --mode target --op show >/dev/null 2>&1 && break
  alive "$pid" || false # tgtd died: the ERR trap prints its log
  sleep 0.1
done

adm --op new --mode target --tid 1 -T "$iqn"
adm --op new --mode logicalunit --tid 1 --lun 1 --bstype rdwr -b "$lun1"
adm --op bind --mode target --tid 1 -I ALL
if [[ -n ${TGT_CHAP_USER:-} ]]; then
  lun2=$(backing 16)
  adm --op new --mode target --tid 2 -T "$iqn-chap"
  adm --op new --mode logicalunit --tid 2 --lun 1 --bstype rdwr -b "$lun2"
  adm --op bind --mode target --tid 2 -I ALL
  adm --op new --mode account --user "$TGT_CHAP_USER" --password "$TGT_CHAP_SECRET"
  adm --op bind --mode account --tid 2 --user "$TGT_CHAP_USER"
  if [[ -n ${TGT_MUTUAL_USER:-} ]]; then
    adm --op new --mode account --user "$TGT_MUTUAL_USER" --password "$TGT_MUTUAL_SECRET"
    adm --op bind --mode account --tid 2 --user "$TGT_MUTUAL_USER" --outgoing
  fi
fi
for kv in ${TGT_PARAMS:-}; do
  for tid in $(adm --op show --mode target | sed -n 's/^Target \([0-9]*\):.*/\1/p'); do
    adm --op update --mode target --tid "$tid" -n "${kv%%=*}" -v "${kv#*=}"
  done
done

for _ in $(seq 1 50); do
  ss -Htln "sport = :$port" 2>/dev/null | grep -q '127.0.0.1' && break
  sleep 0.1
done
ss -Htln "sport = :$port" 2>/dev/null | grep -q '127.0.0.1' || false

trap - ERR
echo "tgtd pid $pid on 127.0.0.1:$port, control socket $ctl, log $state/tgtd.log" >&2
echo "iscsi://127.0.0.1:$port/$iqn/1"
