"""Pictures of memalloc-bench results: reads tidy results CSVs, writes PNG and SVG next to each.

    scripts/plot Results/run.csv            (the wrapper provides matplotlib)

For `<dir>/<stem>.csv` it writes `<dir>/<stem>-<plot>.png` and `.svg` for each plot whose data
is present, and says which it skipped and why:
  throughput  live vs post-kill Mops/s per strategy, one panel per workload and op
  scaling     live Mops/s against thread count, one line per strategy
  latency     p50 … max per strategy on a log scale
  kill        kill / unload-walk latency against map size (or per strategy without map sizes)
Bars and points are means over repetitions; whiskers are one standard deviation.
"""

import csv
import io
import math
import os
import statistics
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLUMNS = ["run_id", "timestamp", "commit", "host", "cpu_model", "kernel", "swift", "build", "strategy",
           "workload", "phase", "op", "threads", "cpus", "size", "repetition", "metric", "value", "unit"]
# Known names first, in the order the design lists them; unknown names follow alphabetically.
PER_CPU = ["atomic", "percpu-ref", "lazy", "kmem-cache", "global", "hybrid"]
SYSTEM = ["glibc", "jemalloc", "mimalloc", "tcmalloc"]
WORKLOADS = ["pair", "batch", "remote", "kptr-xchg", "larson"]
OPS = ["pair", "alloc", "free"]
PERCENTILES = [("p50_ns", "p50"), ("p90_ns", "p90"), ("p99_ns", "p99"), ("p999_ns", "p99.9"), ("max_ns", "max")]
# sysexits: bad input data.
EX_DATAERR = 65


class Row:
    __slots__ = COLUMNS

    def __init__(self, record):
        for name in COLUMNS:
            setattr(self, name, record[name])
        self.threads = int(self.threads)
        self.size = int(self.size)
        self.repetition = int(self.repetition)
        self.value = float(self.value) if self.value.strip() else None


def checked_records(path):
    """(line, record) of each data row of a results CSV. Bad input is one ValueError naming
    path:line (main exits 65): bytes that are not UTF-8, a row with too few or too many fields,
    a value that is not a finite number."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ValueError(f"{path}:{line}: not UTF-8 text (byte 0x{data[e.start]:02x})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"{path}: not a results CSV, missing columns {', '.join(missing)}")
    for record in reader:
        line = reader.line_num
        if None in record.values() or None in record:
            found = sum(v is not None for k, v in record.items() if k is not None) + len(record.get(None) or [])
            raise ValueError(f"{path}:{line}: expected {len(reader.fieldnames)} fields, found {found}")
        value = record["value"].strip()
        if value:
            try:
                number = float(value)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                raise ValueError(f"{path}:{line}: column 'value': expected a finite number, found '{value}'")
        yield line, record


def read_rows(path):
    rows = []
    for line, record in checked_records(path):
        try:
            rows.append(Row(record))
        except (TypeError, ValueError) as e:
            raise ValueError(f"{path}:{line}: {e}") from None
    return rows


def ordered(names, known):
    names = set(names)
    return [n for n in known if n in names] + sorted(names - set(known))


def strategy_order(names):
    return ordered([n for n in names if n not in SYSTEM], PER_CPU) + ordered([n for n in names if n in SYSTEM], SYSTEM)


class Style:
    """One colour per strategy across every picture; system allocators grey-blue and hatched/dashed."""

    def __init__(self, strategies):
        # Known names keep their colour whichever subset a CSV holds, so pictures compare.
        palette = plt.get_cmap("tab10").colors
        system_palette = ["#7f7f7f", "#4c6a88", "#a0785a", "#5f8f6f"]
        unknown = sorted(s for s in strategies if s not in PER_CPU and s not in SYSTEM)
        self.colors = {s: palette[i] for i, s in enumerate(PER_CPU)}
        self.colors.update({s: palette[(len(PER_CPU) + i) % len(palette)] for i, s in enumerate(unknown)})
        self.colors.update({s: system_palette[i] for i, s in enumerate(SYSTEM)})

    def color(self, strategy):
        return self.colors.get(strategy, "black")

    @staticmethod
    def line(strategy):
        return "--" if strategy in SYSTEM else "-"

    @staticmethod
    def marker(strategy):
        return "s" if strategy in SYSTEM else "o"


def mean_sd(values):
    values = [v for v in values if v is not None and math.isfinite(v)]
    if not values:
        return None, None
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def most_common(values, prefer_smallest=True):
    counts = defaultdict(int)
    for v in values:
        counts[v] += 1
    return max(counts, key=lambda v: (counts[v], -v if prefer_smallest else v))


def size_label(n):
    return f"{n // 1024} KiB" if n >= 1024 and n % 1024 == 0 else f"{n} B"


def context_title(rows):
    def one(attr):
        values = sorted({getattr(r, attr) for r in rows if getattr(r, attr)})
        return "/".join(values) if values else "?"

    commits = sorted({r.commit[:12] for r in rows if r.commit})
    return f"{one('host')} ({one('cpu_model')}), commit {'/'.join(commits) or '?'}, {one('build')} build"


def grid(n, max_cols=3, panel=(5.0, 3.6)):
    cols = min(n, max_cols)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(panel[0] * cols, panel[1] * rows + 0.9), squeeze=False)
    flat = [ax for row in axes for ax in row]
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def finish(fig, title, note, stem, name, written, legend=None):
    """Title on top; legend and note in a strip at the bottom, so neither covers a panel."""
    fig.suptitle(title, fontsize=12)
    inch = 1 / fig.get_figheight()
    bottom = 0.0
    if note:
        fig.text(0.5, 0.08 * inch, note, ha="center", va="bottom", fontsize=8, color="#555555")
        bottom += 0.3 * inch
    if legend:
        handles, labels = legend
        rows = math.ceil(len(labels) / 10)
        fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, bottom), ncol=min(10, len(labels)),
                   fontsize=8, frameon=False)
        bottom += (0.1 + 0.25 * rows) * inch
    fig.tight_layout(rect=(0, bottom, 1, 1))
    for ext in ("png", "svg"):
        path = f"{stem}-{name}.{ext}"
        fig.savefig(path, dpi=150 if ext == "png" else None)
        written.append(path)
    plt.close(fig)


def skip(name, reason):
    print(f"plot: skipped {name}: {reason}", file=sys.stderr)


def primary_case(rows):
    """The thread count and size a per-strategy picture shows: most threads, most common size."""
    return max(r.threads for r in rows), most_common([r.size for r in rows])


# MARK: throughput


def plot_throughput(rows, style, stem, title, written):
    rows = [r for r in rows if r.metric == "mops" and r.phase in ("live", "post-kill") and r.op in OPS]
    if not any(r.value is not None for r in rows):
        return skip("throughput", "no live/post-kill mops rows for ops pair/alloc/free")
    panels = []
    for workload in ordered({r.workload for r in rows}, WORKLOADS):
        for op in ordered({r.op for r in rows if r.workload == workload}, OPS):
            panel = [r for r in rows if r.workload == workload and r.op == op]
            if any(r.value is not None for r in panel):
                panels.append((workload, op, panel))
    fig, axes = grid(len(panels), max_cols=3, panel=(5.6, 3.8))
    reps = set()
    for ax, (workload, op, panel) in zip(axes, panels):
        threads, size = primary_case(panel)
        panel = [r for r in panel if r.threads == threads and r.size == size]
        strategies = strategy_order({r.strategy for r in panel})
        width = 0.38
        for i, strategy in enumerate(strategies):
            for j, phase in enumerate(("live", "post-kill")):
                cell = [r for r in panel if r.strategy == strategy and r.phase == phase]
                reps.update(r.repetition for r in cell)
                x = i + (j - 0.5) * width
                mean, sd = mean_sd([r.value for r in cell])
                if mean is None:
                    if cell:  # a measured n/a: say so where the bar would be
                        ax.text(x, 0, "n/a", ha="center", va="bottom", fontsize=7, color="#888888", rotation=90)
                    continue
                ax.bar(x, mean, width, yerr=sd, capsize=2, color=style.color(strategy),
                       alpha=1.0 if phase == "live" else 0.45, hatch=None if phase == "live" else "//",
                       edgecolor="white" if phase == "live" else style.color(strategy), linewidth=0.6,
                       error_kw={"elinewidth": 0.8, "ecolor": "#333333"})
        separate_system_allocators(ax, strategies)
        ax.set_xticks(range(len(strategies)))
        ax.set_xticklabels(strategies, rotation=35, ha="right", fontsize=8)
        ax.set_ylabel("throughput (Mops/s)")
        ax.set_title(f"{workload} / {op} — {threads} thread{'s' if threads != 1 else ''}, {size_label(size)}",
                     fontsize=10)
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", alpha=0.3)
    legend = [plt.Rectangle((0, 0), 1, 1, color="#555555"),
              plt.Rectangle((0, 0), 1, 1, facecolor="#555555", alpha=0.45, hatch="//", edgecolor="#555555")]
    finish(fig, f"Throughput, live vs post-kill — {title}",
           f"mean ± 1 stddev over {len(reps)} repetition(s); n/a: no allocation after the kill "
           f"(system allocators have no kill)", stem, "throughput", written, (legend, ["live", "post-kill"]))


def separate_system_allocators(ax, strategies):
    """A dotted line between the per-CPU strategies and the reference rows."""
    first = next((i for i, s in enumerate(strategies) if s in SYSTEM), None)
    if first:
        ax.axvline(first - 0.5, color="#999999", linestyle=":", linewidth=1)


# MARK: scaling


def plot_scaling(rows, style, stem, title, written):
    rows = [r for r in rows if r.metric == "mops" and r.phase == "live" and r.op in OPS and r.value is not None]
    if len({r.threads for r in rows}) < 2:
        return skip("scaling", "live mops rows at fewer than two thread counts")
    panels = []
    for workload in ordered({r.workload for r in rows}, WORKLOADS):
        ops = ordered({r.op for r in rows if r.workload == workload}, OPS)
        op = ops[0]  # pair when there is one: the round trip, else alloc
        panel = [r for r in rows if r.workload == workload and r.op == op]
        if len({r.threads for r in panel}) >= 2:
            panels.append((workload, op, panel))
    if not panels:
        return skip("scaling", "no workload has live mops at two thread counts")
    fig, axes = grid(len(panels), max_cols=3, panel=(5.0, 3.6))
    for ax, (workload, op, panel) in zip(axes, panels):
        size = most_common([r.size for r in panel])
        panel = [r for r in panel if r.size == size]
        all_threads = sorted({r.threads for r in panel})
        for strategy in strategy_order({r.strategy for r in panel}):
            xs, ys, es = [], [], []
            for t in all_threads:
                mean, sd = mean_sd([r.value for r in panel if r.strategy == strategy and r.threads == t])
                if mean is not None:
                    xs.append(t), ys.append(mean), es.append(sd)
            if xs:
                ax.errorbar(xs, ys, yerr=es, label=strategy, color=style.color(strategy),
                            linestyle=style.line(strategy), marker=style.marker(strategy), markersize=4, capsize=2,
                            linewidth=1.2)
        ax.set_xticks(all_threads)
        ax.set_xlabel("worker threads (one per CPU)")
        ax.set_ylabel("throughput (Mops/s)")
        ax.set_title(f"{workload} / {op} — {size_label(size)}", fontsize=10)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    finish(fig, f"Throughput against thread count — {title}",
           "mean ± 1 stddev over repetitions; dashed: system allocators", stem, "scaling", written,
           unique_legend(axes))


def unique_legend(axes):
    seen = {}
    for ax in axes:
        for h, l in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(l, h)
    labels = strategy_order(seen)
    return [seen[l] for l in labels], labels


# MARK: latency


def plot_latency(rows, style, stem, title, written):
    metrics = [m for m, _ in PERCENTILES]
    rows = [r for r in rows if r.metric in metrics and r.phase == "live" and r.value is not None]
    if not rows:
        return skip("latency", "no p50_ns … max_ns rows (run with --latency)")
    panels = []
    for workload in ordered({r.workload for r in rows}, WORKLOADS):
        for op in ordered({r.op for r in rows if r.workload == workload}, OPS):
            panels.append((workload, op, [r for r in rows if r.workload == workload and r.op == op]))
    fig, axes = grid(len(panels), max_cols=3, panel=(5.0, 3.6))
    for ax, (workload, op, panel) in zip(axes, panels):
        threads, size = primary_case(panel)
        panel = [r for r in panel if r.threads == threads and r.size == size]
        for strategy in strategy_order({r.strategy for r in panel}):
            xs, ys = [], []
            for i, (metric, _) in enumerate(PERCENTILES):
                mean, _sd = mean_sd([r.value for r in panel if r.strategy == strategy and r.metric == metric])
                if mean is not None and mean > 0:
                    xs.append(i), ys.append(mean)
            if xs:
                ax.plot(xs, ys, label=strategy, color=style.color(strategy), linestyle=style.line(strategy),
                        marker=style.marker(strategy), markersize=4, linewidth=1.2)
        ax.set_yscale("log")
        ax.set_xticks(range(len(PERCENTILES)))
        ax.set_xticklabels([label for _, label in PERCENTILES])
        ax.set_xlabel("percentile")
        ax.set_ylabel("latency per op (ns, log)")
        ax.set_title(f"{workload} / {op} — {threads} thread{'s' if threads != 1 else ''}, {size_label(size)}",
                     fontsize=10)
        ax.grid(alpha=0.3, which="both")
    finish(fig, f"Latency percentiles (live) — {title}",
           "mean over repetitions of each percentile; dashed: system allocators",
           stem, "latency", written, unique_legend(axes))


# MARK: kill and unload walk


def plot_kill(rows, style, stem, title, written):
    events = [r for r in rows if r.phase == "kill" and r.op in ("kill", "walk") and r.metric == "latency_us"
              and r.value is not None]
    if not events:
        return skip("kill", "no kill/walk latency_us rows")
    # The map size of an event: a `map_values` row of the same case and repetition, same op first.
    map_values = {}
    for r in rows:
        if r.metric == "map_values" and r.value is not None:
            key = (r.strategy, r.workload, r.threads, r.size, r.repetition)
            if r.op == "walk" or key not in map_values:
                map_values[key] = r.value
    sized = [(r, map_values.get((r.strategy, r.workload, r.threads, r.size, r.repetition))) for r in events]
    ops = ordered({r.op for r in events}, ["kill", "walk"])
    fig, axes = grid(len(ops), max_cols=2, panel=(6.0, 4.0))
    with_sizes = False
    for ax, op in zip(axes, ops):
        points = [(r, n) for r, n in sized if r.op == op]
        strategies = strategy_order({r.strategy for r, _ in points})
        if all(n is not None for _, n in points):
            with_sizes = True
            for strategy in strategies:
                by_size = defaultdict(list)
                for r, n in points:
                    if r.strategy == strategy:
                        by_size[n].append(r.value)
                xs = sorted(by_size)
                stats = [mean_sd(by_size[x]) for x in xs]
                ax.errorbar(xs, [m for m, _ in stats], yerr=[s for _, s in stats], label=strategy,
                            color=style.color(strategy), marker=style.marker(strategy), markersize=4, capsize=2,
                            linewidth=1.2)
            all_sizes = sorted({n for _, n in points})
            if all_sizes[0] > 0 and all_sizes[-1] / all_sizes[0] >= 100:
                ax.set_xscale("log")
            values = [r.value for r, _ in points if r.value > 0]
            if values and max(values) / min(values) >= 100:
                ax.set_yscale("log")
            ax.set_xlabel("map values walked (count)")
            ax.legend(fontsize=8)
        else:
            for i, strategy in enumerate(strategies):
                mean, sd = mean_sd([r.value for r, _ in points if r.strategy == strategy])
                ax.bar(i, mean, 0.6, yerr=sd, capsize=3, color=style.color(strategy),
                       error_kw={"elinewidth": 0.8, "ecolor": "#333333"})
                # Small bars next to large ones are unreadable: print the value.
                ax.annotate(f"{mean:.3g}", (i, mean + sd), xytext=(0, 2), textcoords="offset points",
                            ha="center", va="bottom", fontsize=7)
            ax.set_xticks(range(len(strategies)))
            ax.set_xticklabels(strategies, rotation=35, ha="right", fontsize=8)
            ax.set_ylim(bottom=0)
            ax.margins(y=0.12)
            ax.set_xlabel("strategy" if op == "kill" else "strategy (no map_values rows: map size unknown)")
        ax.set_ylabel("latency (µs)")
        ax.set_title("owner kill (incl. grace period)" if op == "kill" else "program unload walk", fontsize=10)
        ax.grid(alpha=0.3, which="both")
    finish(fig, f"Kill and unload-walk latency{' against map size' if with_sizes else ''} — {title}",
           "mean ± 1 stddev over repetitions", stem, "kill", written)


def plot_file(path):
    rows = read_rows(path)
    if not rows:
        raise ValueError(f"{path}: no rows")
    stem = os.path.splitext(path)[0]
    title = context_title(rows)
    style = Style(strategy_order({r.strategy for r in rows}))
    written = []
    for plot in (plot_throughput, plot_scaling, plot_latency, plot_kill):
        plot(rows, style, stem, title, written)
    for p in written:
        print(p)


def main(argv):
    if not argv:
        print("usage: scripts/plot RESULTS.csv [MORE.csv ...]", file=sys.stderr)
        return 64
    for path in argv:
        try:
            plot_file(path)
        except (OSError, ValueError) as e:
            print(f"plot: {e}", file=sys.stderr)
            return EX_DATAERR
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
