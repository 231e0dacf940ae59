/* The per-op programs of one policy `s`: the same steps as obj_pair/obj_slots, plus s_get()
 * and s_put() where the policy counts. One macro, so every policy and the control run the same
 * workload code and differ only in their get/put. Part of strategies.bpf.c. */
#ifndef MB_POLICY_PROGRAMS_H
#define MB_POLICY_PROGRAMS_H

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

#endif
