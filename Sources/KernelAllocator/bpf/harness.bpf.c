/* The harness alone: bpf_loop with an empty callback, run exactly like the allocator
 * programs. Its ns per iteration is subtracted the way the model's `noop` row is. */
#include "memalloc_bench.h"

static long empty_step(__u64 index, struct mb_loop *l)
{
	l->c->allocated++;
	return 0;
}

MB_LOOP_PROGRAM(harness, empty_step, 0)
