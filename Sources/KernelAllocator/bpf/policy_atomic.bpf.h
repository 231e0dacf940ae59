/* atomic: one 64-bit count on its own cache line: +1 after each successful bpf_obj_new, a
 * fetching -1 after each bpf_obj_drop; old value 1 = the count reached zero = the release.
 * x86-64 JIT (bpftool prog dump jited, 6.18, -mcpu=v3):
 *   get: lock add QWORD PTR [rdi+0x0],rsi      (BPF_ADD, result unused)
 *   put: lock xadd QWORD PTR [rdi+0x0],rsi     (BPF_ADD|BPF_FETCH)
 * Also every percpu_ref get/put after the kill. Part of strategies.bpf.c. */
#ifndef MB_POLICY_ATOMIC_H
#define MB_POLICY_ATOMIC_H

static __always_inline void atomic_get(void)
{
	__sync_fetch_and_add(&strategy.count, 1);
}

static __always_inline void atomic_put(void)
{
	if (__sync_fetch_and_add(&strategy.count, -1) == 1)
		__sync_fetch_and_add(&strategy.releases, 1);
}

#endif
