/* Each policy's accounting alone (one get, one put), timed op by op: bpf_ktime_get_ns() around
 * the pair, counted into a per-CPU log-linear histogram (latency_hist.bpf.h), one row per
 * policy. lazy's get and put do nothing, so its row is the clock's own cost in this object.
 * Included last by strategies.bpf.c, so the programs before it keep their order; loaded only
 * where asked for (the native rounds' latency pass). Part of strategies.bpf.c. */
#ifndef MB_POLICY_TIMED_H
#define MB_POLICY_TIMED_H

#include "latency_hist.bpf.h"

#define MB_TIMED_SLOTS 3 /* atomic, pcpu, lazy */

struct mb_acct_hist {
	__u64 bucket[MB_TIMED_SLOTS][MB_HIST_BUCKETS];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mb_acct_hist);
} acct_hist SEC(".maps");

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

#endif
