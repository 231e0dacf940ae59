/* The gap experiment's control: `pair` exactly as obj_pair.bpf.c, but as a BPF_PROG_TYPE_SYSCALL
 * program. BPF_PROG_TEST_RUN runs a tc program inside one rcu_read_lock() section (net/bpf/
 * test_run.c), so no RCU grace period can end while its loop runs and no dropped object can
 * be reused; a syscall program runs under rcu_read_lock_trace() only, so normal grace
 * periods (the ones bpf_mem_free_rcu's reuse waits for) keep completing during the loop. */
#include "memalloc_bench.h"

struct mb_syscall_args {
	__u32 iterations;
};

static long pair_step(__u64 index, struct mb_loop *l)
{
	struct mb_object *p = mb_obj_new();

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

SEC("syscall")
int obj_pair_syscall(struct mb_syscall_args *args)
{
	struct mb_loop l = {};
	__u32 n = args->iterations;
	__u64 failed_before;

	l.c = mb_my_counters();
	if (!l.c || n > MB_MAX_LOOPS)
		return -1;
	failed_before = l.c->failed;
	bpf_loop(n, pair_step, &l, 0);
	return l.c->failed != failed_before;
}
