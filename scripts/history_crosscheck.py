"""Same series, two implementations: `bench history` (Swift) against apache-otava's
compute_change_points (window 50, p 0.001, magnitude 0: Otava's defaults). See ci-history-checks.

Then two synthetic histories of two machines (bench-b 1.6x slower than bench-a): 12 runs of one
commit, bench-a's then bench-b's, must show no change point; 30 commits with the machines
alternating and a +10 % step planted on bench-a must show it on bench-a only. The second is
exported with `bench history export --otava`, read back with Otava's own config loader and CSV
importer, and analyzed by Otava: the change points must equal bench's, machine by machine.

    history_crosscheck.py --example DIR   writes the two histories to DIR/switch and DIR/planted
"""

import csv
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timezone

from otava.analysis import compute_change_points

COLUMNS = ["run_id", "timestamp", "commit", "host", "cpu_model", "kernel", "swift", "build", "strategy",
           "workload", "phase", "op", "threads", "cpus", "size", "repetition", "metric", "value", "unit"]


def series_set(rng, length):
    """Named series of one length: each becomes one case (its `size`) of a synthetic history."""
    def noise(scale):
        return [rng.gauss(0, scale) for _ in range(length)]
    out = {}
    out["noise"] = [100 + e for e in noise(1)]
    out["step+10%"] = [(100 if i < length // 2 else 110) + e for i, e in enumerate(noise(1))]
    out["step-3%"] = [(100 if i < length // 3 else 97) + e for i, e in enumerate(noise(1))]
    out["two-steps"] = [(100 if i < length // 4 else 90 if i < 3 * length // 4 else 105) + e
                        for i, e in enumerate(noise(0.7))]
    out["small-shift"] = [(100 if i < length // 2 else 101) + e for i, e in enumerate(noise(1))]
    outliers = [100 + e for e in noise(0.5)]
    for i in rng.sample(range(length), max(1, length // 10)):
        outliers[i] *= 0.7
    out["outliers"] = outliers
    out["ramp"] = [100 + 0.1 * i + e for i, e in enumerate(noise(0.5))]
    return out


def write_history(directory, named):
    """One results CSV per point, named like HistoryStore's files; 3 equal repetitions per case."""
    length = len(next(iter(named.values())))
    for i in range(length):
        commit = f"c{i:04d}"
        stamp = f"2026{1 + i // (28 * 24) % 12:02d}{1 + i // 24 % 28:02d}T{i % 24:02d}0000Z"
        path = os.path.join(directory, f"{stamp}_{commit}_run{i}.csv")
        with open(path, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(COLUMNS)
            for size, name in enumerate(sorted(named), start=1):
                for rep in range(3):
                    w.writerow([f"run{i}", "2026-01-01T00:00:00Z", commit, "host", "cpu", "k", "6.3", "release",
                                "atomic", "pair", "live", "pair", 1, "0", size, rep, "mops", repr(named[name][i]),
                                "Mops/s"])


def bench(*args):
    return subprocess.run([os.environ["BENCH"], *args], check=True, capture_output=True, text=True).stdout


def bench_change_points(directory, names):
    out = bench("history", "show", "--dir", directory, "--format", "csv")
    found = {name: [] for name in names}
    for row in csv.DictReader(io.StringIO(out)):
        if row["kind"] == "change":
            found[sorted(names)[int(row["size"]) - 1]].append((int(row["index"]), float(row["p_value"])))
    return found


def check_single_machine():
    rng = random.Random(20261201)
    failures = checked = with_points = 0
    for length in [12, 30, 49, 80, 160]:
        for trial in range(3):
            named = series_set(rng, length)
            directory = tempfile.mkdtemp(prefix="history-xcheck-")
            try:
                write_history(directory, named)
                ours = bench_change_points(directory, list(named))
            finally:
                shutil.rmtree(directory)
            for name, values in named.items():
                theirs, _ = compute_change_points(list(values))
                expected = [(int(c.index), float(c.stats.pvalue)) for c in theirs]
                checked += 1
                with_points += bool(expected)
                same_indices = [i for i, _ in ours[name]] == [i for i, _ in expected]
                same_p = all(abs(a - b) <= 1e-9 + 1e-6 * b for (_, a), (_, b) in zip(ours[name], expected))
                if not (same_indices and same_p):
                    failures += 1
                    print(f"MISMATCH length {length} trial {trial} {name}: bench {ours[name]} otava {expected}",
                          file=sys.stderr)
    print(f"ci-history-checks: {checked - failures}/{checked} series agree with apache-otava "
          f"({with_points} with change points)", file=sys.stderr)
    return failures


MACHINES = {"bench-a": ("Intel Xeon Gold 6230 (Cascade Lake)", "6.1.0-28-amd64", 1.0),
            "bench-b": ("AMD EPYC 7B13 (Zen 3)", "6.1.0-28-amd64", 1.6)}
CASES = {"atomic": 7.0, "percpu-ref": 4.0}


def write_run(directory, host, commit, stamp, run_id, atomic_step, rng):
    """One run of `host`: ns_per_op and mops of each case of CASES, 3 repetitions, 1 % noise, the
    machine's factor applied and the atomic case `atomic_step` times slower."""
    cpu, kernel, factor = MACHINES[host]
    with open(os.path.join(directory, f"{stamp}_{commit}_{run_id}.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for strategy, ns in CASES.items():
            for rep in range(3):
                v = ns * factor * (atomic_step if strategy == "atomic" else 1) * (1 + 0.01 * rng.gauss(0, 1))
                for metric, value, unit in [("ns_per_op", v, "ns"), ("mops", 1000 / v, "Mops/s")]:
                    w.writerow([run_id, "2026-12-03T10:00:00Z", commit, host, cpu, kernel, "6.3", "release", strategy,
                                "batch", "live", "free", 1, "0", 64, rep, metric, repr(value), unit])


def write_two_machine_histories(root):
    """DIR/switch: 12 runs of one commit, 6 of bench-a then 6 of bench-b (nothing changed).
    DIR/planted: 30 commits, one run of each machine per commit, atomic +10 % on bench-a from c015."""
    rng = random.Random(29)
    switch, planted = os.path.join(root, "switch"), os.path.join(root, "planted")
    os.makedirs(switch)
    os.makedirs(planted)
    for i, host in enumerate(["bench-a"] * 6 + ["bench-b"] * 6):
        write_run(switch, host, "c0ffee123456", "20261202T120000Z", f"20261203-10{i:02d}00-{host}", 1.0, rng)
    for c in range(30):
        for host in MACHINES:
            step = 1.10 if host == "bench-a" and c >= 15 else 1.0
            write_run(planted, host, f"c{c:03d}", f"202611{1 + c // 24:02d}T{c % 24:02d}0000Z", f"run{c:03d}-{host}",
                      step, rng)
    return switch, planted


def bench_changes_by_machine(directory):
    """{(machine, test name, metric): [(index, p)]} from `bench history show --format csv`."""
    found = {}
    for row in csv.DictReader(io.StringIO(bench("history", "show", "--dir", directory, "--format", "csv"))):
        test = ".".join([row["machine"], row["strategy"], row["workload"], row["phase"], row["op"],
                         "t" + row["threads"], row["size"] + "B"])
        points = found.setdefault((row["machine"], test, row["metric"]), [])
        if row["kind"] == "change":
            points.append((int(row["index"]), float(row["p_value"])))
    return found


def otava_changes_by_machine(export_dir):
    """The same from Otava: its config loader on otava.yaml, its CSV importer, its analysis."""
    from ruamel.yaml import YAML
    from otava.config import load_test_groups, load_tests
    from otava.data_selector import DataSelector
    from otava.importer import CsvImporter
    from otava.series import AnalysisOptions

    with open(os.path.join(export_dir, "otava.yaml")) as f:
        config = YAML(typ="safe").load(f)
    tests = load_tests(config, {})
    selector = DataSelector()
    selector.since_time = datetime(1970, 1, 1, tzinfo=timezone.utc)  # the default is the last year
    found = {}
    for machine, group in load_test_groups(config, tests).items():
        for test in group:
            analyzed = CsvImporter().fetch_data(test, selector).analyze(AnalysisOptions())
            for metric, points in analyzed.change_points.items():
                found[(machine, test.name, metric)] = [(int(c.index), float(c.stats.pvalue)) for c in points]
    return found


def expect_exit(code, what, *args):
    """1 unless `bench args` exits `code` with one line on stderr (0 when it does)."""
    done = subprocess.run([os.environ["BENCH"], *args], capture_output=True, text=True)
    if done.returncode == code and len(done.stderr.splitlines()) == 1:
        return 0
    print(f"MISMATCH {what}: exit {done.returncode} (want {code}), stderr {done.stderr!r}", file=sys.stderr)
    return 1


def check_two_machines():
    failures = 0
    root = tempfile.mkdtemp(prefix="history-two-machines-")
    try:
        switch, planted = write_two_machine_histories(root)
        switched = bench_changes_by_machine(switch)
        if len({k[0] for k in switched}) != 2 or any(switched.values()):
            failures += 1
            print(f"MISMATCH machine switch: want two machines without change points, got {switched}", file=sys.stderr)
        ours = bench_changes_by_machine(planted)
        flagged = {k: [i for i, _ in v] for k, v in ours.items() if v}
        want = {("bench-a", "bench-a.atomic.batch.live.free.t1.64B", m): [30 // 2] for m in ["ns_per_op", "mops"]}
        if flagged != want:
            failures += 1
            print(f"MISMATCH planted step: bench found {flagged}, want {want}", file=sys.stderr)
        export = os.path.join(root, "otava")
        bench("history", "export", "--otava", export, "--dir", planted)
        failures += expect_exit(64, "history --host of no machine", "history", "--dir", planted, "--host", "bench-c")
        failures += expect_exit(73, "export over an export", "history", "export", "--otava", export, "--dir", planted)
        theirs = otava_changes_by_machine(export)
        for key in sorted(set(ours) | set(theirs)):
            a, b = ours.get(key), theirs.get(key)
            same = a is not None and b is not None and [i for i, _ in a] == [i for i, _ in b] and all(
                abs(x - y) <= 1e-9 + 1e-6 * y for (_, x), (_, y) in zip(a, b))
            if not same:
                failures += 1
                print(f"MISMATCH two machines {key}: bench {a} otava {b}", file=sys.stderr)
        print(f"ci-history-checks: two machines: no change point at a 1.6x machine switch; the planted +10 % "
              f"step found on bench-a only; Otava on the export agrees on {len(theirs)} series "
              f"({sum(bool(v) for v in theirs.values())} with change points)", file=sys.stderr)
    finally:
        shutil.rmtree(root)
    return failures


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--example":
        os.makedirs(sys.argv[2], exist_ok=True)
        print("\n".join(write_two_machine_histories(os.path.abspath(sys.argv[2]))))
        return 0
    failures = check_single_machine() + check_two_machines()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
