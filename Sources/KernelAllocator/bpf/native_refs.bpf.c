/* The kernel's own refcounts, reached from tc programs (issue 26):
 *  - lib/percpu-refcount.c through a cgroup's `self` css: bpf_cgroup_acquire is
 *    cgroup_tryget -> percpu_ref_tryget, bpf_cgroup_release is css_put -> percpu_ref_put.
 *    The cgroup is taken once with bpf_cgroup_from_id and stashed as a kptr; every step
 *    loads it from the stash under the tc program's RCU read side.
 *  - the per-object `struct bpf_refcount` of program types: bpf_obj_new sets it to 1,
 *    bpf_refcount_acquire increments it (inc-not-zero), bpf_obj_drop decrements it and frees
 *    at zero.
 * Counters (memalloc_bench.h, per CPU): allocated = references taken (acquire or new),
 * freed = references dropped, failed = a failed acquire or new (fails the case), empty =
 * control steps. The loader checks them against the ops it timed. */
#include "memalloc_bench.h"
#include "latency_hist.bpf.h"

extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
extern struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
extern void *bpf_refcount_acquire_impl(void *kptr, void *meta) __ksym;

struct nr_cgroup_slot {
	struct cgroup __kptr *cgrp;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nr_cgroup_slot);
} nr_cgroups SEC(".maps");

/* The ref's state as the last nr_mode run saw it (read by the loader from .bss). */
struct nr_ref_state {
	__u64 percpu_count_ptr;	/* its flags: bit 0 __PERCPU_REF_ATOMIC, bit 1 __PERCPU_REF_DEAD */
	__s64 count;		/* data->count: carries PERCPU_COUNT_BIAS (1 << 63) until the fold */
	__u64 runs;
	__u64 pad[5];
};
struct nr_ref_state nr_state SEC(".bss");

/* The cgroup id is 64 bits: cb[1] low half, cb[2] high half. */
static __always_inline u64 nr_cgroup_id(struct __sk_buff *skb)
{
	return (u64)MB_BASE(skb) | ((u64)MB_SEED(skb) << 32);
}

static __always_inline struct nr_cgroup_slot *nr_slot(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&nr_cgroups, &key);
}

/* Takes a reference with bpf_cgroup_from_id and stashes it. 0 stashed, 1 no slot, 2 no such
 * cgroup, 3 the slot was already full (the old one is released). */
SEC("tc")
int nr_stash(struct __sk_buff *skb)
{
	struct nr_cgroup_slot *s = nr_slot();
	struct cgroup *c;

	if (!s)
		return 1;
	c = bpf_cgroup_from_id(nr_cgroup_id(skb));
	if (!c)
		return 2;
	c = bpf_kptr_xchg(&s->cgrp, c);
	if (c) {
		bpf_cgroup_release(c);
		return 3;
	}
	return 0;
}

/* Drops the stash's reference: the last put once the cgroup is removed. 0 released, 1 empty. */
SEC("tc")
int nr_unstash(struct __sk_buff *skb)
{
	struct nr_cgroup_slot *s = nr_slot();
	struct cgroup *c;

	if (!s)
		return 1;
	c = bpf_kptr_xchg(&s->cgrp, NULL);
	if (!c)
		return 1;
	bpf_cgroup_release(c);
	return 0;
}

/* Whether the cgroup with this id can still be looked up: 1 yes, 0 gone. */
SEC("tc")
int nr_lookup(struct __sk_buff *skb)
{
	struct cgroup *c = bpf_cgroup_from_id(nr_cgroup_id(skb));

	if (!c)
		return 0;
	bpf_cgroup_release(c);
	return 1;
}

/* Reads the stashed cgroup's self.refcnt mode word and data->count into nr_state.
 * Returns the mode bits | 4, or 0 when the stash is empty. */
SEC("tc")
int nr_mode(struct __sk_buff *skb)
{
	struct nr_cgroup_slot *s = nr_slot();
	struct percpu_ref_data *data;
	struct cgroup *c;
	__s64 count = 0;
	__u64 word;

	if (!s)
		return 0;
	c = s->cgrp;
	if (!c)
		return 0;
	word = c->self.refcnt.percpu_count_ptr;
	data = c->self.refcnt.data;
	if (data)
		bpf_probe_read_kernel(&count, sizeof(count), &data->count.counter);
	nr_state.percpu_count_ptr = word & 3; /* the flags, never the per-CPU address */
	nr_state.count = count;
	nr_state.runs++;
	return (int)(word & 3) | 4;
}

struct nr_loop {
	struct mb_counters *c;
	struct nr_cgroup_slot *s;
};

/* One get+put of the stashed cgroup's self css. */
static long css_getput_step(__u64 index, struct nr_loop *l)
{
	struct cgroup *c = l->s->cgrp, *ref;

	if (!c) {
		l->c->failed++;
		return 1;
	}
	ref = bpf_cgroup_acquire(c);
	if (!ref) {
		l->c->failed++;
		return 1;
	}
	bpf_cgroup_release(ref);
	l->c->allocated++;
	l->c->freed++;
	return 0;
}

/* The same step without the get and put: the same-object control. */
static long css_empty_step(__u64 index, struct nr_loop *l)
{
	struct cgroup *c = l->s->cgrp;

	if (!c) {
		l->c->failed++;
		return 1;
	}
	l->c->empty++;
	return 0;
}

/* A tc program running `step` n times over a loop context of `loop_type` whose slot comes
 * from `slot()`; nonzero when a step failed. Shared by the css and the refcount programs. */
#define NR_LOOP_PROGRAM(name, step, loop_type, slot)			\
SEC("tc")								\
int name(struct __sk_buff *skb)						\
{									\
	struct loop_type l = { .c = mb_my_counters(), .s = slot() };	\
	__u32 n = MB_ITERATIONS(skb);					\
	__u64 failed_before;						\
									\
	if (!l.c || !l.s || n > MB_MAX_LOOPS)				\
		return -1;						\
	failed_before = l.c->failed;					\
	bpf_loop(n, step, &l, 0);					\
	return l.c->failed != failed_before;				\
}

#define NR_CSS_PROGRAM(name, step) NR_LOOP_PROGRAM(name, step, nr_loop, nr_slot)

NR_CSS_PROGRAM(css_getput, css_getput_step)
NR_CSS_PROGRAM(css_empty, css_empty_step)

/* Per-op latency: bpf_ktime_get_ns() around each step, counted into a log-linear histogram
 * per CPU (bucket v for v < 8 ns, then 4 buckets per power of two: 25 % wide; the last bucket
 * holds everything from 2^17 ns). [0] the css get+put, [1] its empty step: the timing's own
 * cost; [2] the shared refcount_t's acquire+drop, [3] its empty step. */
#define NR_HIST_BUCKETS MB_HIST_BUCKETS
#define NR_HISTS 4
__u64 nr_hist[NR_HISTS][MB_MAX_CPUS][NR_HIST_BUCKETS] SEC(".bss");

static __always_inline void nr_count(__u32 which, __u64 ns)
{
	__u32 cpu = bpf_get_smp_processor_id();

	if (cpu < MB_MAX_CPUS && which < NR_HISTS)
		nr_hist[which][cpu][mb_hist_bucket(ns) & (NR_HIST_BUCKETS - 1)]++;
}

/* `step` timed: bpf_ktime_get_ns() around it, counted into nr_hist[slot]. */
#define NR_TIMED_STEP(step, loop_type, slot)					\
static long step##_timed(__u64 index, struct loop_type *l)		\
{									\
	__u64 t0 = bpf_ktime_get_ns();					\
	long stop = step(index, l);					\
									\
	nr_count(slot, bpf_ktime_get_ns() - t0);			\
	return stop;							\
}

NR_TIMED_STEP(css_getput_step, nr_loop, 0)
NR_TIMED_STEP(css_empty_step, nr_loop, 1)

NR_CSS_PROGRAM(css_getput_timed, css_getput_step_timed)
NR_CSS_PROGRAM(css_empty_timed, css_empty_step_timed)

/* Test only: a planted extra put. It takes the stash's own reference out and drops it, as a
 * put the loader never asked for; the loader must notice (the stash is empty at unstash, and
 * later acquires fail). */
SEC("tc")
int css_extra_put(struct __sk_buff *skb)
{
	struct nr_cgroup_slot *s = nr_slot();
	struct cgroup *c;

	if (!s)
		return 1;
	c = bpf_kptr_xchg(&s->cgrp, NULL);
	if (c)
		bpf_cgroup_release(c);
	return 0;
}

/* Test only: a literal double put of one reference; the verifier must reject it. */
SEC("tc")
int css_double_put(struct __sk_buff *skb)
{
	struct cgroup *c = bpf_cgroup_from_id(nr_cgroup_id(skb));

	if (!c)
		return 0;
	bpf_cgroup_release(c);
	bpf_cgroup_release(c);
	return 0;
}

/* ---- struct bpf_refcount: a refcount per object, not a count per allocator ---- */

struct nr_counted {
	__u64 payload[MB_OBJECT_SIZE / 8];
	struct bpf_refcount ref;
};

struct nr_plain {
	__u64 payload[MB_OBJECT_SIZE / 8];
};

#define nr_new(type) ((struct type *)bpf_obj_new_impl(bpf_core_type_id_local(struct type), NULL))
#define nr_refcount_acquire(p) ((typeof(p))bpf_refcount_acquire_impl(p, NULL))

/* new + acquire + drop + drop: refcount_set, refcount_inc, dec_and_test, dec_and_test + free. */
static long rc_pair_step(__u64 index, struct mb_loop *l)
{
	struct nr_counted *p = nr_new(nr_counted), *q;

	if (!p) {
		l->c->failed++;
		return 1;
	}
	p->payload[0] = index;
	q = nr_refcount_acquire(p);
	if (!q) {
		mb_obj_drop(p);
		l->c->failed++;
		return 1;
	}
	mb_obj_drop(q);
	mb_obj_drop(p);
	l->c->allocated += 2;
	l->c->freed += 2;
	return 0;
}

/* new + drop of the same size without a refcount field: the control. */
static long plain_pair_step(__u64 index, struct mb_loop *l)
{
	struct nr_plain *p = nr_new(nr_plain);

	if (!p) {
		l->c->failed++;
		return 1;
	}
	p->payload[0] = index;
	mb_obj_drop(p);
	l->c->allocated++;
	l->c->freed++;
	return 0;
}

MB_LOOP_PROGRAM(rc_pair, rc_pair_step, 0)
MB_LOOP_PROGRAM(plain_pair, plain_pair_step, 0)

/* One refcounted object shared by every CPU, stashed in a map. */
struct nr_counted_slot {
	struct nr_counted __kptr *obj;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nr_counted_slot);
} nr_shared SEC(".maps");

static __always_inline struct nr_counted_slot *nr_shared_slot(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&nr_shared, &key);
}

/* Allocates the shared object into the slot. 0 done, 1 no slot, 2 no memory, 3 was full. */
SEC("tc")
int rc_shared_stash(struct __sk_buff *skb)
{
	struct nr_counted_slot *s = nr_shared_slot();
	struct nr_counted *p;

	if (!s)
		return 1;
	p = nr_new(nr_counted);
	if (!p)
		return 2;
	p = bpf_kptr_xchg(&s->obj, p);
	if (p) {
		mb_obj_drop(p);
		return 3;
	}
	return 0;
}

/* Drops the slot's reference (the last one: the object is freed). 0 done, 1 empty. */
SEC("tc")
int rc_shared_unstash(struct __sk_buff *skb)
{
	struct nr_counted_slot *s = nr_shared_slot();
	struct nr_counted *p;

	if (!s)
		return 1;
	p = bpf_kptr_xchg(&s->obj, NULL);
	if (!p)
		return 1;
	mb_obj_drop(p);
	return 0;
}

struct nr_shared_loop {
	struct mb_counters *c;
	struct nr_counted_slot *s;
};

/* bpf_refcount_acquire on the stashed object (a non-owning, RCU-protected load), then drop
 * the new reference: refcount_inc_not_zero + refcount_dec_and_test on the shared line. */
static long rc_shared_getput_step(__u64 index, struct nr_shared_loop *l)
{
	struct nr_counted *p = l->s->obj, *q;

	if (!p) {
		l->c->failed++;
		return 1;
	}
	q = nr_refcount_acquire(p);
	if (!q) {
		l->c->failed++;
		return 1;
	}
	mb_obj_drop(q);
	l->c->allocated++;
	l->c->freed++;
	return 0;
}

static long rc_shared_empty_step(__u64 index, struct nr_shared_loop *l)
{
	struct nr_counted *p = l->s->obj;

	if (!p) {
		l->c->failed++;
		return 1;
	}
	l->c->empty++;
	return 0;
}

#define NR_SHARED_PROGRAM(name, step) NR_LOOP_PROGRAM(name, step, nr_shared_loop, nr_shared_slot)

NR_SHARED_PROGRAM(rc_shared_getput, rc_shared_getput_step)
NR_SHARED_PROGRAM(rc_shared_empty, rc_shared_empty_step)

/* The shared refcount_t's acquire+drop and its empty step, timed op by op into nr_hist[2], [3]. */
NR_TIMED_STEP(rc_shared_getput_step, nr_shared_loop, 2)
NR_TIMED_STEP(rc_shared_empty_step, nr_shared_loop, 3)

NR_SHARED_PROGRAM(rc_shared_getput_timed, rc_shared_getput_step_timed)
NR_SHARED_PROGRAM(rc_shared_empty_timed, rc_shared_empty_step_timed)
