/* The lifetime policies of the August 2022 thread, each one's accounting done by the BPF
 * program around bpf_global_ma (bpf_obj_new / bpf_obj_drop), in the context where a kernel
 * implementation would run it: a BPF program, migration disabled, inside the RCU read side.
 * This is not a kernel patched to count inside bpf_mem_alloc: the same instructions (a locked
 * RMW on one shared line, a gs-relative per-CPU add), plus what the emulation adds (the mode
 * check, the map lookup that finds this CPU's slot).
 *
 *   atomic_*  one 64-bit count on its own cache line: +1 after each successful bpf_obj_new,
 *             a fetching -1 after each bpf_obj_drop; old value 1 = the count reached zero =
 *             the release. x86-64 JIT (bpftool prog dump jited, 6.18, -mcpu=v3):
 *               get: lock add QWORD PTR [rdi+0x0],rsi      (BPF_ADD, result unused)
 *               put: lock xadd QWORD PTR [rdi+0x0],rsi     (BPF_ADD|BPF_FETCH)
 *   pcpu_*    percpu_ref (lib/percpu-refcount.c) as a BPF program can express it: while the
 *             mode word says PERCPU, get/put add +-1 to this CPU's slot of a PERCPU_ARRAY (the
 *             verifier inlines the lookup: mov/add gs-relative, no call); after the kill every
 *             get/put is a locked RMW on the shared count. Also the hybrid's per-op code.
 *   lazy_*    no per-op accounting: the object carries its owner id (the 8-byte header of the
 *             proposal), read by the unload walk (walk_array / walk_hash).
 * The kill, the fold and the lazy refcount are separate programs run once per repetition. */
#include "memalloc_bench.h"

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

/* ---- per-op accounting ---------------------------------------------------------------- */

static __always_inline void atomic_get(void)
{
	__sync_fetch_and_add(&strategy.count, 1);
}

static __always_inline void atomic_put(void)
{
	if (__sync_fetch_and_add(&strategy.count, -1) == 1)
		__sync_fetch_and_add(&strategy.releases, 1);
}

static __always_inline void pcpu_get(void)
{
	__u32 zero = 0;
	__s64 *slot;

	if (*(volatile __u64 *)&strategy.mode == MB_MODE_PERCPU) {
		slot = bpf_map_lookup_elem(&pcpu_count, &zero);
		if (slot)
			*slot += 1; /* this_cpu_add: load, add, store on this CPU's line, no lock */
	} else {
		atomic_get();
	}
}

static __always_inline void pcpu_put(void)
{
	__u32 zero = 0;
	__s64 *slot;

	if (*(volatile __u64 *)&strategy.mode == MB_MODE_PERCPU) {
		slot = bpf_map_lookup_elem(&pcpu_count, &zero);
		if (slot)
			*slot -= 1;
	} else {
		atomic_put();
	}
}

struct mb_spin {
	__u64 until;
};

static long spin_step(__u64 index, struct mb_spin *s)
{
	return bpf_ktime_get_ns() >= s->until;
}

/* A put whose mode check and per-CPU add are `spin_ns` apart: only for the test that shows
 * a put racing the switch is lost without the grace period and never lost with it. */
static __always_inline void pcpu_put_widened(__u64 spin_ns)
{
	__u32 zero = 0;
	__s64 *slot;
	__u64 mode = *(volatile __u64 *)&strategy.mode;
	/* The spin is paid in both modes, so the run's length does not depend on the kill. */
	struct mb_spin spin = { .until = bpf_ktime_get_ns() + spin_ns };

	bpf_loop(1 << 22, spin_step, &spin, 0);
	if (mode == MB_MODE_PERCPU) {
		slot = bpf_map_lookup_elem(&pcpu_count, &zero);
		if (slot)
			*slot -= 1;
	} else {
		atomic_put();
	}
}

static __always_inline void lazy_get(void) {}
static __always_inline void lazy_put(void) {}

/* ---- workloads (the same steps as obj_pair/obj_slots, plus get/put) ------------------- */

#define MB_STRATEGY_PROGRAMS(s)							\
static long s##_pair_step(__u64 index, struct mb_loop *l)			\
{										\
	struct mb_object *p = mb_obj_new();					\
										\
	if (!p) {								\
		l->c->failed++;							\
		return 1;							\
	}									\
	s##_get();								\
	p->payload[0] = l->seed; /* the owner id */				\
	mb_obj_drop(p);								\
	s##_put();								\
	l->c->allocated++;							\
	l->c->freed++;								\
	return 0;								\
}										\
										\
static long s##_stash_step(__u64 index, struct mb_loop *l)			\
{										\
	__u32 key = l->base + (__u32)index;					\
	struct slot *v = bpf_map_lookup_elem(&slots, &key);			\
	struct mb_object *p, *old;						\
										\
	if (!v)									\
		return 1;							\
	p = mb_obj_new();							\
	if (!p) {								\
		l->c->failed++;							\
		return 1;							\
	}									\
	s##_get();								\
	p->payload[0] = l->seed;						\
	l->c->allocated++;							\
	old = bpf_kptr_xchg(&v->obj, p);					\
	if (old) {								\
		l->c->empty++;							\
		mb_obj_drop(old);						\
		s##_put();							\
		l->c->freed++;							\
	}									\
	return 0;								\
}										\
										\
static long s##_unstash_step(__u64 index, struct mb_loop *l)			\
{										\
	__u32 key = l->base + (__u32)index;					\
	struct slot *v = bpf_map_lookup_elem(&slots, &key);			\
	struct mb_object *old;							\
										\
	if (!v)									\
		return 1;							\
	old = bpf_kptr_xchg(&v->obj, NULL);					\
	if (!old) {								\
		l->c->empty++;							\
		return 0;							\
	}									\
	mb_obj_drop(old);							\
	s##_put();								\
	l->c->freed++;								\
	return 0;								\
}										\
										\
static long s##_xchg_step(__u64 index, struct mb_loop *l)			\
{										\
	__u32 x = l->seed;							\
	x ^= x << 13; x ^= x >> 17; x ^= x << 5;				\
	l->seed = x;								\
	__u32 key = x % l->base;						\
	struct slot *v = bpf_map_lookup_elem(&slots, &key);			\
	struct mb_object *p, *old;						\
										\
	if (!v)									\
		return 1;							\
	p = mb_obj_new();							\
	if (!p) {								\
		l->c->failed++;							\
		return 1;							\
	}									\
	s##_get();								\
	p->payload[0] = 0;							\
	l->c->allocated++;							\
	old = bpf_kptr_xchg(&v->obj, p);					\
	if (old) {								\
		mb_obj_drop(old);						\
		s##_put();							\
		l->c->freed++;							\
	} else {								\
		l->c->empty++;							\
	}									\
	return 0;								\
}										\
/* The accounting alone, no allocator: one get and one put per step. */	\
static long s##_acct_step(__u64 index, struct mb_loop *l)			\
{										\
	s##_get();								\
	s##_put();								\
	l->c->allocated++;							\
	l->c->freed++;								\
	return 0;								\
}										\
MB_LOOP_PROGRAM(s##_acct, s##_acct_step, 0)					\
MB_LOOP_PROGRAM(s##_pair, s##_pair_step, MB_SEED(skb))				\
MB_LOOP_PROGRAM(s##_stash, s##_stash_step, MB_SEED(skb))			\
MB_LOOP_PROGRAM(s##_unstash, s##_unstash_step, 0)				\
MB_LOOP_PROGRAM(s##_xchg, s##_xchg_step, MB_SEED(skb) | 1)

MB_STRATEGY_PROGRAMS(atomic)
MB_STRATEGY_PROGRAMS(pcpu)
MB_STRATEGY_PROGRAMS(lazy)

/* The race test's pair: new, get, drop, then a put with its window widened by cb[2] ns. */
static long pcpu_widened_step(__u64 index, struct mb_loop *l)
{
	struct mb_object *p = mb_obj_new();

	if (!p) {
		l->c->failed++;
		return 1;
	}
	pcpu_get();
	mb_obj_drop(p);
	pcpu_put_widened(l->seed);
	l->c->allocated++;
	l->c->freed++;
	return 0;
}
MB_LOOP_PROGRAM(pcpu_widened, pcpu_widened_step, MB_SEED(skb))

/* ---- the lifecycle: reset, kill, fold ------------------------------------------------- */

/* A fresh allocator: the base reference (held by the allocator map), per-CPU mode (cb[1] = 1)
 * or atomic counting (cb[1] = 0), every CPU's slot zero. cb[0] = possible CPUs. */
SEC("tc")
int reset(struct __sk_buff *skb)
{
	__u32 cpus = skb->cb[0], zero = 0;

	for (__u32 cpu = 0; cpu < MB_MAX_CPUS && cpu < cpus; cpu++) {
		__s64 *slot = bpf_map_lookup_percpu_elem(&pcpu_count, &zero, cpu);
		if (slot)
			*slot = 0;
	}
	strategy.count = skb->cb[1] ? MB_BIAS + 1 : 1;
	strategy.mode = skb->cb[1] ? MB_MODE_PERCPU : MB_MODE_ATOMIC;
	strategy.releases = 0;
	strategy.kill_ns = strategy.fold_ns = strategy.fold_sum = 0;
	return 0;
}

/* The time between t1 and t2 less one ktime read (t1 - t0). A few instructions can take less
 * than a read's own jitter; the unsigned difference then wrapped to ~1.8e19 ns, so anything
 * below one read reads 0 (below this clock's resolution). */
static __always_inline __u64 inner_ns(__u64 t0, __u64 t1, __u64 t2)
{
	__u64 inner = t2 - t1, read = t1 - t0;

	return inner > read ? inner - read : 0;
}

/* percpu_ref_kill as lib/percpu-refcount.c does it, minus the call_rcu_hurry the caller
 * queues (the loader waits the grace period itself, then runs `fold`): mark ATOMIC|DEAD (from
 * here every get/put is a locked RMW on `count`; the bias is already in it) and drop the base
 * reference. For the atomic strategy (cb[0] = 0) the kill is the base reference's drop alone.
 * Timed inside: (t2 - t1) - (t1 - t0) removes one ktime read. */
SEC("tc")
int kill(struct __sk_buff *skb)
{
	__u64 t0 = bpf_ktime_get_ns();
	__u64 t1 = bpf_ktime_get_ns();

	if (skb->cb[0])
		*(volatile __u64 *)&strategy.mode = MB_MODE_ATOMIC | MB_MODE_DEAD;
	atomic_put();
	__u64 t2 = bpf_ktime_get_ns();
	strategy.kill_ns = inner_ns(t0, t1, t2);
	return 0;
}

/* After a grace period no CPU can still be inside a per-CPU get/put that read PERCPU: sum
 * every CPU's slot (bpf_map_lookup_percpu_elem reads another CPU's) and move the sum into the
 * count, removing the bias. The count reaching zero here is the release. cb[0] = CPUs. */
SEC("tc")
int fold(struct __sk_buff *skb)
{
	__u32 cpus = skb->cb[0], zero = 0;
	__u64 t0 = bpf_ktime_get_ns();
	__u64 t1 = bpf_ktime_get_ns();
	__s64 sum = 0;

	for (__u32 cpu = 0; cpu < MB_MAX_CPUS && cpu < cpus; cpu++) {
		__s64 *slot = bpf_map_lookup_percpu_elem(&pcpu_count, &zero, cpu);
		if (slot)
			sum += *slot;
	}
	__u64 delta = (__u64)sum - MB_BIAS;
	if (__sync_fetch_and_add(&strategy.count, delta) + delta == 0)
		__sync_fetch_and_add(&strategy.releases, 1);
	__u64 t2 = bpf_ktime_get_ns();
	strategy.fold_sum = (__u64)sum;
	strategy.fold_ns = inner_ns(t0, t1, t2);
	return 0;
}

/* ---- the unload walk (lazy, hybrid) --------------------------------------------------- */

struct mb_walk {
	__u32 gen, take_refs;
	__u64 visited, found, added;
};

/* cb[0]: this walk's generation (nonzero); cb[1]: take a reference per owner added. */

/* One map value: load the local kptr in place (a tc program is non-sleepable, so the verifier
 * types it MEM_ALLOC|MEM_RCU, NULL-checked), read the owner id the object carries and add that
 * allocator to the used set. */
static long walk_value(struct bpf_map *map, __u32 *key, struct slot *v, struct mb_walk *w)
{
	struct mb_object *p = v->obj;
	__u32 owner;

	w->visited++;
	if (!p)
		return 0;
	w->found++;
	owner = (__u32)p->payload[0];
	if (owner < MB_MAX_OWNERS && strategy.used_gen[owner] != w->gen) {
		strategy.used_gen[owner] = w->gen;
		w->added++;
		/* lazy: the map's used_allocators takes a reference (refcount_inc) */
		if (w->take_refs)
			__sync_fetch_and_add(&strategy.count, 1);
	}
	return 0;
}

#define MB_WALK_PROGRAM(name, map)						\
SEC("tc")									\
int name(struct __sk_buff *skb)							\
{										\
	struct mb_walk w = { .gen = skb->cb[0], .take_refs = skb->cb[1] };				\
	__u64 t0 = bpf_ktime_get_ns();						\
	__u64 t1 = bpf_ktime_get_ns();						\
										\
	bpf_for_each_map_elem(&map, walk_value, &w, 0);				\
	__u64 t2 = bpf_ktime_get_ns();						\
	strategy.walk_ns = inner_ns(t0, t1, t2);				\
	strategy.walk_visited = w.visited;					\
	strategy.walk_found = w.found;						\
	strategy.walk_added = w.added;						\
	return 0;								\
}

MB_WALK_PROGRAM(walk_array, slots)
MB_WALK_PROGRAM(walk_hash, hslots)

/* The hash-map variant's fill and empty: keys [base, base+n), owner id in cb[2]. */
static long hstash_step(__u64 index, struct mb_loop *l)
{
	__u32 key = l->base + (__u32)index;
	struct slot empty = {};
	struct slot *v;
	struct mb_object *p, *old;

	if (bpf_map_update_elem(&hslots, &key, &empty, BPF_ANY)) {
		l->c->failed++;
		return 1;
	}
	v = bpf_map_lookup_elem(&hslots, &key);
	if (!v)
		return 1;
	p = mb_obj_new();
	if (!p) {
		l->c->failed++;
		return 1;
	}
	p->payload[0] = l->seed;
	l->c->allocated++;
	old = bpf_kptr_xchg(&v->obj, p);
	if (old) {
		l->c->empty++;
		mb_obj_drop(old);
		l->c->freed++;
	}
	return 0;
}

static long hunstash_step(__u64 index, struct mb_loop *l)
{
	__u32 key = l->base + (__u32)index;
	struct slot *v = bpf_map_lookup_elem(&hslots, &key);
	struct mb_object *old;

	if (!v) {
		l->c->empty++;
		return 0;
	}
	old = bpf_kptr_xchg(&v->obj, NULL);
	if (old) {
		mb_obj_drop(old);
		l->c->freed++;
	} else {
		l->c->empty++;
	}
	bpf_map_delete_elem(&hslots, &key);
	return 0;
}

MB_LOOP_PROGRAM(hstash, hstash_step, MB_SEED(skb))
MB_LOOP_PROGRAM(hunstash, hunstash_step, 0)
