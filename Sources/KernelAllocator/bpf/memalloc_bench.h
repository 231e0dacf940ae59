/* Shared by every memalloc-bench BPF program: the object type, the kfuncs, the per-CPU
 * provenance counters and the run parameters. Built with clang -target bpf against a
 * vmlinux.h generated from the running kernel's BTF (see BPFBuild.swift). */
#ifndef MEMALLOC_BENCH_H
#define MEMALLOC_BENCH_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* Object size is a compile-time constant (bpf_obj_new takes a BTF type), so the loader
 * compiles one object file per size; -DMB_OBJECT_SIZE=N. */
#ifndef MB_OBJECT_SIZE
#define MB_OBJECT_SIZE 64
#endif
#define MB_MAX_CPUS 256

/* The object the kernel allocator hands out: MB_OBJECT_SIZE bytes of payload (the
 * allocator adds its 8-byte llist header, as bpf_mem_alloc does for every object). */
struct mb_object {
	__u64 payload[MB_OBJECT_SIZE / 8];
};

/* The kfuncs behind bpf_obj_new/bpf_obj_drop (kernel/bpf/helpers.c); the verifier fills the
 * meta argument, the program passes NULL. */
extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
#define mb_obj_new() ((struct mb_object *)bpf_obj_new_impl(bpf_core_type_id_local(struct mb_object), NULL))
#define mb_obj_drop(p) bpf_obj_drop_impl(p, NULL)

/* Provenance, one cache line per CPU, written only by programs running on that CPU:
 * the loader checks these against the operations it timed before it writes a row. */
struct mb_counters {
	__u64 allocated;	/* successful allocations (bpf_obj_new, htab insert) */
	__u64 failed;		/* failed allocations: a failure of the case */
	__u64 freed;		/* objects dropped (bpf_obj_drop, htab delete) */
	__u64 empty;		/* exchanges or deletes that found nothing */
	__u64 pad[4];
};
struct mb_counters counters[MB_MAX_CPUS] SEC(".bss");

static __always_inline struct mb_counters *mb_my_counters(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	if (cpu >= MB_MAX_CPUS)
		return 0;
	return &counters[cpu];
}

/* Run parameters travel in skb->cb (tc programs; BPF_PROG_TEST_RUN copies ctx_in's cb):
 * cb[0] iterations, cb[1] first slot or key, cb[2] random seed. Per run, so two workers
 * can run one program with different parameters at once. */
#define MB_ITERATIONS(skb) ((skb)->cb[0])
#define MB_BASE(skb) ((skb)->cb[1])
#define MB_SEED(skb) ((skb)->cb[2])

/* A bpf_loop callback's context must live on the program's stack. It carries a pointer to
 * this CPU's counters (map memory, so the verifier sees unknown values and the callback's
 * states converge; counting on the stack would make every iteration a new state). */
struct mb_loop {
	struct mb_counters *c;
	__u32 base, seed;
};

#define MB_LOOP_PROGRAM(name, step, seed_value)				\
SEC("tc")								\
int name(struct __sk_buff *skb)						\
{									\
	struct mb_loop l = { .base = MB_BASE(skb), .seed = (seed_value) };	\
	__u32 n = MB_ITERATIONS(skb);					\
	__u64 failed_before;						\
									\
	l.c = mb_my_counters();						\
	if (!l.c || n > MB_MAX_LOOPS)					\
		return -1;						\
	failed_before = l.c->failed;					\
	bpf_loop(n, step, &l, 0);					\
	return l.c->failed != failed_before;				\
}

/* A bpf_loop step over `map`'s `struct slot { struct mb_object __kptr *obj; }` values:
 * slot base + index taken out with bpf_kptr_xchg and dropped in the same run (counted
 * freed; empty when the slot held nothing). */
#define MB_UNSTASH_STEP(name, map)					\
static long name(__u64 index, struct mb_loop *l)			\
{									\
	__u32 key = l->base + (__u32)index;				\
	struct slot *s = bpf_map_lookup_elem(&map, &key);		\
	struct mb_object *old;						\
									\
	if (!s)								\
		return 1;						\
	old = bpf_kptr_xchg(&s->obj, NULL);				\
	if (!old) {							\
		l->c->empty++;						\
		return 0;						\
	}								\
	mb_obj_drop(old);						\
	l->c->freed++;							\
	return 0;							\
}

/* bpf_loop's upper bound (kernel/bpf/bpf_iter.c BPF_MAX_LOOPS). */
#define MB_MAX_LOOPS (1 << 23)

char LICENSE[] SEC("license") = "GPL";

#endif
