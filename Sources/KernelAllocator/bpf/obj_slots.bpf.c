/* Objects from bpf_global_ma kept in an array map's __kptr slots: `stash` fills slots
 * [base, base+n) (batch alloc, remote producer), `unstash` exchanges them out and drops
 * them (batch free, remote consumer), `xchg_random` is kptr-xchg: a new object into a
 * random slot, the old value dropped. The loader sizes the map (max_entries) before load. */
#include "memalloc_bench.h"

struct slot {
	struct mb_object __kptr *obj;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct slot);
	__uint(max_entries, 256);
} slots SEC(".maps");

static long stash_step(__u64 index, struct mb_loop *l)
{
	__u32 key = l->base + (__u32)index;
	struct slot *s = bpf_map_lookup_elem(&slots, &key);
	struct mb_object *p, *old;

	if (!s)
		return 1;
	p = mb_obj_new();
	if (!p) {
		l->c->failed++;
		return 1;
	}
	l->c->allocated++;
	old = bpf_kptr_xchg(&s->obj, p);
	if (old) {
		/* The slot was not empty: the loader's schedule is wrong; count and drop. */
		l->c->empty++;
		mb_obj_drop(old);
		l->c->freed++;
	}
	return 0;
}

MB_UNSTASH_STEP(unstash_step, slots)

/* xorshift32: cheap, and the same stream for a given seed. */
static __always_inline __u32 next_random(__u32 *state)
{
	__u32 x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

static long xchg_step(__u64 index, struct mb_loop *l)
{
	__u32 key = next_random(&l->seed) % l->base;
	struct slot *s = bpf_map_lookup_elem(&slots, &key);
	struct mb_object *p, *old;

	if (!s)
		return 1;
	p = mb_obj_new();
	if (!p) {
		l->c->failed++;
		return 1;
	}
	l->c->allocated++;
	old = bpf_kptr_xchg(&s->obj, p);
	if (old) {
		mb_obj_drop(old);
		l->c->freed++;
	} else {
		l->c->empty++;
	}
	return 0;
}



MB_LOOP_PROGRAM(stash, stash_step, 0)
MB_LOOP_PROGRAM(unstash, unstash_step, 0)
/* base carries the slot count for xchg_random; the seed must not be zero for xorshift. */
MB_LOOP_PROGRAM(xchg_random, xchg_step, MB_SEED(skb) | 1)
