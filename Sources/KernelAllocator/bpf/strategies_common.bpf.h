/* What every policy in strategies.bpf.c shares: the policy's state in global data, the maps
 * the workloads and the walk use, and the in-program timer. Included once, by strategies.bpf.c
 * only: every policy and the control must be one object (README "A control in the same
 * object"), so these are definitions, not declarations. */
#ifndef MB_STRATEGIES_COMMON_H
#define MB_STRATEGIES_COMMON_H

/* lib/percpu-refcount.c's PERCPU_COUNT_BIAS: while per-CPU counts are outstanding the shared
 * count carries 1 << 63, so no sum of puts can bring it to zero before the fold. */
#define MB_BIAS (1ULL << 63)
#define MB_MODE_PERCPU 0
#define MB_MODE_ATOMIC 1
#define MB_MODE_DEAD 2
#define MB_MAX_OWNERS 1024

/* The strategy's state. `count` sits alone on its cache line (the line every CPU's atomic
 * get/put fights over); `mode` and the rest are read-mostly, on the next line. */
struct mb_strategy {
	__u64 count;		/* the shared count (atomic: live objects + base ref) */
	__u64 pad0[7];
	__u64 mode;		/* MB_MODE_*: percpu_ref's flag bits */
	__u64 releases;		/* times a put or the fold saw the count reach zero */
	__u64 kill_ns;		/* the kill's own instructions, ns (ktime pair subtracted) */
	__u64 fold_ns;		/* the fold, ns (ktime pair subtracted) */
	__u64 fold_sum;		/* the per-CPU sum the fold moved into the count */
	__u64 walk_ns;		/* the last walk, ns (ktime pair subtracted) */
	__u64 walk_visited;	/* map values the last walk visited */
	__u64 walk_found;	/* objects (non-NULL kptrs) the last walk read */
	__u64 walk_added;	/* owners the last walk added to the used set */
	__u64 pad1[7];
	__u32 used_gen[MB_MAX_OWNERS]; /* used_allocators: owner i is in the set iff == walk gen */
} strategy SEC(".bss") __attribute__((aligned(64)));

/* percpu_ref's per-CPU counts: one signed slot per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __s64);
	__uint(max_entries, 1);
} pcpu_count SEC(".maps");

struct slot {
	struct mb_object __kptr *obj;
};

/* The objects: an array of __kptr slots (the case's map), and a hash map of the same values
 * for the walk's hash-map variant. The loader sizes both before load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct slot);
	__uint(max_entries, 256);
} slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct slot);
	__uint(max_entries, 1);
} hslots SEC(".maps");

/* The time between t1 and t2 less one ktime read (t1 - t0). A few instructions can take less
 * than a read's own jitter; the unsigned difference then wrapped to ~1.8e19 ns, so anything
 * below one read reads 0 (below this clock's resolution). */
static __always_inline __u64 inner_ns(__u64 t0, __u64 t1, __u64 t2)
{
	__u64 inner = t2 - t1, read = t1 - t0;

	return inner > read ? inner - read : 0;
}

#endif
