"""Same series, two implementations: `bench history` (Swift) against apache-otava's
compute_change_points (window 50, p 0.001, magnitude 0: Otava's defaults). See ci-history-checks."""

import csv
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile

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


def bench_change_points(directory, names):
    out = subprocess.run([os.environ["BENCH"], "history", "show", "--dir", directory, "--format", "csv"],
                         check=True, capture_output=True, text=True).stdout
    found = {name: [] for name in names}
    for row in csv.DictReader(io.StringIO(out)):
        if row["kind"] == "change":
            found[sorted(names)[int(row["size"]) - 1]].append((int(row["index"]), float(row["p_value"])))
    return found


def main():
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
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
