/* percpu_ref (lib/percpu-refcount.c) as a BPF program can express it: while the mode word says
 * PERCPU, get/put add +-1 to this CPU's slot of a PERCPU_ARRAY (the verifier inlines the
 * lookup: mov/add gs-relative, no call); after the kill every get/put is atomic's locked RMW on
 * the shared count. Also the hybrid's per-op code (hybrid differs only in when the loader runs
 * the kill). Part of strategies.bpf.c; needs policy_atomic.bpf.h. */
#ifndef MB_POLICY_PERCPU_REF_H
#define MB_POLICY_PERCPU_REF_H

static __always_inline void pcpu_get(void)
{
	__u32 zero = 0;
	__s64 *slot;

	if (*(volatile __u64 *)&strategy.mode == MB_MODE_PERCPU) {
		slot = bpf_map_lookup_elem(&pcpu_count, &zero);
		if (slot)
			*slot += 1; /* this_cpu_add: load, add, store on this CPU's line, no lock */
	} else {
		atomic_get();
	}
}

static __always_inline void pcpu_put(void)
{
	__u32 zero = 0;
	__s64 *slot;

	if (*(volatile __u64 *)&strategy.mode == MB_MODE_PERCPU) {
		slot = bpf_map_lookup_elem(&pcpu_count, &zero);
		if (slot)
			*slot -= 1;
	} else {
		atomic_put();
	}
}

struct mb_spin {
	__u64 until;
};

static long spin_step(__u64 index, struct mb_spin *s)
{
	return bpf_ktime_get_ns() >= s->until;
}

/* A put whose mode check and per-CPU add are `spin_ns` apart: only for the test that shows
 * a put racing the switch is lost without the grace period and never lost with it. */
static __always_inline void pcpu_put_widened(__u64 spin_ns)
{
	__u32 zero = 0;
	__s64 *slot;
	__u64 mode = *(volatile __u64 *)&strategy.mode;
	/* The spin is paid in both modes, so the run's length does not depend on the kill. */
	struct mb_spin spin = { .until = bpf_ktime_get_ns() + spin_ns };

	bpf_loop(1 << 22, spin_step, &spin, 0);
	if (mode == MB_MODE_PERCPU) {
		slot = bpf_map_lookup_elem(&pcpu_count, &zero);
		if (slot)
			*slot -= 1;
	} else {
		atomic_put();
	}
}

#endif
