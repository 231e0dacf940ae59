/* Each policy's accounting alone (one get, one put), timed op by op: bpf_ktime_get_ns() around
 * the pair, counted into a per-CPU log-linear histogram (latency_hist.bpf.h), one row per
 * policy. lazy's get and put do nothing, so its row is the clock's own cost in this object.
 * Included last by strategies.bpf.c, so the programs before it keep their order; loaded only
 * where asked for (the native rounds' latency pass). Part of strategies.bpf.c. */
#ifndef MB_POLICY_TIMED_H
#define MB_POLICY_TIMED_H

#include "latency_hist.bpf.h"

#define MB_TIMED_SLOTS 3 /* atomic, pcpu, lazy */

/* A per-CPU array of one `value_type`: each CPU counts into its own histograms. */
#define MB_PERCPU_HIST_MAP(name, value_type)					\
struct {									\
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);				\
	__uint(max_entries, 1);							\
	__type(key, __u32);							\
	__type(value, value_type);						\
} name SEC(".maps")

struct mb_acct_hist {
	__u64 bucket[MB_TIMED_SLOTS][MB_HIST_BUCKETS];
};
MB_PERCPU_HIST_MAP(acct_hist, struct mb_acct_hist);

#define MB_TIMED_ACCT(s, slot)							\
static long s##_acct_timed_step(__u64 index, struct mb_loop *l)		\
{										\
	__u32 zero = 0;								\
	struct mb_acct_hist *h = bpf_map_lookup_elem(&acct_hist, &zero);	\
	__u64 t0 = bpf_ktime_get_ns();						\
										\
	s##_get();								\
	s##_put();								\
	__u64 ns = bpf_ktime_get_ns() - t0;					\
										\
	if (h)									\
		h->bucket[slot][mb_hist_bucket(ns) & (MB_HIST_BUCKETS - 1)]++;	\
	l->c->allocated++;							\
	l->c->freed++;								\
	return 0;								\
}										\
MB_LOOP_PROGRAM(s##_acct_timed, s##_acct_timed_step, 0)

MB_TIMED_ACCT(atomic, 0)
MB_TIMED_ACCT(pcpu, 1)
MB_TIMED_ACCT(lazy, 2)

/* Each policy's op around the real allocator, timed in two regions per step: bpf_obj_new + get
 * ([0]), then the owner id written untimed, then bpf_obj_drop + put ([1]). lazy's get and put
 * do nothing, so its rows are the allocator alone in this object: the control. */
struct mb_pair_hist {
	__u64 bucket[MB_TIMED_SLOTS][2][MB_HIST_BUCKETS];
};
MB_PERCPU_HIST_MAP(pair_hist, struct mb_pair_hist);

#define MB_TIMED_PAIR(s, slot)							\
static long s##_pair_timed_step(__u64 index, struct mb_loop *l)		\
{										\
	__u32 zero = 0;								\
	struct mb_pair_hist *h = bpf_map_lookup_elem(&pair_hist, &zero);	\
	__u64 t0 = bpf_ktime_get_ns(), t1, t2, t3;				\
	struct mb_object *p = mb_obj_new();					\
										\
	if (!p) {								\
		l->c->failed++;							\
		return 1;							\
	}									\
	s##_get();								\
	t1 = bpf_ktime_get_ns();						\
	p->payload[0] = l->seed;						\
	t2 = bpf_ktime_get_ns();						\
	mb_obj_drop(p);								\
	s##_put();								\
	t3 = bpf_ktime_get_ns();						\
	if (h) {								\
		h->bucket[slot][0][mb_hist_bucket(t1 - t0) & (MB_HIST_BUCKETS - 1)]++; \
		h->bucket[slot][1][mb_hist_bucket(t3 - t2) & (MB_HIST_BUCKETS - 1)]++; \
	}									\
	l->c->allocated++;							\
	l->c->freed++;								\
	return 0;								\
}										\
MB_LOOP_PROGRAM(s##_pair_timed, s##_pair_timed_step, MB_SEED(skb))

MB_TIMED_PAIR(atomic, 0)
MB_TIMED_PAIR(pcpu, 1)
MB_TIMED_PAIR(lazy, 2)

#endif
