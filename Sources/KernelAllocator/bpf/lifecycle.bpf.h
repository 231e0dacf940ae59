/* The lifecycle of one allocator's count: reset, kill, fold, each run once per repetition by
 * the loader (KernelLifecycle.swift). Part of strategies.bpf.c. */
#ifndef MB_LIFECYCLE_H
#define MB_LIFECYCLE_H

/* A fresh allocator: the base reference (held by the allocator map), per-CPU mode (cb[1] = 1)
 * or atomic counting (cb[1] = 0), every CPU's slot zero. cb[0] = possible CPUs. */
SEC("tc")
int reset(struct __sk_buff *skb)
{
	__u32 cpus = skb->cb[0], zero = 0;

	for (__u32 cpu = 0; cpu < MB_MAX_CPUS && cpu < cpus; cpu++) {
		__s64 *slot = bpf_map_lookup_percpu_elem(&pcpu_count, &zero, cpu);
		if (slot)
			*slot = 0;
	}
	strategy.count = skb->cb[1] ? MB_BIAS + 1 : 1;
	strategy.mode = skb->cb[1] ? MB_MODE_PERCPU : MB_MODE_ATOMIC;
	strategy.releases = 0;
	strategy.kill_ns = strategy.fold_ns = strategy.fold_sum = 0;
	return 0;
}

/* percpu_ref_kill as lib/percpu-refcount.c does it, minus the call_rcu_hurry the caller
 * queues (the loader waits the grace period itself, then runs `fold`): mark ATOMIC|DEAD (from
 * here every get/put is a locked RMW on `count`; the bias is already in it) and drop the base
 * reference. For the atomic strategy (cb[0] = 0) the kill is the base reference's drop alone.
 * Timed inside: (t2 - t1) - (t1 - t0) removes one ktime read. */
SEC("tc")
int kill(struct __sk_buff *skb)
{
	__u64 t0 = bpf_ktime_get_ns();
	__u64 t1 = bpf_ktime_get_ns();

	if (skb->cb[0])
		*(volatile __u64 *)&strategy.mode = MB_MODE_ATOMIC | MB_MODE_DEAD;
	atomic_put();
	__u64 t2 = bpf_ktime_get_ns();
	strategy.kill_ns = inner_ns(t0, t1, t2);
	return 0;
}

/* After a grace period no CPU can still be inside a per-CPU get/put that read PERCPU: sum
 * every CPU's slot (bpf_map_lookup_percpu_elem reads another CPU's) and move the sum into the
 * count, removing the bias. The count reaching zero here is the release. cb[0] = CPUs. */
SEC("tc")
int fold(struct __sk_buff *skb)
{
	__u32 cpus = skb->cb[0], zero = 0;
	__u64 t0 = bpf_ktime_get_ns();
	__u64 t1 = bpf_ktime_get_ns();
	__s64 sum = 0;

	for (__u32 cpu = 0; cpu < MB_MAX_CPUS && cpu < cpus; cpu++) {
		__s64 *slot = bpf_map_lookup_percpu_elem(&pcpu_count, &zero, cpu);
		if (slot)
			sum += *slot;
	}
	__u64 delta = (__u64)sum - MB_BIAS;
	if (__sync_fetch_and_add(&strategy.count, delta) + delta == 0)
		__sync_fetch_and_add(&strategy.releases, 1);
	__u64 t2 = bpf_ktime_get_ns();
	strategy.fold_sum = (__u64)sum;
	strategy.fold_ns = inner_ns(t0, t1, t2);
	return 0;
}

#endif
