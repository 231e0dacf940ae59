"""A case's history with its change points, from `bench history show --case CASE --format csv`.

    scripts/plot history [--dir Results/history] CASE OUT_STEM   (the wrapper runs bench history)

Writes OUT_STEM.png and OUT_STEM.svg: one point per run in commit order, the mean of each
segment between change points as a line, and a dashed vertical line at each change point labelled
with its commit and change. One panel per matching case and machine (at most 6)."""

import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EX_DATAERR = 65


def main(history_csv, out_stem):
    series = {}
    with open(history_csv, newline="") as f:
        for row in csv.DictReader(f):
            key = "/".join([row["strategy"], row["workload"], row["phase"], row["op"], "t" + row["threads"],
                            row["size"] + "B", row["metric"]])
            # One series per machine: never one line through two machines' points.
            if row.get("machine"):
                key = f"{row['machine']}: {key}"
            s = series.setdefault(key, {"unit": row["unit"], "points": [], "changes": []})
            if row["kind"] == "point":
                s["points"].append((int(row["index"]), float(row["value"]), row["commit"]))
            elif row["kind"] == "change":
                s["changes"].append((int(row["index"]), row["commit"], float(row["change_pct"]),
                                     float(row["mean_before"]), float(row["mean_after"])))
    if not series:
        print(f"plot history: no points in {history_csv}", file=sys.stderr)
        return EX_DATAERR
    keys = list(series)[:6]
    fig, axes = plt.subplots(len(keys), 1, figsize=(9, 3.2 * len(keys)), squeeze=False)
    for ax, key in zip(axes[:, 0], keys):
        s = series[key]
        xs = [p[0] for p in s["points"]]
        ys = [p[1] for p in s["points"]]
        ax.plot(xs, ys, "o", markersize=3, color="tab:blue", label="point (a run's median, or the median of N runs)")
        # Segment means between change points.
        cuts = [0] + [c[0] for c in s["changes"]] + [len(xs)]
        for a, b in zip(cuts, cuts[1:]):
            seg = ys[a:b]
            if seg:
                ax.hlines(sum(seg) / len(seg), a, b - 1, colors="tab:orange", linewidth=2)
        for index, commit, pct, _, _ in s["changes"]:
            ax.axvline(index - 0.5, color="tab:red", linestyle="--", linewidth=1)
            ax.annotate(f"{commit[:8]} {pct:+.1f}%", (index - 0.5, max(ys)), rotation=90, fontsize=8,
                        va="top", ha="right", color="tab:red")
        # Commit boundaries as ticks: the first run of each commit.
        ticks, labels, last = [], [], None
        for i, _, commit in s["points"]:
            if commit != last:
                ticks.append(i)
                labels.append(commit[:8])
                last = commit
        ax.set_xticks(ticks)
        ax.set_xticklabels(labels, rotation=45, ha="right", fontsize=7)
        ax.set_title(key, fontsize=9)
        ax.set_ylabel(s["unit"])
    axes[0, 0].legend(fontsize=7, loc="best")
    fig.tight_layout()
    for ext in ("png", "svg"):
        fig.savefig(f"{out_stem}.{ext}", dpi=120)
        print(f"{out_stem}.{ext}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: plot_history.py HISTORY.csv OUT_STEM", file=sys.stderr)
        sys.exit(64)
    sys.exit(main(sys.argv[1], sys.argv[2]))
