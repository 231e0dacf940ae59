/* The safety scenarios' programs, run against the real kernel around bpf_global_ma
 * (KernelSafety.swift). Each run acquires and releases its own references, as the verifier
 * demands; where a scenario holds objects while the control plane acts, one run holds them:
 * take out with bpf_kptr_xchg, spin until the control plane has acted, drop. tc programs run with BPF_PROG_TEST_RUN
 * on the calling thread's CPU; cb[0] a count, cb[1] the first slot, cb[2] a window or slot. */
#include "memalloc_bench.h"

struct slot {
	struct mb_object __kptr *obj;
};

#define SF_SLOTS 8

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct slot);
	__uint(max_entries, SF_SLOTS);
} values SEC(".maps");

/* map-in-map: the inner map libbpf installs at outer[0]; the control plane deletes it. */
struct inner_slots {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct slot);
	__uint(max_entries, 1);
} inner SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct inner_slots);
} outer SEC(".maps") = {
	.values = { [0] = &inner },
};

/* The control plane's gate: a holding run spins until it reads 1 here (the step it raced is
 * done) or its cap, cb[2] ns, runs out. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} sf_gate SEC(".maps");

/* Per CPU, the last holding run: when it took its first object out and dropped its last
 * (bpf_ktime_get_ns, CLOCK_MONOTONIC), and how many it holds now (the control plane waits
 * for a non-zero count before it acts inside the window). One cache line per CPU. */
struct sf_hold {
	__u64 start_ns, end_ns, holding;
	__u64 pad[5];
};
struct sf_hold sf_hold[MB_MAX_CPUS];

static __always_inline void put_in(struct slot *s, struct mb_counters *c)
{
	struct mb_object *p = mb_obj_new(), *old;

	if (!p) {
		c->failed++;
		return;
	}
	c->allocated++;
	old = bpf_kptr_xchg(&s->obj, p);
	if (old) {
		mb_obj_drop(old);
		c->freed++;
	}
}

static long stash_step(__u64 index, struct mb_loop *l)
{
	__u32 key = l->base + (__u32)index;
	struct slot *s = bpf_map_lookup_elem(&values, &key);

	if (!s)
		return 1;
	put_in(s, l->c);
	return 0;
}

MB_UNSTASH_STEP(take_drop_step, values)

/* alloc_prog's run: a new object into each slot [base, base+n), the old one dropped. */
MB_LOOP_PROGRAM(sf_stash, stash_step, 0)
/* A drainer's run: each slot [base, base+n) taken out and dropped in the same run. */
MB_LOOP_PROGRAM(sf_take_drop, take_drop_step, 0)

static long spin_step(__u64 index, __u64 *deadline)
{
	__u32 key = 0;
	__u64 *open = bpf_map_lookup_elem(&sf_gate, &key);

	return (open && *open) || bpf_ktime_get_ns() >= *deadline;
}

static __always_inline struct mb_object *take(__u32 key)
{
	struct slot *s = bpf_map_lookup_elem(&values, &key);

	return s ? bpf_kptr_xchg(&s->obj, NULL) : NULL;
}

static __always_inline void drop(struct mb_object *p, struct mb_counters *c)
{
	if (!p) {
		c->empty++;
		return;
	}
	mb_obj_drop(p);
	c->freed++;
}

/* in-flight-at-kill, paused-put-at-kill: one run takes slots [base, base+4) out, holds them
 * until the control plane has acted (sf_gate) or cb[2] ns have passed, drops them. */
SEC("tc")
int sf_hold_drop(struct __sk_buff *skb)
{
	struct mb_counters *c = mb_my_counters();
	__u32 base = MB_BASE(skb), cpu = bpf_get_smp_processor_id();
	struct sf_hold *h;
	__u64 deadline;
	struct mb_object *a, *b, *d, *e;

	if (!c || cpu >= MB_MAX_CPUS)
		return -1;
	h = &sf_hold[cpu];
	h->start_ns = bpf_ktime_get_ns();
	a = take(base);
	b = take(base + 1);
	d = take(base + 2);
	e = take(base + 3);
	h->holding = !!a + !!b + !!d + !!e;
	deadline = h->start_ns + MB_SEED(skb);
	bpf_loop(1 << 23, spin_step, &deadline, 0);
	drop(a, c);
	drop(b, c);
	drop(d, c);
	drop(e, c);
	h->holding = 0;
	h->end_ns = bpf_ktime_get_ns();
	return 0;
}

/* moved-behind-walk: slot base (late) moved into slot cb[2] (early, empty). */
SEC("tc")
int sf_move(struct __sk_buff *skb)
{
	struct mb_counters *c = mb_my_counters();
	__u32 to = MB_SEED(skb);
	struct slot *s;
	struct mb_object *p, *old;

	if (!c)
		return -1;
	p = take(MB_BASE(skb));
	if (!p)
		return 1;
	s = bpf_map_lookup_elem(&values, &to);
	if (!s) {
		drop(p, c);
		return 1;
	}
	old = bpf_kptr_xchg(&s->obj, p);
	if (old)
		drop(old, c);
	return 0;
}

static long count_kptr(struct bpf_map *map, __u32 *key, struct slot *s, __u64 *n)
{
	if (s->obj)
		(*n)++;
	return 0;
}

/* The objects still in values (a walk: bpf_for_each_map_elem); the run's return value. */
SEC("tc")
int sf_count(struct __sk_buff *skb)
{
	__u64 n = 0;

	bpf_for_each_map_elem(&values, count_kptr, &n, 0);
	return n;
}

/* The objects in the inner map, reached directly (its outer entry may be gone). */
SEC("tc")
int sf_count_inner(struct __sk_buff *skb)
{
	__u64 n = 0;

	bpf_for_each_map_elem(&inner, count_kptr, &n, 0);
	return n;
}

/* map-in-map-escape's alloc_prog: outer[0] -> inner, a new object into inner[0]. */
SEC("tc")
int sf_mim_stash(struct __sk_buff *skb)
{
	struct mb_counters *c = mb_my_counters();
	__u32 key = 0;
	void *in;
	struct slot *s;

	if (!c)
		return -1;
	in = bpf_map_lookup_elem(&outer, &key);
	if (!in)
		return 1;
	s = bpf_map_lookup_elem(in, &key);
	if (!s)
		return 1;
	put_in(s, c);
	return 0;
}

/* last-put-in-NMI's nmi_drain: one run of a perf_event program takes every object out and
 * drops them. The guest has no hardware PMU (no NMI), so a software cpu-clock event runs it
 * in hard-irq context; the verifier's answer is the same for both. */
SEC("perf_event")
int sf_irq_drain(struct bpf_perf_event_data *ctx)
{
	struct mb_counters *c = mb_my_counters();

	if (!c)
		return 0;
	drop(take(0), c);
	drop(take(1), c);
	drop(take(2), c);
	drop(take(3), c);
	return 0;
}

/* The shape no verifier accepts (the 2022 scripts' "held across runs"): a run that exits
 * holding the object it allocated. Never autoloaded; loaded alone to be refused. */
SEC("tc")
int sf_exit_holding(struct __sk_buff *skb)
{
	struct mb_object *p = mb_obj_new();

	return p != NULL;
}
