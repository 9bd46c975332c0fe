#!/usr/bin/env bash
# Runs libiscsi's conformance suite (iscsi-test-cu, Debian package libiscsi-bin) against one LUN and counts the
# results per suite, so that any two targets can be compared side by side.
#
# Usage: scripts/conformance.sh URL OUTDIR
#   URL     the LUN, iscsi://127.0.0.1:PORT/IQN/LUN (loopback only: the suite OVERWRITES the LUN)
#   OUTDIR  receives conformance.log (the raw output), conformance-results.tsv (one line per test:
#           test, verdict, detail) and conformance-counts.txt (passed/failed/skipped/error per suite and in all)
# Environment:
#   MP_URL      second path to the same LUN for the MultipathIO tests (default: URL again; "none": no second path)
#   CU_TESTS    what to run, FAMILY[.SUITE[.TEST]] (default ALL: every SCSI and iSCSI test once)
#   CU_TIMEOUT  seconds before the run is killed (default 600)
#
# A test that prints [SKIPPED] counts as skipped (CUnit itself reports it as passed); a test with no verdict
# (the suite crashed, hung or was killed inside it) counts as error. -d allows tests that overwrite data and -S
# allows SANITIZE; -A (stop at the first failure) is never used.
set -euo pipefail

usage() { echo "usage: $0 URL OUTDIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
url=$1
out=$2
mp=${MP_URL:-$url}

loopback() { [[ $1 =~ ^iscsi://(127\.[0-9]+\.[0-9]+\.[0-9]+|localhost|\[::1\])(:[0-9]+)?/ ]]; }
loopback "$url" || { echo "$0: refusing $url: loopback addresses only (the suite overwrites the LUN)" >&2; exit 2; }
if [[ $mp != none ]]; then
  loopback "$mp" || { echo "$0: refusing MP_URL $mp: loopback addresses only" >&2; exit 2; }
fi
command -v iscsi-test-cu >/dev/null || { echo "$0: iscsi-test-cu not found: apt-get install libiscsi-bin" >&2; exit 1; }

mkdir -p "$out"
args=(-d -S -t "${CU_TESTS:-ALL}" "$url")
[[ $mp == none ]] || args+=("$mp")

start=$(date +%s)
status=0
timeout --kill-after=10 "${CU_TIMEOUT:-600}" iscsi-test-cu "${args[@]}" >"$out/conformance.log" 2>&1 || status=$?
seconds=$(($(date +%s) - start))

# One line per test: SUITE.TEST, verdict, detail. A verdict ("passed" or "FAILED") follows the test's "..." or
# starts a line; what comes after it belongs to the suite's clean-up.
awk '
  function close_test(verdict, detail) {
    n++; names[n] = open; verdicts[n] = verdict; details[n] = detail; open = ""; skip = ""
  }
  function body(text) {
    if (index(text, "[SKIPPED]") > 0 && skip == "") {
      skip = substr(text, index(text, "[SKIPPED]") + 10); sub(/^ +/, "", skip); sub(/ +$/, "", skip)
    }
  }
  function verdict(text) {
    if (text ~ /^FAILED/) { close_test("failed", ""); failed = n }
    else if (skip != "") close_test("skipped", skip)
    else close_test("passed", "")
  }
  failed && /^ +[0-9]+\. / {
    line = $0; sub(/^ +[0-9]+\. +/, "", line); sub(/ +\[SKIPPED\].*$/, "", line); gsub(/ +/, " ", line)
    if (index(details[failed], line) == 0) details[failed] = details[failed] (details[failed] == "" ? "" : "; ") line
    next
  }
  { failed = 0 }
  /^Suite: / {
    if (open != "") close_test("error", "no verdict before the next suite")
    suite = $2; next
  }
  /^  Test: .* \.\.\./ {
    if (open != "") close_test("error", "no verdict before the next test")
    line = substr($0, 9); cut = index(line, " ...")
    open = suite "." substr(line, 1, cut - 1); rest = substr(line, cut + 4)
    if (rest ~ /^(passed|FAILED)/) verdict(rest); else body(rest)
    next
  }
  open != "" { if ($0 ~ /^(passed|FAILED)/) verdict($0); else body($0) }
  /^Run Summary:/ { finished = 1 }
  END {
    if (open != "") close_test("error", "the log ends inside the test (crash, hang or timeout)")
    print "test\tverdict\tdetail"
    for (i = 1; i <= n; i++) print names[i] "\t" verdicts[i] "\t" details[i]
    if (!finished) print "(run)\terror\tno CUnit run summary: the suite did not finish"
  }
' "$out/conformance.log" >"$out/conformance-results.tsv"

{
  echo "# iscsi-test-cu ${args[*]}"
  ended="exit status $status"
  [[ $status -eq 124 || $status -eq 137 ]] && ended="killed at the timeout"
  echo "# libiscsi-bin $(dpkg-query -W -f='${Version}' libiscsi-bin 2>/dev/null || echo '?'), $ended, $seconds s"
  awk -F'\t' '
    NR == 1 || $1 == "(run)" { next }
    {
      split($1, p, "."); s = p[1]
      if (!(s in seen)) { seen[s] = 1; order[++k] = s }
      c[s, $2]++; c["ALL", $2]++; t[s]++; t["ALL"]++
    }
    END {
      printf "%-26s %6s %6s %6s %6s %6s\n", "suite", "total", "passed", "failed", "skipped", "error"
      printf "%-26s %6d %6d %6d %6d %6d\n", "ALL", t["ALL"], c["ALL", "passed"], c["ALL", "failed"], c["ALL", "skipped"], c["ALL", "error"]
      for (i = 1; i <= k; i++) { s = order[i]
        printf "%-26s %6d %6d %6d %6d %6d\n", s, t[s], c[s, "passed"], c[s, "failed"], c[s, "skipped"], c[s, "error"] }
    }' "$out/conformance-results.tsv"
  awk -F'\t' '$2 == "failed" || $2 == "error" { if (!h++) print "\nfailed or without a verdict:"; print "  " $1 ": " $2 " " $3 }' \
    "$out/conformance-results.tsv"
} >"$out/conformance-counts.txt"
cat "$out/conformance-counts.txt"
