/* `pair` on bpf_global_ma: bpf_obj_new then bpf_obj_drop, n times inside one bpf_loop. */
#include "memalloc_bench.h"

static long pair_step(__u64 index, struct mb_loop *l)
{
	struct mb_object *p = mb_obj_new();

	if (!p) {
		l->c->failed++;
		return 1; /* stop: the case fails, and the counter names why */
	}
	p->payload[0] = index;
	mb_obj_drop(p);
	l->c->allocated++;
	l->c->freed++;
	return 0;
}

MB_LOOP_PROGRAM(obj_pair, pair_step, 0)
