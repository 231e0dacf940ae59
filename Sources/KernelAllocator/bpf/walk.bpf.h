/* The unload walk of lazy and hybrid: every value of a map visited with
 * bpf_for_each_map_elem, each object's owner added to a used-allocators set; plus the hash-map
 * variant's fill and empty (KernelWalk.swift). Part of strategies.bpf.c. */
#ifndef MB_WALK_H
#define MB_WALK_H

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

#endif
