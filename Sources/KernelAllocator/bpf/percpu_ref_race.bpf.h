/* A percpu_ref put racing the kill, for the test that shows the grace period is needed.
 * Part of strategies.bpf.c; needs policy_percpu_ref.bpf.h. */
#ifndef MB_PERCPU_REF_RACE_H
#define MB_PERCPU_REF_RACE_H

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

#endif
