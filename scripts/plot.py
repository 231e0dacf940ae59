"""Pictures of memalloc-bench results: reads tidy results CSVs, writes PNG and SVG next to each.

    scripts/plot Results/run.csv            (the wrapper provides matplotlib)

For `<dir>/<stem>.csv` it writes `<dir>/<stem>-<plot>.png` and `.svg` for each plot whose data
is present, and says which it skipped and why:
  cost        ns/op (log) live per op, and after the kill the frees: every worker at once beside the map's free
  scaling     live Mops/s against thread count (lines from 3 thread counts, else grouped bars)
  kill        kill, atomic-mode confirmation and unload walk: every repetition, median marked
  walk        unload walk against map size with the fitted ns per value (needs several map sizes)
  kernel      the model's global against the running kernel's allocator (needs kernel rows)
  kernel-strategies  added ns over `kernel-lazy` (the same object, no accounting) per kernel
              policy and thread count (paired by block: the interleaved blocks, repetitions
              for remote; median), the
              model's added ns over global as a marker beside it
  safety      the verdict matrix, strategy × scenario, coloured
  latency     p50 … max per strategy on a log scale (the latency pass is on by default; --no-latency skips it)
  latency-kill  p50 … max live against after the kill: the kernel's get+put timed in the kernel (phase native),
              then the model's frees of each lifetime strategy
  ownership   the cost of owning an allocator (bench footprint): bytes held at creation and pinned by one object
              against CPUs per design (log-log; kernel-equivalent solid, the model's reservation dashed),
              and creation time against CPUs
Bars are medians over repetitions, dots the repetitions (episodic noise makes means misleading).
Titles name the machine, the commit and the command (read from the .md or .json beside the CSV).
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
FLOORS = ["freelist", "noop"]
KERNEL = ["kernel", "kernel-htab", "kernel-harness", "kernel-atomic", "kernel-percpu-ref", "kernel-lazy", "kernel-hybrid"]
# Kernel policy subjects and the model strategy each runs (issue 18).
KERNEL_POLICIES = {"kernel-atomic": "atomic", "kernel-percpu-ref": "percpu-ref", "kernel-lazy": "lazy",
                   "kernel-hybrid": "hybrid"}
SCENARIOS = ["map-in-map-escape", "concurrent-walk", "pinned-map", "in-flight-at-kill", "remote-last-free",
             "moved-behind-walk", "last-put-in-nmi", "paused-put-at-kill"]
REUSE_RULES = ["immediate", "rcu"]
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

    def _replace(self, **changes):
        """A copy with some fields changed (as namedtuple's)."""
        copy = Row.__new__(Row)
        for name in COLUMNS:
            setattr(copy, name, changes.get(name, getattr(self, name)))
        return copy


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
    names = set(names)
    rest = names - set(PER_CPU) - set(SYSTEM) - set(FLOORS) - set(KERNEL)
    return (ordered(names & set(PER_CPU), PER_CPU) + sorted(rest) + ordered(names & set(SYSTEM), SYSTEM)
            + ordered(names & set(FLOORS), FLOORS) + ordered(names & set(KERNEL), KERNEL))


class Style:
    """One colour per strategy across every picture; system allocators grey-blue and hatched/dashed."""

    def __init__(self, strategies):
        # Known names keep their colour whichever subset a CSV holds, so pictures compare.
        palette = plt.get_cmap("tab10").colors
        system_palette = ["#7f7f7f", "#4c6a88", "#a0785a", "#5f8f6f"]
        unknown = sorted(s for s in strategies if s not in PER_CPU and s not in SYSTEM and s not in FLOORS + KERNEL)
        self.colors = {s: palette[i] for i, s in enumerate(PER_CPU)}
        self.colors.update({s: palette[(len(PER_CPU) + i) % len(palette)] for i, s in enumerate(unknown)})
        self.colors.update({s: system_palette[i] for i, s in enumerate(SYSTEM)})
        # Floors and kernel subjects are not strategies: fixed dark tones, never a strategy's colour.
        self.colors.update({"freelist": "#444444", "noop": "#aaaaaa", "kernel": "#222222", "kernel-htab": "#8c6d31",
                            "kernel-harness": "#777777"})

    def color(self, strategy):
        return self.colors.get(strategy, "black")

    @staticmethod
    def line(strategy):
        return "--" if strategy in SYSTEM else ":" if strategy in FLOORS else "-"

    @staticmethod
    def marker(strategy):
        return "s" if strategy in SYSTEM else "o"


def finite(values):
    return [v for v in values if v is not None and math.isfinite(v)]


def median(values):
    values = finite(values)
    return statistics.median(values) if values else None


def most_common(values, prefer_smallest=True):
    counts = defaultdict(int)
    for v in values:
        counts[v] += 1
    return max(counts, key=lambda v: (counts[v], -v if prefer_smallest else v))


def size_label(n):
    return f"{n // 1024} KiB" if n >= 1024 and n % 1024 == 0 else f"{n} B"


def command_of(stem):
    """The exact command of the run: the CSV has no column for it, the reports beside it do."""
    try:
        with open(stem + ".md", encoding="utf-8") as f:
            for line in f:
                if line.startswith("- Command: `"):
                    return line[len("- Command: `"):].rstrip().rstrip("`")
    except OSError:
        pass
    try:
        import json
        with open(stem + ".json", encoding="utf-8") as f:
            data = json.load(f)
        return data.get("description", {}).get("command") or data.get("command")
    except (OSError, ValueError, AttributeError):
        return None


def context_title(rows, command=None):
    def one(attr):
        values = sorted({getattr(r, attr) for r in rows if getattr(r, attr)})
        return "/".join(values) if values else "?"

    commits = sorted({r.commit[:12] for r in rows if r.commit})
    # The measured CPUs: the ownership rows of injected topologies (phase "own") name CPUs this
    # machine does not have.
    cpus = sorted({r.cpus for r in rows if r.cpus and r.phase != "own"}, key=len)
    return (f"{one('host')} ({one('cpu_model')}, CPUs {cpus[-1] if cpus else '?'}, kernel {one('kernel')}), "
            f"commit {'/'.join(commits) or '?'}\n{command or 'command unknown (no .md/.json beside the CSV)'}")


def grid(n, max_cols=3, panel=(5.0, 3.6)):
    cols = min(n, max_cols)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(panel[0] * cols, panel[1] * rows + 1.2), squeeze=False)
    flat = [ax for row in axes for ax in row]
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def finish(fig, title, note, stem, name, written, legend=None):
    """Title on top; legend and note in a strip at the bottom, so neither covers a panel."""
    # "What — where, commit \n command": the what on its own line so narrow figures keep it all.
    what, _, where = title.partition(" — ")
    fig.suptitle(f"{what}\n{where}" if where else what, fontsize=10)
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
        fig.savefig(path, dpi=130 if ext == "png" else None)
        written.append(path)
    plt.close(fig)


def skip(name, reason):
    print(f"plot: skipped {name}: {reason}", file=sys.stderr)


def dots(ax, x, values, color, width=0.3):
    """Every repetition as a dot, spread sideways in a fixed pattern (no randomness)."""
    values = finite(values)
    n = len(values)
    xs = [x + (i - (n - 1) / 2) * (width / max(n, 1)) for i in range(n)]
    ax.scatter(xs, values, s=9, color="#222222", zorder=3, linewidths=0)


def separator(ax, at):
    ax.axvline(at - 0.5, color="#999999", linestyle=":", linewidth=1)


def log_ticks(ax):
    from matplotlib.ticker import LogLocator, FuncFormatter
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))


# MARK: cost


def plot_cost(rows, style, stem, title, written):
    """ns/op, log axis: live per op; after the kill (nothing can allocate) one panel of frees, each
    strategy's concurrent frees beside the map's free (one thread); the system allocators apart,
    freelist and noop as floor lines (they are not allocators)."""
    after = {"post-kill", "drain"}
    rows = [r for r in rows if r.metric == "ns_per_op" and ((r.phase == "live" and r.op in OPS)
                                                           or (r.phase in after and r.op in ("free", "drain")))]
    if not any(r.value is not None for r in rows):
        return skip("cost", "no live or after-kill ns_per_op rows")
    # The frees after the kill share one panel per workload: a pseudo-op keyed apart from live.
    rows = [r._replace(op="after kill") if r.phase in after else r for r in rows]
    threads_all = sorted({r.threads for r in rows})
    panels = []
    for threads in threads_all:
        for workload in ordered({r.workload for r in rows}, WORKLOADS):
            for op in ordered({r.op for r in rows if r.workload == workload}, OPS + ["after kill"]):
                panel = [r for r in rows if r.workload == workload and r.op == op and r.threads == threads]
                if any(r.value is not None and r.strategy in PER_CPU for r in panel):
                    panels.append((workload, op, threads, panel))
    if not panels:
        return skip("cost", "no model strategy rows (a run of kernel subjects only)")
    fig, axes = grid(len(panels), max_cols=4, panel=(4.6, 3.4))
    for ax, (workload, op, threads, panel) in zip(axes, panels):
        size = most_common([r.size for r in panel])
        panel = [r for r in panel if r.size == size]
        bars = [s for s in strategy_order({r.strategy for r in panel}) if s not in FLOORS and s not in KERNEL]
        width = 0.4
        phases = ("post-kill", "drain") if op == "after kill" else ("live",)
        width = 0.4 if len(phases) == 2 else 0.7
        for i, strategy in enumerate(bars):
            for j, phase in enumerate(phases):
                cell = [r for r in panel if r.strategy == strategy and r.phase == phase]
                x = i + (j - (len(phases) - 1) / 2) * width
                m = median([r.value for r in cell])
                if m is None:
                    continue
                ax.bar(x, m, width, color=style.color(strategy), alpha=0.45 if phase == "drain" else 1.0,
                       hatch="//" if phase == "drain" else None, edgecolor=style.color(strategy), linewidth=0.6)
                dots(ax, x, [r.value for r in cell], style.color(strategy), width * 0.8)
        first_ref = next((i for i, s in enumerate(bars) if s in SYSTEM), None)
        if first_ref:
            separator(ax, first_ref)
            ax.axvspan(first_ref - 0.5, len(bars) - 0.5, color="#f0f0f0", zorder=0)
        for floor, ls in zip(FLOORS, ("--", ":")):
            m = median([r.value for r in panel if r.strategy == floor and r.phase == "live"])
            if m:
                ax.axhline(m, color="#555555", linestyle=ls, linewidth=1)
                ax.annotate(floor, (len(bars) - 0.5, m), xytext=(-2, 2), textcoords="offset points", ha="right",
                            fontsize=6, color="#555555")
        ax.set_yscale("log")
        log_ticks(ax)
        ax.set_xticks(range(len(bars)))
        ax.set_xticklabels(bars, rotation=40, ha="right", fontsize=7)
        ax.set_ylabel("ns per op (log)")
        ax.set_title(f"{workload} / {op}, {threads} thr, {size_label(size)}", fontsize=9)
        ax.grid(axis="y", alpha=0.3, which="major")
    legend = [plt.Rectangle((0, 0), 1, 1, color="#555555"),
              plt.Rectangle((0, 0), 1, 1, facecolor="#555555", alpha=0.45, hatch="//", edgecolor="#555555")]
    finish(fig, f"Cost per op while live, and the frees after the kill (lower is better) — {title}",
           "bars: median over repetitions, dots: each repetition; grey band: system allocators (no kill); "
           "lines: freelist/noop floors; after the kill nothing is allocated: 'after kill' panels show frees only",
           stem, "cost", written, (legend, ["live / after the kill: every worker frees at once", "the map's free (one thread)"]))


# MARK: scaling


def plot_scaling(rows, style, stem, title, written):
    rows = [r for r in rows if r.metric == "mops" and r.phase == "live" and r.workload == "pair" and r.op == "pair"
            and r.value is not None and r.strategy not in FLOORS and r.strategy not in KERNEL]
    threads = sorted({r.threads for r in rows})
    if len(threads) < 2:
        return skip("scaling", "live pair mops at fewer than two thread counts")
    size = most_common([r.size for r in rows])
    rows = [r for r in rows if r.size == size]
    strategies = strategy_order({r.strategy for r in rows})
    fig, axes = grid(1, max_cols=1, panel=(9.0, 4.2))
    ax = axes[0]
    if len(threads) >= 3:
        for strategy in strategies:
            xs = [t for t in threads if median([r.value for r in rows if r.strategy == strategy and r.threads == t])]
            ys = [median([r.value for r in rows if r.strategy == strategy and r.threads == t]) for t in xs]
            ax.plot(xs, ys, label=strategy, color=style.color(strategy), linestyle=style.line(strategy),
                    marker=style.marker(strategy), markersize=4)
        ax.set_xticks(threads)
        ax.set_xlabel("worker threads (one per CPU)")
        legend = unique_legend(axes)
        kind = "lines"
    else:
        # Two thread counts make no curve: bars per strategy, one per thread count.
        width = 0.8 / len(threads)
        for i, strategy in enumerate(strategies):
            for j, t in enumerate(threads):
                cell = [r.value for r in rows if r.strategy == strategy and r.threads == t]
                m = median(cell)
                if m is None:
                    continue
                x = i + (j - (len(threads) - 1) / 2) * width
                ax.bar(x, m, width * 0.95, color=style.color(strategy), alpha=0.5 + 0.5 * j / max(len(threads) - 1, 1),
                       edgecolor=style.color(strategy))
                dots(ax, x, cell, style.color(strategy), width * 0.7)
            one = median([r.value for r in rows if r.strategy == strategy and r.threads == threads[0]])
            top = median([r.value for r in rows if r.strategy == strategy and r.threads == threads[-1]])
            if one and top:
                ax.annotate(f"{top / one:.2f}×", (i, max(one, top)), xytext=(0, 3), textcoords="offset points",
                            ha="center", fontsize=7)
        first_ref = next((i for i, s in enumerate(strategies) if s in SYSTEM), None)
        if first_ref:
            separator(ax, first_ref)
            ax.axvspan(first_ref - 0.5, len(strategies) - 0.5, color="#f0f0f0", zorder=0)
        ax.set_xticks(range(len(strategies)))
        ax.set_xticklabels(strategies, rotation=30, ha="right", fontsize=8)
        legend = ([plt.Rectangle((0, 0), 1, 1, color="#555555", alpha=0.5 + 0.5 * j / max(len(threads) - 1, 1))
                   for j in range(len(threads))], [f"{t} thr" for t in threads])
        kind = "bars"
    ax.set_ylabel("aggregate throughput (Mops/s)")
    ax.set_title(f"pair / pair, {size_label(size)}; label: {threads[-1]}-thr over {threads[0]}-thr throughput",
                 fontsize=9)
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", alpha=0.3)
    finish(fig, f"Throughput against thread count (higher is better) — {title}",
           f"{kind}: median over repetitions, dots: each repetition; grey band: system allocators; "
           "a curve needs at least 3 thread counts", stem, "scaling", written, legend)


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
        return skip("latency", "no p50_ns … max_ns rows (the run had --no-latency)")
    panels = []
    for workload in ordered({r.workload for r in rows}, WORKLOADS):
        for op in ordered({r.op for r in rows if r.workload == workload}, OPS):
            panels.append((workload, op, [r for r in rows if r.workload == workload and r.op == op]))
    fig, axes = grid(len(panels), max_cols=3, panel=(5.0, 3.6))
    for ax, (workload, op, panel) in zip(axes, panels):
        threads, size = max(r.threads for r in panel), most_common([r.size for r in panel])
        panel = [r for r in panel if r.threads == threads and r.size == size]
        for strategy in strategy_order({r.strategy for r in panel}):
            xs, ys = [], []
            for i, (metric, _) in enumerate(PERCENTILES):
                m = median([r.value for r in panel if r.strategy == strategy and r.metric == metric])
                if m is not None and m > 0:
                    xs.append(i), ys.append(m)
            if xs:
                ax.plot(xs, ys, label=strategy, color=style.color(strategy), linestyle=style.line(strategy),
                        marker=style.marker(strategy), markersize=4, linewidth=1.2)
        ax.set_yscale("log")
        ax.set_xticks(range(len(PERCENTILES)))
        ax.set_xticklabels([label for _, label in PERCENTILES])
        ax.set_xlabel("percentile")
        ax.set_ylabel("latency per op (ns, log)")
        ax.set_title(f"{workload} / {op} — {threads} thr, {size_label(size)}", fontsize=10)
        ax.grid(alpha=0.3, which="both")
    finish(fig, f"Latency percentiles (live) — {title}",
           "median over repetitions of each percentile; dashed: system allocators",
           stem, "latency", written, unique_legend(axes))


def percentile_line(ax, panel, label, color, linestyle, marker):
    """One subject's p50 … max (median over repetitions of each) as a line; bucket bounds for the kernel's."""
    xs, ys = [], []
    for i, (metric, _) in enumerate(PERCENTILES):
        m = median([r.value for r in panel if r.metric == metric])
        if m is not None and m > 0:
            xs.append(i), ys.append(m)
    if xs:
        ax.plot(xs, ys, label=label, color=color, linestyle=linestyle, marker=marker, markersize=4, linewidth=1.2)


def percentile_axes(ax, ylabel, title):
    ax.set_yscale("log")
    ax.set_xticks(range(len(PERCENTILES)))
    ax.set_xticklabels([label for _, label in PERCENTILES])
    ax.set_xlabel("percentile")
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, which="both")


KERNEL_REFS = [("kernel-native-percpu-ref", "percpu_ref (native)"), ("kernel-percpu-ref", "emul. pcpu-ref"),
               ("kernel-atomic", "emul. atomic"), ("kernel-refcount", "refcount_t (native, shared)")]
# The lifetime strategies: the ones with a kill, whose frees after it the thread asks about.
LIFETIME = ["global", "atomic", "percpu-ref", "lazy", "hybrid", "kmem-cache"]


def plot_latency_kill(rows, style, stem, title, written):
    """Latency after the kill beside live, one panel per thread count: the kernel's get+put timed
    op by op in the kernel (phase native: solid live, dashed killed, dotted refcount_t shared),
    then the model's frees per lifetime strategy (solid live, dashed every worker's frees after
    the kill)."""
    metrics = {m for m, _ in PERCENTILES}
    pct = [r for r in rows if r.metric in metrics and r.value is not None]
    kernel = [r for r in pct if r.phase == "native" and r.op in ("get-put-live", "get-put-killed", "shared-get-put")]
    model = [r for r in pct if r.strategy in LIFETIME and r.workload == "pair" and
             ((r.phase == "live" and r.op == "free") or (r.phase == "post-kill" and r.op == "free"))]
    if not kernel and not any(r.phase == "post-kill" for r in model):
        return skip("latency-kill", "no after-kill percentile rows (phase native, or post-kill)")
    panels = [("kernel", t) for t in sorted({r.threads for r in kernel})]
    panels += [("model", t) for t in sorted({r.threads for r in model if r.phase == "post-kill"})]
    fig, axes = grid(len(panels), max_cols=2, panel=(5.8, 4.2))
    for ax, (what, t) in zip(axes, panels):
        if what == "kernel":
            for i, (subject, label) in enumerate(KERNEL_REFS):
                for op, state, ls in (("get-put-live", "live", "-"), ("get-put-killed", "killed", "--"), ("shared-get-put", "shared", ":")):
                    panel = [r for r in kernel if r.strategy == subject and r.op == op and r.threads == t]
                    percentile_line(ax, panel, f"{label}, {state}", f"C{i}", ls, "o")
            clock = median([r.value for r in kernel if r.strategy == "kernel-native-empty" and r.metric == "p50_ns" and r.threads == t])
            if clock:
                ax.axhline(clock, color="grey", linewidth=0.8, linestyle=":")
            percentile_axes(ax, "ns per get+put (bucket upper bound, log)",
                            f"kernel, {t} CPU{'s' if t > 1 else ''} (grey: the clock alone, p50)")
        else:
            for strategy in [s for s in LIFETIME if any(r.strategy == s for r in model)]:
                for phase, ls in (("live", "-"), ("post-kill", "--")):
                    panel = [r for r in model if r.strategy == strategy and r.threads == t and r.phase == phase]
                    percentile_line(ax, panel, f"{strategy}, {'live' if phase == 'live' else 'after the kill'}",
                                    style.color(strategy), ls, style.marker(strategy))
            percentile_axes(ax, "ns per free (log)", f"model, {t} thr: frees live and after the kill")
        ax.legend(fontsize=6.5, ncol=2)
    finish(fig, f"Latency live vs after the kill — {title}",
           "kernel: bpf_ktime_get_ns around each get+put inside the BPF program, every block merged; "
           "model: frees timed alone, median over repetitions of each percentile",
           stem, "latency-kill", written)


# MARK: kill and unload walk


def walk_points(rows):
    """(strategy, threads, size, map values, µs) of each unload walk: latency paired with its map size."""
    sizes = {(r.strategy, r.workload, r.threads, r.size, r.repetition): r.value for r in rows
             if r.phase == "kill" and r.op == "walk" and r.metric == "map_values" and r.value is not None}
    out = []
    for r in rows:
        if r.phase == "kill" and r.op == "walk" and r.metric == "latency_us" and r.value is not None:
            n = sizes.get((r.strategy, r.workload, r.threads, r.size, r.repetition))
            if n:
                out.append((r.strategy, r.threads, r.size, n, r.value))
    return out


def plot_kill(rows, style, stem, title, written):
    """Every repetition of the one-off events, with the median marked: the distributions are
    skewed (a preempted kill takes 100× its median), so mean ± sd would mislead."""
    events = [r for r in rows if r.phase == "kill" and r.op in ("kill", "grace", "fold", "walk") and r.metric == "latency_us"
              and r.value is not None and r.workload == "pair"]
    if not events:
        return skip("kill", "no kill/grace/walk latency_us rows")
    # The walk panel shows the main matrix's map size (the first walked); the walk picture has the rest.
    map_values = {(r.strategy, r.threads, r.size, r.repetition): r.value for r in rows
                  if r.phase == "kill" and r.op == "walk" and r.metric == "map_values"}
    main_size = {}
    for r in rows:
        if r.phase == "kill" and r.op == "walk" and r.metric == "map_values":
            main_size.setdefault((r.strategy, r.threads, r.size), r.value)
    ops = ordered({r.op for r in events}, ["kill", "grace", "fold", "walk"])
    names = {"kill": "kill: cost to its caller", "grace": "grace period (liburcu QSBR, off the caller's path)",
             "fold": "fold of the per-CPU counts",
             "walk": "program unload walk"}
    fig, axes = grid(len(ops), max_cols=3, panel=(4.6, 3.8))
    for ax, op in zip(axes, ops):
        cells = []
        for strategy in strategy_order({r.strategy for r in events if r.op == op}):
            for threads in sorted({r.threads for r in events if r.op == op and r.strategy == strategy}):
                cell = [r for r in events if r.op == op and r.strategy == strategy and r.threads == threads]
                if op == "walk":
                    cell = [r for r in cell if map_values.get((r.strategy, r.threads, r.size, r.repetition))
                            == main_size.get((r.strategy, r.threads, r.size))]
                cells.append((f"{strategy}\n{threads} thr", strategy, [r.value for r in cell]))
        for i, (label, strategy, values) in enumerate(cells):
            dots(ax, i, values, style.color(strategy), 0.5)
            m = median(values)
            ax.hlines(m, i - 0.3, i + 0.3, color=style.color(strategy), linewidth=2.5, zorder=2)
            ax.annotate(f"{m:.0f}" if m >= 1000 else f"{m:.3g}", (i + 0.32, m), fontsize=7, va="center")
        ax.set_xticks(range(len(cells)))
        ax.set_xticklabels([c[0] for c in cells], fontsize=6.5, rotation=30 if len(cells) > 4 else 0)
        ax.set_xlim(-0.6, len(cells) - 0.2)
        values = [v for c in cells for v in c[2] if v > 0]
        if values and max(values) / min(values) >= 20:
            ax.set_yscale("log")
        ax.set_ylabel("µs" + (" (log)" if ax.get_yscale() == "log" else ""))
        ax.set_title(names.get(op, op), fontsize=9)
        ax.grid(axis="y", alpha=0.3, which="both")
    finish(fig, f"Kill, mode switch and unload walk — {title}",
           "dots: each repetition; bar and number: median", stem, "kill", written)


def fit_line(all_points):
    """Least squares (slope, intercept) of µs against map values through each size's median walk
    (as the report's claim: a preempted walk must not tilt the line)."""
    points = [(x, median([y for px, y in all_points if px == x])) for x in sorted({x for x, _ in all_points})]
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx
    return slope, my - slope * mx


def plot_walk(rows, style, stem, title, written):
    points = walk_points(rows)
    if len({n for *_, n, _ in points}) < 2:
        return skip("walk", "the walk ran at one map size (give --map-values a list, e.g. 1024,4096,16384,65536)")
    fig, axes = grid(1, max_cols=1, panel=(7.5, 4.5))
    ax = axes[0]
    kill = median([r.value for r in rows if r.strategy == "percpu-ref" and r.phase == "kill" and r.op == "kill"
                   and r.metric == "latency_us" and r.workload == "pair" and r.threads == min(p[1] for p in points)])
    for strategy in strategy_order({p[0] for p in points}):
        mine = [(n, us) for s, t, _, n, us in points if s == strategy and t == min(p[1] for p in points)]
        if len({n for n, _ in mine}) < 2:
            continue
        ax.scatter([n for n, _ in mine], [us for _, us in mine], s=12, color=style.color(strategy), zorder=3)
        slope, intercept = fit_line(mine)
        xs = sorted({n for n, _ in mine})
        ax.plot(xs, [intercept + slope * x for x in xs], color=style.color(strategy),
                label=f"{strategy}: {slope * 1000:.1f} ns per value")
    if kill:
        ax.axhline(kill, color="#d62728", linestyle="--", linewidth=1, label=f"percpu-ref kill, median {kill:.3g} µs")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("map values walked")
    ax.set_ylabel("unload walk (µs, log)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    finish(fig, f"Unload walk against map size — {title}",
           "dots: each repetition; lines: least squares through each size's median (slope = ns per map value)", stem, "walk", written)


# MARK: model vs kernel


def plot_kernel(rows, style, stem, title, written):
    rows = [r for r in rows if r.phase == "live" and r.metric == "ns_per_op" and r.value is not None]
    if not any(r.strategy in ("kernel", "kernel-htab") for r in rows):
        return skip("kernel", "no kernel rows (BPF programs could not be loaded, or not asked for)")
    threads = min(r.threads for r in rows if r.strategy == "kernel" or r.strategy == "kernel-htab")
    cases = []
    for workload in WORKLOADS:
        for op in OPS:
            if any(r.strategy in ("kernel", "kernel-htab") and r.workload == workload and r.op == op
                   and r.threads == threads for r in rows):
                cases.append((workload, op))
    subjects = ["global", "kernel", "kernel-htab"]
    colors = {"global": style.color("global"), "kernel": "#222222", "kernel-htab": "#8c6d31"}
    fig, axes = grid(1, max_cols=1, panel=(9.5, 4.4))
    ax = axes[0]
    width = 0.27
    for i, (workload, op) in enumerate(cases):
        for j, s in enumerate(subjects):
            cell = [r.value for r in rows if r.strategy == s and r.workload == workload and r.op == op
                    and r.threads == threads]
            m = median(cell)
            if m is None:
                continue
            x = i + (j - 1) * width
            ax.bar(x, m, width, color=colors[s], label=s if i == 0 or s not in ax.get_legend_handles_labels()[1] else None)
            dots(ax, x, cell, colors[s], width * 0.7)
            if s != "global":
                g = median([r.value for r in rows if r.strategy == "global" and r.workload == workload and r.op == op
                            and r.threads == threads])
                if g:
                    ax.annotate(f"{m / g:.0f}×", (x, m), xytext=(0, 2), textcoords="offset points", ha="center",
                                fontsize=6)
    h = median([r.value for r in rows if r.strategy == "kernel-harness" and r.threads == threads])
    if h:
        ax.axhline(h, color="#555555", linestyle="--", linewidth=1, label=f"kernel harness (empty bpf_loop step) {h:.3g} ns")
    ax.set_yscale("log")
    log_ticks(ax)
    ax.set_xticks(range(len(cases)))
    ax.set_xticklabels([w if o == "pair" else f"{w} {o}" for w, o in cases], fontsize=8)
    ax.set_ylabel("ns per op (log)")
    ax.set_title(f"{threads} thr; label: kernel subject over the model's global", fontsize=9)
    ax.grid(axis="y", alpha=0.3)
    finish(fig, f"Model (global) against the running kernel's bpf_mem_alloc — {title}",
           "bars: median over repetitions, dots: each repetition; kernel = bpf_obj_new/bpf_obj_drop on "
           "bpf_global_ma, kernel-htab = a no-prealloc hash map", stem, "kernel", written, ax.get_legend_handles_labels())


# MARK: strategies in the kernel


def plot_kernel_strategies(rows, style, stem, title, written):
    live = [r for r in rows if r.phase == "live" and r.metric == "ns_per_op" and r.value is not None]
    # bench's `interleaved` blocks (each a fresh load; the repetition column is the block),
    # when the run has them; else whole repetitions. The baseline is the same object's control.
    rounds = [r for r in rows if r.phase == "interleaved" and r.metric == "ns_per_op" and r.value is not None]
    control = "kernel-lazy"
    policies = [p for p in KERNEL_POLICIES if p != control and any(r.strategy == p for r in live + rounds)]
    if not policies or not any(r.strategy == control for r in live + rounds):
        return skip("kernel-strategies", "no kernel policy rows beside the control kernel-lazy")
    ops = OPS + ["acct", "kill-free", "map-free"]
    cases = [(w, o) for w in WORKLOADS for o in ops
             if any(r.strategy in policies and r.workload == w and r.op == o for r in live + rounds)]
    threads = sorted({r.threads for r in live if r.strategy in policies})
    fig, axes = grid(len(cases), max_cols=2, panel=(6, 3.6))
    for ax, (workload, op) in zip(axes, cases):
        width = 0.8 / max(len(threads), 1)
        shown = []  # every dot, bar and diamond of the panel, for its y range
        for i, p in enumerate(policies):
            for j, t in enumerate(threads):
                def by_rep(s, source):
                    return {r.repetition: r.value for r in source
                            if r.strategy == s and r.workload == workload and r.op == op and r.threads == t}
                k, b = by_rep(p, rounds), by_rep(control, rounds)
                if not k or not b:
                    k, b = by_rep(p, live), by_rep(control, live)
                diffs = [k[rep] - b[rep] for rep in k if rep in b]
                m = median(diffs)
                if m is None:
                    continue
                x = i + (j - (len(threads) - 1) / 2) * width
                ax.bar(x, m, width, color=style.color(KERNEL_POLICIES[p]), alpha=0.5 + 0.5 * j / max(len(threads), 1),
                       label=f"{t} thr" if i == 0 else None)
                dots(ax, x, diffs, "black", width * 0.7)
                shown.append((m, diffs))
                model = median([r.value for r in live if r.strategy == KERNEL_POLICIES[p] and r.workload == workload
                                and r.op == op and r.threads == t])
                glob = median([r.value for r in live if r.strategy == "global" and r.workload == workload
                               and r.op == op and r.threads == t])
                if model is not None and glob is not None:
                    ax.plot([x], [model - glob], marker="D", color="red", markersize=4,
                            label="model's added ns" if i == 0 and j == 0 else None)
        # A block hit by preemption or a host episode is thousands of ns off and would
        # flatten the bars: the axis spans the middle 90 % of the blocks (and every bar).
        every = sorted(d for _, ds in shown for d in finite(ds))
        if len(every) >= 20:
            lo, hi = every[len(every) // 20], every[-(len(every) // 20) - 1]
            lo, hi = min([lo, 0] + [m for m, _ in shown]), max([hi, 0] + [m for m, _ in shown])
            pad = (hi - lo) * 0.1 or 1
            outside = sum(1 for d in every if d < lo - pad or d > hi + pad)
            if outside:
                ax.set_ylim(lo - pad, hi + pad)
                ax.text(0.99, 0.02, f"{outside} of {len(every)} blocks outside the axis", transform=ax.transAxes,
                        ha="right", va="bottom", fontsize=7, color="#555555")
        ax.axhline(0, color="#555555", linewidth=0.8)
        ax.set_xticks(range(len(policies)))
        ax.set_xticklabels([p.replace("kernel-", "") for p in policies], fontsize=8)
        ax.set_ylabel("ns/op added over kernel-lazy")
        ax.set_title(workload if op == "pair" else f"{workload} {op}", fontsize=9)
        ax.grid(axis="y", alpha=0.3)
    finish(fig, f"Strategies in the kernel: added ns over the same object's control — {title}",
           "bars: median of (policy − kernel-lazy) in the same block (the interleaved blocks, each a fresh "
           "load; remote: whole repetitions), dots: each block; "
           "red diamond: the model's added ns over global", stem, "kernel-strategies", written,
           axes[0].get_legend_handles_labels())


# MARK: ownership


def cpu_count(workload):
    digits = ""
    for ch in workload:
        if not ch.isdigit():
            break
        digits += ch
    return int(digits) if digits else None


def plot_ownership(rows, style, stem, title, written):
    """Bytes a program's allocator holds against possible CPUs, per design, log-log: kernel-equivalent
    at creation (solid) and pinned by one object after the map is gone (dotted), the model's own
    reservation (dashed); and the creation time against CPUs."""
    own = [r for r in rows if r.phase == "own" and r.value is not None and cpu_count(r.workload)]
    designs = ordered({r.strategy for r in own if r.op == "create" and r.metric == "bytes_kernel"}, PER_CPU)
    cpus = sorted({cpu_count(r.workload) for r in own if r.op == "create"})
    if not designs or len(cpus) < 2:
        return skip("ownership", "needs `own` rows of at least two CPU counts (bench footprint --topology 2,64,256:8)")
    fig, axes = grid(2, max_cols=2, panel=(7.2, 4.4))
    bytes_ax, time_ax = axes

    def series(design, op, metric):
        xs, ys = [], []
        for n in cpus:
            m = median([r.value for r in own if r.strategy == design and r.op == op and r.metric == metric
                        and cpu_count(r.workload) == n])
            if m is not None and m > 0:
                xs.append(n)
                ys.append(m)
        return xs, ys

    for d in designs:
        if d == "global":
            continue
        c = style.color(d)
        xs, ys = series(d, "create", "bytes_kernel")
        bytes_ax.plot(xs, [y / 1024 for y in ys], "-o", color=c, ms=4)
        xs, ys = series(d, "pinned", "bytes_kernel")
        bytes_ax.plot(xs, [y / 1024 for y in ys], ":", color=c, lw=1.5)
        xs, ys = series(d, "create", "bytes_model")
        bytes_ax.plot(xs, [y / 1024 for y in ys], "--", color=c, alpha=0.5, lw=1)
        xs, ys = series(d, "create", "latency_us")
        time_ax.plot(xs, ys, "-o", color=c, ms=4)
    xs, ys = series("global", "boot", "bytes_kernel")
    if xs:
        bytes_ax.plot(xs, [y / 1024 for y in ys], "-s", color=style.color("global"), ms=4)
    for ax in (bytes_ax, time_ax):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(cpus)
        ax.set_xticklabels([str(n) for n in cpus])
        ax.set_xlabel("possible CPUs")
        ax.grid(alpha=0.3, which="both")
    bytes_ax.set_ylabel("KiB held per allocator (log)")
    bytes_ax.set_title("bytes held by one program's allocator", fontsize=9)
    time_ax.set_ylabel("µs to create (model, log)")
    time_ax.set_title("creating the allocator (caches + prefill on every CPU)", fontsize=9)
    # One colour per design, one line style per quantity (the size-class designs overlap: they
    # differ only by their lifetime counter).
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color=style.color(d), marker="s" if d == "global" else "o", ms=4,
                      label=d + (" (boot; 0 per program)" if d == "global" else ""))
               for d in designs]
    handles += [Line2D([], [], color="black", linestyle="-", label="at creation"),
                Line2D([], [], color="black", linestyle=":", label="pinned by one object"),
                Line2D([], [], color="black", linestyle="--", alpha=0.5, label="model reserve")]
    labels = [h.get_label() for h in handles]
    finish(fig, f"The cost of owning an allocator — {title}",
           "solid: kernel-equivalent at creation (per-CPU list objects at kmalloc size + bpf_mem_cache structs + "
           "the lifetime's counter); dotted: the same pinned by one object after the map is gone; dashed: the 64 KiB "
           "slabs the model reserves per CPU and class", stem, "ownership", written,
           (handles, labels))


# MARK: safety


def plot_safety(rows, style, stem, title, written):
    verdicts = [r for r in rows if r.phase == "scenario" and r.metric == "verdict" and r.value is not None]
    if not verdicts:
        return skip("safety", "no verdict rows (the run had --no-scenarios or no lifetime strategy)")
    strategies = ordered({r.strategy for r in verdicts}, PER_CPU)
    scenarios = ordered({r.workload for r in verdicts}, SCENARIOS)
    # One panel per reuse rule (the row's op; "scenario" in files from before the rules).
    rules = ordered({r.op for r in verdicts}, REUSE_RULES)
    colors = {0: "#2ca02c", 1: "#ff9f1c", 2: "#d62728", 3: "#7b2d8e"}
    names = {0: "safe", 1: "leak", 2: "use-after-free", 3: "unsafe-context"}
    fig, axes = grid(len(rules), max_cols=1, panel=(1.6 * len(scenarios) + 2, 0.55 * len(strategies) + 1.2))
    for ax, rule in zip(axes, rules):
        for i, strategy in enumerate(strategies):
            for j, scenario in enumerate(scenarios):
                cell = [r for r in verdicts if r.strategy == strategy and r.workload == scenario and r.op == rule]
                if not cell:
                    continue
                r = cell[0]
                code = int(r.value)
                ax.add_patch(plt.Rectangle((j, i), 1, 1, color=colors.get(code, "#999999"), ec="white", lw=2))
                faulty = r.unit.split("; ")[2].split(" ")[0] if r.unit.count("; ") >= 2 else ""
                unexpected = f"expected {names.get(code, '?')}" not in r.unit
                text = names.get(code, "?") + ("\n" + faulty if faulty and not faulty.startswith("0/") and faulty != "1/1" else "")
                ax.text(j + 0.5, i + 0.5, text + (" *" if unexpected else ""), ha="center", va="center", fontsize=8,
                        color="white", weight="bold")
        ax.set_xlim(0, len(scenarios))
        ax.set_ylim(len(strategies), 0)
        ax.set_xticks([j + 0.5 for j in range(len(scenarios))])
        ax.set_xticklabels([f"#{j + 1} {s}" for j, s in enumerate(scenarios)], fontsize=8, rotation=20)
        ax.set_yticks([i + 0.5 for i in range(len(strategies))])
        ax.set_yticklabels(strategies, fontsize=9)
        ax.set_title(f"{rule} reuse" if rule in REUSE_RULES else "", fontsize=9)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
    finish(fig, f"Safety: the thread's hazards replayed — {title}",
           "cell: verdict, faulty iterations / iterations; * = not the verdict the README expects", stem, "safety",
           written)


def plot_file(path):
    rows = read_rows(path)
    if not rows:
        raise ValueError(f"{path}: no rows")
    stem = os.path.splitext(path)[0]
    title = context_title(rows, command_of(stem))
    style = Style(strategy_order({r.strategy for r in rows}))
    written = []
    for plot in (plot_kernel_strategies, plot_cost, plot_scaling, plot_kill, plot_walk, plot_kernel, plot_safety,
                 plot_latency, plot_latency_kill, plot_ownership):
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
