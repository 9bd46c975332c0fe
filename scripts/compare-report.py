#!/usr/bin/env python3
"""Writes the markdown report of scripts/compare.sh from the files it leaves in OUTDIR.

Usage: scripts/compare-report.py OUTDIR   (the report goes to standard output)

Every figure is the median of the runs that succeeded; a cell none of whose runs succeeded stays empty ("-"), and
one where some runs failed is marked with "*". A ratio is given only where both targets have a figure. Failed
runs, and what compare.sh noted while it ran (a target that did not start or exited, a failed write of the random
data), are listed under "Problems".
"""

import csv
import json
import os
import statistics
import sys

TARGETS = ("tgt", "iscsi4j")
MATRIX_ROWS = [
    ("iscsi-perf-seq-read", "iscsi-perf sequential read"),
    ("iscsi-perf-rand-read", "iscsi-perf random read"),
    ("qemu-img-seq-read", "qemu-img bench read"),
    ("qemu-img-seq-write", "qemu-img bench write"),
]
NAMES = dict(MATRIX_ROWS)
MIB = 1048576


def read_env(out):
    env = {}
    path = os.path.join(out, "compare.env")
    if os.path.exists(path):
        for line in open(path):
            key, _, value = line.rstrip("\n").partition("=")
            env[key] = value
    return env


class Cell:
    """The runs of one point (workload, block size, queue depth, sessions) on one target."""

    def __init__(self):
        self.iops = []
        self.ops = []
        self.logins = []
        self.cpu = []
        self.errors = []

    def add(self, row, where):
        if row["iops"]:
            self.iops.append(float(row["iops"]))
            if row.get("ops"):
                self.ops.append(float(row["ops"]))
        else:
            self.errors.append(f"{where}: run {row['run']}: {row['error'] or 'no result'}")
        if row.get("login_s"):
            self.logins.append(float(row["login_s"]))
        if row.get("target_cpu_us_per_op"):
            self.cpu.append(float(row["target_cpu_us_per_op"]))

    @property
    def runs(self):
        return len(self.iops) + len(self.errors)

    def median(self):
        return statistics.median(self.iops) if self.iops else None

    def cpu_median(self):
        return statistics.median(self.cpu) if self.cpu else None

    @property
    def partial(self):
        return bool(self.errors) and bool(self.iops)


def load_runs(path, cells, target, part, out):
    """Adds the runs of one benchmark-runs.csv to cells[(target, part, workload, size, qd, sessions)]."""
    if not os.path.exists(path):
        return
    for row in csv.DictReader(open(path)):
        key = (target, part, row["workload"], int(row["block_bytes"]), int(row["queue_depth"]),
               int(row.get("sessions") or 1))
        where = f"{target} {NAMES.get(row['workload'], row['workload'])} {size_label(key[3])} QD {key[4]}"
        if part == "sessions":
            where += f" x {key[5]} sessions"
        # benchmark.sh names the raw output relative to its own directory; the report, relative to OUTDIR
        row["error"] = row["error"].replace("(see raw/", f"(see {os.path.relpath(os.path.dirname(path), out)}/raw/")
        cells.setdefault(key, Cell()).add(row, where)


def size_label(size):
    return f"{size // MIB} MiB" if size >= MIB and size % MIB == 0 else f"{size // 1024} KiB"


def fmt(value, digits=0, mark=False):
    if value is None:
        return "-"
    text = f"{value:,.{digits}f}" if digits == 0 else f"{value:.{digits}f}"
    return text + ("*" if mark else "")


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def table(header, rows, align=None):
    align = align or ["---"] + ["---:"] * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: compare-report.py OUTDIR")
    out = sys.argv[1]
    env = read_env(out)
    parts = env.get("parts", "").split()
    targets = [t for t in env.get("targets", " ".join(TARGETS)).split() if t in TARGETS]
    both = all(t in targets for t in TARGETS)
    sizes = [int(s) for s in env.get("sizes", "4096 262144 1048576").split()]
    matrix_depths = [int(d) for d in env.get("matrix_depths", "1 32").split()]
    sweep_depths = [int(d) for d in env.get("sweep_depths", "1 2 4 8 16 32 64").split()]
    session_counts = [int(n) for n in env.get("sessions", "1 4 16 64").split()]
    lun_mib = int(env.get("lun_mib", "1024"))

    cells = {}
    for t in targets:
        load_runs(os.path.join(out, t, "matrix", "benchmark-runs.csv"), cells, t, "matrix", out)
        for n in session_counts:
            load_runs(os.path.join(out, t, f"sessions-{n}", "benchmark-runs.csv"), cells, t, "sessions", out)

    # sessions=None: the matrix; a number: the sessions run with that many sessions
    def cell(t, workload, size, qd, sessions=None):
        return cells.get((t, "matrix" if sessions is None else "sessions", workload, size, qd, sessions or 1))

    def med(t, workload, size, qd, sessions=None):
        c = cell(t, workload, size, qd, sessions)
        return c.median() if c else None

    def shown(t, workload, size, qd, sessions=None, digits=0, mib=False):
        c = cell(t, workload, size, qd, sessions)
        if not c or c.median() is None:
            return "-"
        value = c.median() * size / MIB if mib else c.median()
        return fmt(value, 1 if mib else digits, c.partial)

    def matrix_points():
        for workload, _ in MATRIX_ROWS:
            for size in sizes:
                if workload == "iscsi-perf-rand-read" and size != 4096:
                    continue
                yield workload, size

    p = print
    where = {"memory": "the Java heap (RAM disk)", "file": "a file in tmpfs",
             "rbd": "a Ceph RBD image (--rbd)"}
    tgt_store = ("serves an RBD image of the same cluster (rbd backing store)" if env.get("backing") == "rbd"
                 else "allocated file in tmpfs (rdwr backing store)")
    tgt_store = tgt_store if env.get("backing") == "rbd" else "serves a fully " + tgt_store
    p("# iscsi4j and tgt side by side")
    p()
    p(f"Started {env.get('started', '?')} on {env.get('machine', '?')}. tgt {env.get('tgt', '?')}; "
      f"iscsi4j: {env.get('demo_jar', 'the demo jar')} on {env.get('java', 'java')}, {env.get('java_opts', '')}, "
      f"LUN in {where.get(env.get('backing'), 'a file in tmpfs')}. "
      f"Clients: libiscsi-bin {env.get('libiscsi', '?')} (iscsi-perf), {env.get('qemu', 'qemu-img')}.")
    p(f"LUN of {lun_mib} MiB on each target, written with the same random data first; tgt "
      f"{tgt_store}. Runs per point: {env.get('reps', '?')}, of about "
      f"{env.get('secs', '?')} s each; medians; one target at a time, the same clients against both.")
    p("`-` no run of the point succeeded; `*` some runs failed and the figure is the median of the others; "
      "see Problems.")
    p()

    # Matrix
    ratios = []
    if ("matrix" in parts or "sweep" in parts) and not both:
        p("## Matrix")
        p()
        p(f"Only {', '.join(targets) or 'no target'} measured (TARGETS), so there are no ratios.")
        p()
    if ("matrix" in parts or "sweep" in parts) and both:
        p("## Matrix: iscsi4j / tgt")
        p()
        p("Ratio of the median IOPS, iscsi4j / tgt, per workload, block size and queue depth (above 1: iscsi4j "
          "is faster).")
        p()
        rows = []
        for workload, size in matrix_points():
            row = [f"{NAMES[workload]}, {size_label(size)}"]
            for qd in matrix_depths:
                r = ratio(med("iscsi4j", workload, size, qd), med("tgt", workload, size, qd))
                if r is not None:
                    ratios.append((r, f"{NAMES[workload]}, {size_label(size)}, QD {qd}"))
                row.append(fmt(r, 2))
            rows.append(row)
        p(table(["workload"] + [f"QD {qd}" for qd in matrix_depths], rows))
        p()
        cells_total = len(rows) * len(matrix_depths)
        if ratios:
            lowest = min(ratios)
            p(f"Median ratio over {len(ratios)} of {cells_total} cells: **{statistics.median(r for r, _ in ratios):.2f}**; "
              f"lowest: **{lowest[0]:.2f}** ({lowest[1]}).")
        else:
            p(f"No ratio: none of the {cells_total} cells has a figure from both targets.")
        if ratios and len(ratios) < cells_total:
            missing = cells_total - len(ratios)
            p(f"{missing} {'cell has' if missing == 1 else 'cells have'} no ratio (see Problems).")
        p()
    if "matrix" in parts or "sweep" in parts:
        p("Medians per target (IOPS, MiB/s):")
        p()
        rows = []
        for workload, size in matrix_points():
            for qd in matrix_depths:
                row = [NAMES[workload], size_label(size), qd]
                for t in TARGETS:
                    row += [shown(t, workload, size, qd), shown(t, workload, size, qd, mib=True)]
                row.append(fmt(ratio(med("iscsi4j", workload, size, qd), med("tgt", workload, size, qd)), 2))
                rows.append(row)
        p(table(["workload", "block", "QD", "tgt IOPS", "tgt MiB/s", "iscsi4j IOPS", "iscsi4j MiB/s", "ratio"], rows,
                ["---", "---:", "---:"] + ["---:"] * 5))
        p()

        p("## CPU per operation")
        p()
        p("CPU time of the target process (user + system, all threads, from /proc/PID/stat) over each run, divided "
          "by the operations of the run; median in microseconds. Ratio iscsi4j / tgt: below 1, iscsi4j spends less "
          "CPU per operation. The clock tick is 1/100 s, so short runs of few operations are coarse.")
        p()
        rows = []
        cpu_ratios = []
        for workload, size in matrix_points():
            for qd in matrix_depths:
                values = [cell(t, workload, size, qd).cpu_median() if cell(t, workload, size, qd) else None
                          for t in TARGETS]
                r = ratio(values[1], values[0])
                if r is not None:
                    cpu_ratios.append(r)
                rows.append([NAMES[workload], size_label(size), qd, fmt(values[0], 2), fmt(values[1], 2), fmt(r, 2)])
        p(table(["workload", "block", "QD", "tgt CPU-µs/op", "iscsi4j CPU-µs/op", "ratio"], rows,
                ["---", "---:", "---:", "---:", "---:", "---:"]))
        p()
        if cpu_ratios:
            p(f"Median CPU ratio over {len(cpu_ratios)} cells: **{statistics.median(cpu_ratios):.2f}**.")
            p()

    # Sweep
    if "sweep" in parts:
        p("## Queue-depth sweep")
        p()
        p("Median MiB/s per queue depth; the last columns give the best depth and QD 32 throughput as a fraction of "
          "the best depth's (goal: at least 95 %).")
        p()
        for t in targets:
            p(f"### {t}")
            p()
            rows = []
            for workload, size in matrix_points():
                values = {qd: med(t, workload, size, qd) for qd in sweep_depths}
                got = {qd: v for qd, v in values.items() if v is not None}
                best = max(got, key=got.get) if got else None
                frac = ratio(values.get(32), got[best]) if best is not None else None
                row = [f"{NAMES[workload]}, {size_label(size)}"]
                row += [shown(t, workload, size, qd, mib=True) for qd in sweep_depths]
                row += [best if best is not None else "-", fmt(frac * 100 if frac is not None else None, 0) +
                        (" %" if frac is not None else ""),
                        "-" if frac is None else ("yes" if frac >= 0.95 else "**no**")]
                rows.append(row)
            p(table(["workload"] + [f"QD {qd}" for qd in sweep_depths] + ["best QD", "QD 32 / best", "≥ 95 %"], rows))
            p()

    # Sessions
    if "sessions" in parts:
        ssecs = float(env.get("session_secs") or env.get("secs") or 1)
        p("## Many sessions")
        p()
        p(f"N iscsi-perf processes, each logged in under its own initiator name (4 at a time), 4 KiB random reads "
          f"at QD 32 for {env.get('session_secs', '?')} s each. IOPS: the operations of all processes over the wall "
          "time from the first start to the last end (low rather than high, as the logins are spread out); sum: "
          "the sum of the processes' averages (high rather than low); the truth is in between, and the two are "
          "close when the logins took little of the run (login column, seconds). A run counts only if every "
          "process reported. Ratio and CPU per operation (target CPU-µs per operation) use the IOPS column.")
        p()
        rows = []
        for n in session_counts:
            cs = [cell(t, "iscsi-perf-rand-read", 4096, 32, n) for t in TARGETS]
            values = [c.median() if c else None for c in cs]
            cpus = [c.cpu_median() if c else None for c in cs]
            row = [n]
            for t, c in zip(TARGETS, cs):
                row += [shown(t, "iscsi-perf-rand-read", 4096, 32, n),
                        fmt(statistics.median(c.ops) / ssecs if c and c.ops else None),
                        fmt(max(c.logins), 2) if c and c.logins else "-"]
            row += [fmt(ratio(values[1], values[0]), 2), fmt(cpus[0], 2), fmt(cpus[1], 2),
                    fmt(ratio(cpus[1], cpus[0]), 2)]
            rows.append(row)
        p(table(["sessions", "tgt IOPS", "tgt sum", "tgt login", "iscsi4j IOPS", "iscsi4j sum", "iscsi4j login",
                 "ratio", "tgt CPU-µs/op", "iscsi4j CPU-µs/op", "CPU ratio"], rows))
        p()
        if len(session_counts) >= 2:
            hi, lo = (64, 16) if {64, 16} <= set(session_counts) else tuple(sorted(session_counts)[-1:-3:-1])
            for t in targets:
                a, b = med(t, "iscsi-perf-rand-read", 4096, 32, hi), med(t, "iscsi-perf-rand-read", 4096, 32, lo)
                ca, cb = cell(t, "iscsi-perf-rand-read", 4096, 32, hi), cell(t, "iscsi-perf-rand-read", 4096, 32, lo)
                if a is None or b is None:
                    p(f"- {t}: IOPS at {hi} sessions ≥ at {lo}: unknown (missing runs).")
                else:
                    sa, sb = statistics.median(ca.ops) / ssecs, statistics.median(cb.ops) / ssecs
                    p(f"- {t}: IOPS at {hi} sessions ≥ at {lo}: **{'yes' if a >= b else 'no'}** "
                      f"({a:,.0f} against {b:,.0f}, {a / b:.2f}); by the sums: {'yes' if sa >= sb else 'no'} "
                      f"({sa / sb:.2f}).")
        for t in targets:
            path = os.path.join(out, t, "sessions-check.txt")
            if os.path.exists(path):
                check = dict(kv.split("=") for kv in open(path).read().split())
                p(f"- {t}: {check.get('logins')} logins of the benchmark's initiators in the target's log "
                  f"({check.get('expected')} processes ran), {check.get('reinstatements')} session reinstatements.")
            elif t == "tgt":
                p("- tgt: tgtd logs no logins or reinstatements at its default level; every process must still "
                  "report its own result for a run to count.")
        p()

    # Memory
    if "memory" in parts:
        p("## Memory")
        p()
        p(f"The target process's resident set (VmRSS, sampled every {env.get('sample', '0.5')} s or so) and its peak "
          "as the kernel records it (VmHWM, which counts from the start, so it includes earlier phases), per phase, "
          "in MiB. For iscsi4j's RAM disk the LUN lives in the Java heap, so the last column subtracts the LUN's "
          f"{lun_mib} MiB; tgt's LUN is a tmpfs file outside its process, and so is iscsi4j's with a file backing.")
        p()
        rows = []
        summary = []
        for t in targets:
            path = os.path.join(out, t, "memory.csv")
            if not os.path.exists(path):
                continue
            # a sample taken while /proc/PID/status was being rewritten may lack a field
            samples = [r for r in csv.DictReader(open(path)) if r["vmrss_kib"] and r["vmhwm_kib"]]
            lun_in_rss = t == "iscsi4j" and env.get("backing") == "memory"
            phases = []
            for r in samples:
                if r["phase"] not in phases:
                    phases.append(r["phase"])
            for ph in phases:
                rs = [r for r in samples if r["phase"] == ph]
                peak = max(int(r["vmrss_kib"]) for r in rs) / 1024
                last = int(rs[-1]["vmrss_kib"]) / 1024
                hwm = int(rs[-1]["vmhwm_kib"]) / 1024
                rows.append([t, ph, len(rs), fmt(peak), fmt(last), fmt(hwm),
                             fmt(peak - lun_mib) if lun_in_rss else "-"])
            if samples:
                peak = max(int(r["vmrss_kib"]) for r in samples) / 1024
                hwm = max(int(r["vmhwm_kib"]) for r in samples) / 1024
                if lun_in_rss:
                    summary.append(f"- {t}: peak VmRSS {peak:,.0f} MiB, VmHWM {hwm:,.0f} MiB: **{hwm - lun_mib:,.0f} "
                                   f"MiB** beyond the {lun_mib} MiB LUN ({env.get('java_opts', '')}).")
                else:
                    summary.append(f"- {t}: peak VmRSS {peak:,.0f} MiB, VmHWM {hwm:,.0f} MiB (the LUN is not in "
                                   "the process).")
        if rows:
            p(table(["target", "phase", "samples", "peak VmRSS", "last VmRSS", "VmHWM", "peak VmRSS − LUN"], rows,
                    ["---", "---", "---:", "---:", "---:", "---:", "---:"]))
            p()
            p("\n".join(summary))
        else:
            p("No samples.")
        p()

    # Ceiling
    if "ceiling" in parts:
        p("## Ceiling: loopback TCP")
        p()
        speeds = []
        for run in range(1, int(env.get("reps", "1")) + 1):
            path = os.path.join(out, "ceiling", f"iperf3-{run}.json")
            try:
                data = json.load(open(path))
                speeds.append(data["end"]["sum_received"]["bits_per_second"] / 8 / MIB)
            except (OSError, ValueError, KeyError, TypeError):
                pass
        ceiling = statistics.median(speeds) if speeds else None
        if ceiling is None:
            p("iperf3 gave no result (see Problems), so there is no fraction to give.")
        else:
            p(f"One iperf3 stream over loopback: **{ceiling:,.0f} MiB/s** (median of "
              f"{', '.join(f'{s:,.0f}' for s in speeds)}). Throughput at QD 32 as a fraction of it:")
        p()
        rows = []
        for workload in ("iscsi-perf-seq-read", "qemu-img-seq-read", "qemu-img-seq-write"):
            for size in [s for s in sizes if s >= 262144]:
                row = [NAMES[workload], size_label(size)]
                for t in TARGETS:
                    v = med(t, workload, size, 32)
                    mib = v * size / MIB if v is not None else None
                    frac = ratio(mib, ceiling)
                    row += [fmt(mib, 1), fmt(frac * 100 if frac is not None else None) + (" %" if frac else "")]
                rows.append(row)
        p(table(["workload", "block", "tgt MiB/s", "tgt / ceiling", "iscsi4j MiB/s", "iscsi4j / ceiling"], rows,
                ["---", "---:", "---:", "---:", "---:", "---:"]))
        p()

    # Problems
    problems = []
    notes = os.path.join(out, "notes.txt")
    if os.path.exists(notes):
        problems += [line.strip() for line in open(notes) if line.strip()]
    for key in sorted(cells, key=lambda k: (TARGETS.index(k[0]), k[1], k[5], k[2], k[3], k[4])):
        problems += cells[key].errors
    if "matrix" in parts or "sweep" in parts:
        for t in targets:
            missing = [f"{NAMES[workload]} {size_label(size)} QD {qd}" for workload, size in matrix_points()
                       for qd in matrix_depths if not cell(t, workload, size, qd)]
            if missing and len(missing) == len(list(matrix_points())) * len(matrix_depths):
                problems.append(f"{t}: no point of the matrix was measured")
            else:
                problems += [f"{t} {point}: not measured" for point in missing]
    p("## Problems")
    p()
    p("\n".join(f"- {line}" for line in problems) if problems else "None: every run reported a result.")


if __name__ == "__main__":
    main()
