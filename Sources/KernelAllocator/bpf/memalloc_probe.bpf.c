/* Where bpf_mem_alloc's objects come from, counted at the allocator's own internal functions
 * (kernel/bpf/memalloc.c, all CPUs and all users of bpf_mem_alloc): the gap experiment
 * attaches this while a workload runs and divides by the operations it timed. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct mb_probe_counts {
	__u64 slab_allocations;	/* __alloc: an object taken from kmalloc, not reused */
	__u64 refills;		/* bpf_mem_refill: the irq_work that refills or trims a cache */
	__u64 slab_frees;	/* objects free_all() returned to kmalloc */
	__u64 reuse_grace_periods; /* __free_by_rcu: a normal RCU GP ended, objects reusable */
} probe SEC(".bss");

SEC("fentry/__alloc")
int BPF_PROG(count_slab_allocation)
{
	__sync_fetch_and_add(&probe.slab_allocations, 1);
	return 0;
}

SEC("fentry/bpf_mem_refill")
int BPF_PROG(count_refill)
{
	__sync_fetch_and_add(&probe.refills, 1);
	return 0;
}

SEC("fexit/free_all")
int BPF_PROG(count_slab_frees, struct llist_node *llnode, bool percpu, int freed)
{
	__sync_fetch_and_add(&probe.slab_frees, freed);
	return 0;
}

SEC("fentry/__free_by_rcu")
int BPF_PROG(count_reuse_grace_period)
{
	__sync_fetch_and_add(&probe.reuse_grace_periods, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
