/* The anatomy of a kernel pair: raw tracepoints (no tracefs, no kprobes) that count, per CPU,
 * what the allocator does underneath bpf_obj_new/bpf_obj_drop: kmallocs of the objects' kmalloc
 * size and of any size, kfrees, page allocations, irq_work interrupts with the time inside
 * each (entry → exit), and RCU softirqs with their time. Attached only while the anatomy
 * phase counts, never while a headline row is timed. */
#include "memalloc_bench.h"

#define RCU_SOFTIRQ 9

struct mb_anatomy {
	__u64 kmalloc_unit;	/* kmallocs whose bytes_alloc is the objects' kmalloc size */
	__u64 kmalloc_all;
	__u64 kfree_all;
	__u64 pages;		/* mm_page_alloc events (any order) */
	__u64 irq_work;		/* irq_work interrupts entered */
	__u64 irq_work_ns;	/* time between their entry and exit */
	__u64 rcu_softirq;
	__u64 rcu_softirq_ns;
	__u64 irq_work_start;	/* scratch: this CPU's open entry */
	__u64 rcu_start;
	__u64 pad[6];
};
struct mb_anatomy anatomy[MB_MAX_CPUS] SEC(".bss");
/* anatomy_config[0]: the objects' kmalloc size (bytes_alloc), written by the loader after load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} anatomy_config SEC(".maps");

static __always_inline struct mb_anatomy *mine(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return cpu < MB_MAX_CPUS ? &anatomy[cpu] : 0;
}

SEC("raw_tp/kmalloc")
int on_kmalloc(struct bpf_raw_tracepoint_args *ctx)
{
	struct mb_anatomy *a = mine();

	if (!a)
		return 0;
	__u32 zero = 0;
	__u64 *unit = bpf_map_lookup_elem(&anatomy_config, &zero);

	a->kmalloc_all++;
	/* (call_site, ptr, bytes_req, bytes_alloc, gfp_flags, node) */
	if (unit && ctx->args[3] == *unit)
		a->kmalloc_unit++;
	return 0;
}

SEC("raw_tp/kfree")
int on_kfree(struct bpf_raw_tracepoint_args *ctx)
{
	struct mb_anatomy *a = mine();

	if (a)
		a->kfree_all++;
	return 0;
}

SEC("raw_tp/mm_page_alloc")
int on_page_alloc(struct bpf_raw_tracepoint_args *ctx)
{
	struct mb_anatomy *a = mine();

	if (a)
		a->pages++;
	return 0;
}

SEC("raw_tp/irq_work_entry")
int on_irq_work_entry(struct bpf_raw_tracepoint_args *ctx)
{
	struct mb_anatomy *a = mine();

	if (!a)
		return 0;
	a->irq_work++;
	a->irq_work_start = bpf_ktime_get_ns();
	return 0;
}

SEC("raw_tp/irq_work_exit")
int on_irq_work_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct mb_anatomy *a = mine();

	if (!a || !a->irq_work_start)
		return 0;
	a->irq_work_ns += bpf_ktime_get_ns() - a->irq_work_start;
	a->irq_work_start = 0;
	return 0;
}

SEC("raw_tp/softirq_entry")
int on_softirq_entry(struct bpf_raw_tracepoint_args *ctx)
{
	struct mb_anatomy *a = mine();

	if (!a || ctx->args[0] != RCU_SOFTIRQ)
		return 0;
	a->rcu_softirq++;
	a->rcu_start = bpf_ktime_get_ns();
	return 0;
}

SEC("raw_tp/softirq_exit")
int on_softirq_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct mb_anatomy *a = mine();

	if (!a || ctx->args[0] != RCU_SOFTIRQ || !a->rcu_start)
		return 0;
	a->rcu_softirq_ns += bpf_ktime_get_ns() - a->rcu_start;
	a->rcu_start = 0;
	return 0;
}

