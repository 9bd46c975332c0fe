#!/usr/bin/env bash
# run.sh GATEWAY_PORT_A GATEWAY_PORT_B TARGET_IQN [options] - Linux dm-multipath over two iSCSI gateways that
# serve the same storage (two iscsi4j targets on 127.0.0.1:PORT_A and 127.0.0.1:PORT_B, each with its own ALUA
# port group), with the kernel initiator (iscsi_tcp + open-iscsi) and multipath-tools in a QEMU/TCG guest
# (see build.sh). The host sends SIGKILL to gateway A while the guest writes, and the guest checks that I/O went
# on through gateway B and that the data and the file system are intact.
#
# The guest sees gateway A at 10.0.2.100:3260 and gateway B at 10.0.2.101:3260 (QEMU user networking,
# restrict=on, two guestfwd rules whose helper fwd.sh connects to 127.0.0.1:PORT and nowhere else).
#
# Options:
#   --kill-pid PID          the process to kill as gateway A (default: the one listening on 127.0.0.1:PORT_A)
#   --kill-after S          seconds between the guest's "MPATH-READY" and the SIGKILL (default 8)
#   --no-kill               do not kill anything (the failover check then fails: a dry run of everything else)
#   --replacement-timeout S iSCSI replacement_timeout and multipath fast_io_fail_tmo in the guest (default 5)
#   --no-path-retry N       multipath no_path_retry (default 12)
#   --fo-after N            writes to complete after the path failure is seen (default 20)
#   --fo-window S           longest the failover writer runs (default 120)
#   --initiator IQN         initiator name (default iqn.1993-08.org.debian:01:linux-guest)
#   --timeout S             overall limit for QEMU (default 900)
#   --outdir DIR            where console.txt, summary.md etc. go (default /tmp/linux-multipath/runs/<time>)
#   --mem MiB               guest memory (default 512)
# Env: MP_BUILD [/tmp/linux-multipath/build] (vmlinuz + initramfs.cpio.gz from build.sh)
#
# Exit: 0 = guest printed "MPATH-RESULT PASS"; 1 = guest reported FAIL; 2 = usage/setup error;
#       3 = no result (guest crashed, hung past --timeout, or QEMU failed). The summary line is printed last.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${MP_BUILD:-/tmp/linux-multipath/build}
usage() { sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "run.sh: $*" >&2; exit 2; }

[[ $# -ge 3 ]] || usage
PORT_A=$1 PORT_B=$2 TARGET=$3
shift 3
for p in "$PORT_A" "$PORT_B"; do
  if ! [[ $p =~ ^[0-9]+$ ]] || ((p < 1 || p > 65535)); then die "bad port $p"; fi
done
[[ $PORT_A != "$PORT_B" ]] || die "the two gateways need two ports"
[[ $TARGET =~ ^(iqn\.|eui\.|naa\.)[A-Za-z0-9.:_-]+$ ]] || die "bad target name $TARGET"

KILL_PID='' KILL_AFTER=8 KILL=1 REPL=5 NPR=12 FO_AFTER=20 FO_WINDOW=120 INITIATOR=iqn.1993-08.org.debian:01:linux-guest
TIMEOUT=900 OUTDIR='' MEM=512
while [[ $# -gt 0 ]]; do
  case $1 in
    --kill-pid) KILL_PID=${2:?}; shift ;;
    --kill-after) KILL_AFTER=${2:?}; shift ;;
    --no-kill) KILL=0 ;;
    --replacement-timeout) REPL=${2:?}; shift ;;
    --no-path-retry) NPR=${2:?}; shift ;;
    --fo-after) FO_AFTER=${2:?}; shift ;;
    --fo-window) FO_WINDOW=${2:?}; shift ;;
    --initiator) INITIATOR=${2:?}; shift ;;
    --timeout) TIMEOUT=${2:?}; shift ;;
    --outdir) OUTDIR=${2:?}; shift ;;
    --mem) MEM=${2:?}; shift ;;
    -h | --help) usage ;;
    *) die "unknown option $1" ;;
  esac
  shift
done
for n in KILL_AFTER REPL NPR FO_AFTER FO_WINDOW TIMEOUT MEM; do [[ ${!n} =~ ^[0-9]+$ ]] || die "bad numeric option for $n"; done
[[ $INITIATOR =~ ^[A-Za-z0-9.:_-]+$ ]] || die "bad --initiator"

for c in qemu-system-x86_64 socat timeout base64 ss; do command -v "$c" >/dev/null || die "missing $c (apt-get install -y --no-install-recommends qemu-system-x86 socat)"; done
[[ -f $BUILD/vmlinuz && -f $BUILD/initramfs.cpio.gz ]] || die "no guest in $BUILD: run $HERE/build.sh first"
listener() { # pid of the process listening on 127.0.0.1:$1 (or on all addresses)
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -E "(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]|\*|0\.0\.0\.0|\[::\]):$1\b" |
    sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1
}
for p in "$PORT_A" "$PORT_B"; do
  [[ -n $(listener "$p") ]] || die "nothing listens on 127.0.0.1:$p"
done
if [[ $KILL == 1 ]]; then
  [[ -n $KILL_PID ]] || KILL_PID=$(listener "$PORT_A")
  if ! [[ $KILL_PID =~ ^[0-9]+$ ]] || ! kill -0 "$KILL_PID" 2>/dev/null; then die "no process $KILL_PID to kill as gateway A"; fi
  [[ $(listener "$PORT_B") != "$KILL_PID" ]] || die "gateway A ($KILL_PID) also serves port $PORT_B"
fi

OUTDIR=${OUTDIR:-/tmp/linux-multipath/runs/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUTDIR" || die "cannot create $OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
# the guestfwd command line is parsed by QEMU (',' separates options) and by g_shell_parse_argv
[[ $OUTDIR != *[,\ \'\"]* && $HERE != *[,\ \'\"]* ]] || die "paths must not contain commas, spaces or quotes: $OUTDIR $HERE"
LOG=$OUTDIR/console.log
: >"$LOG"
: >"$OUTDIR/fwd.pids"

GUEST_LIMIT=$((TIMEOUT - 30))
CFG=$(printf '%s\n' "TARGET=$TARGET" "INITIATOR=$INITIATOR" "PORTAL_A=10.0.2.100:3260" "PORTAL_B=10.0.2.101:3260" \
  "REPL_TIMEOUT=$REPL" "NO_PATH_RETRY=$NPR" "FO_AFTER=$FO_AFTER" "FO_WINDOW=$FO_WINDOW" "GUEST_LIMIT=$GUEST_LIMIT")
CFG64=$(printf '%s\n' "$CFG" | base64 -w0)
APPEND="console=ttyS0,115200 panic=-1 loglevel=5 mitigations=off 8250.nr_uarts=1 itcfg=$CFG64"
{
  echo "run.sh $PORT_A $PORT_B $TARGET kill=$KILL pid=${KILL_PID:-none} kill_after=${KILL_AFTER}s replacement_timeout=$REPL no_path_retry=$NPR timeout=$TIMEOUT"
  cat "$BUILD/versions" 2>/dev/null
  qemu-system-x86_64 --version | head -1
} >"$OUTDIR/run-info.txt"

NET="user,id=n0,restrict=on,net=10.0.2.0/24,host=10.0.2.2"
NET+=",guestfwd=tcp:10.0.2.100:3260-cmd:$HERE/fwd.sh $OUTDIR $PORT_A"
NET+=",guestfwd=tcp:10.0.2.101:3260-cmd:$HERE/fwd.sh $OUTDIR $PORT_B"
# shellcheck disable=SC2054 # the commas belong to QEMU's option syntax
QEMU=(qemu-system-x86_64 -machine pc,accel=tcg -cpu max -smp 1 -m "$MEM" -nodefaults -no-user-config
  -display none -no-reboot -monitor none
  -kernel "$BUILD/vmlinuz" -initrd "$BUILD/initramfs.cpio.gz" -append "$APPEND"
  -chardev "file,id=con,path=$LOG" -serial chardev:con
  -netdev "$NET" -device virtio-net-pci,netdev=n0,romfile=)

T0=$(date +%s)
echo "run.sh: booting the guest -> A 127.0.0.1:$PORT_A, B 127.0.0.1:$PORT_B, $TARGET; log $LOG" >&2
timeout -k 10 "$TIMEOUT" "${QEMU[@]}" </dev/null >"$OUTDIR/qemu.log" 2>&1 &
QPID=$!

WPID=
if [[ $KILL == 1 ]]; then
  (
    end=$((SECONDS + TIMEOUT))
    while ((SECONDS < end)) && kill -0 "$QPID" 2>/dev/null; do
      if grep -q 'MPATH-READY' "$LOG" 2>/dev/null; then
        echo "$(date +%H:%M:%S.%N) saw MPATH-READY; SIGKILL to gateway A (pid $KILL_PID) in ${KILL_AFTER}s" >>"$OUTDIR/kill.log"
        sleep "$KILL_AFTER"
        # the pid must still be the listener of port A (not a recycled pid)
        if [[ $(listener "$PORT_A") == "$KILL_PID" ]]; then
          kill -KILL "$KILL_PID" && echo "$(date +%H:%M:%S.%N) sent SIGKILL to pid $KILL_PID (gateway A, port $PORT_A)" >>"$OUTDIR/kill.log"
          # the guest's writes since the mark, as the console had them at the kill
          echo "guest writes completed before the kill: $(grep -c 'MPATH-W ' "$LOG")" >>"$OUTDIR/kill.log"
        else
          echo "$(date +%H:%M:%S.%N) pid $KILL_PID no longer listens on port $PORT_A: not killed" >>"$OUTDIR/kill.log"
        fi
        exit 0
      fi
      sleep 0.2
    done
  ) &
  WPID=$!
fi

wait "$QPID"
QRC=$?
T1=$(date +%s)
[[ -n $WPID ]] && { kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null; }
sleep 1
while read -r pid; do # only this run's forwarders, while they still run our socat
  if { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qE "^socat .*TCP:127.0.0.1:($PORT_A|$PORT_B),nodelay"; then
    kill -TERM "$pid" 2>/dev/null
  fi
done <"$OUTDIR/fwd.pids"

# ---- results
tr -d '\r' <"$LOG" >"$OUTDIR/console.txt"
STEPS=$(grep -o 'MPATH step=.*' "$OUTDIR/console.txt")
RESULT=$(grep -o 'MPATH-RESULT .*' "$OUTDIR/console.txt" | tail -1)
{
  echo "# linux dm-multipath run"
  echo
  echo '```'
  cat "$OUTDIR/run-info.txt"
  cat "$OUTDIR/kill.log" 2>/dev/null
  echo '```'
  echo
  echo "| step | result | ms | info |"
  echo "|---|---|---|---|"
  echo "$STEPS" | sed -n 's/^MPATH step=\([^ ]*\) result=\([A-Z]*\) ms=\([0-9]*\) info="\(.*\)"$/| \1 | \2 | \3 | \4 |/p'
  echo
  echo "Result: ${RESULT:-none} (QEMU exit $QRC, wall $((T1 - T0)) s)"
} >"$OUTDIR/summary.md"

echo "$STEPS" | sed -n 's/^MPATH step=\([^ ]*\) result=\([A-Z]*\) ms=\([0-9]*\) info="\(.*\)"$/  \2  \1 (\3 ms) \4/p'
if [[ $RESULT == "MPATH-RESULT PASS"* ]]; then
  RC=0 VERDICT=PASS
elif [[ $RESULT == "MPATH-RESULT FAIL"* ]]; then
  RC=1 VERDICT=FAIL
else
  RC=3 VERDICT=ERROR
  if ((QRC == 124 || QRC == 137)); then RESULT="no result: QEMU killed after ${TIMEOUT}s"; else RESULT="no result line (QEMU exit $QRC; see $OUTDIR/qemu.log, console.txt)"; fi
fi
extra=''
[[ $VERDICT == ERROR ]] && extra=" - $RESULT"
pause=$(sed -n 's/.*pause_ms=\([0-9]*\).*/\1/p' <<<"$RESULT")
echo "linux-multipath: $VERDICT 127.0.0.1:$PORT_A+$PORT_B $TARGET: $(grep -c 'result=PASS' <<<"$STEPS") passed," \
  "$(grep -c 'result=FAIL' <<<"$STEPS") failed, I/O pause ${pause:-?} ms, $((T1 - T0)) s${extra}, logs $OUTDIR" |
  tee "$OUTDIR/result.txt"
exit $RC
