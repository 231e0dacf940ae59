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


/* What one irq_work costs outside its handler (the self-IPI's raise, the interrupt's entry and
 * return): `timed_pair` times each bpf_obj_new + bpf_obj_drop alone and reads this CPU's
 * counters above around it, so the pairs an irq_work entered are told apart from those nothing
 * entered. Outside time per irq_work = (their time − the handlers' − RCU softirqs' − as many
 * plain pairs) / the irq_works. Only the irq_work and softirq probes are attached meanwhile. */
struct mb_anatomy_timing {
	__u64 plain_ops;	/* pairs no irq_work or RCU softirq entered */
	__u64 plain_ns;
	__u64 irq_ops;		/* pairs at least one irq_work entered */
	__u64 irq_ns;
	__u64 irq_entries;	/* irq_works entered in them */
	__u64 irq_handler_ns;	/* their time inside the handlers (entry → exit) */
	__u64 irq_softirq_ns;	/* RCU softirq time inside those pairs */
	__u64 softirq_ops;	/* pairs only an RCU softirq entered: left out */
	__u64 failed;
	__u64 pad[7];
};
struct mb_anatomy_timing timing[MB_MAX_CPUS] SEC(".bss");

struct mb_timed {
	struct mb_anatomy *a;
	struct mb_anatomy_timing *t;
};

static __always_inline __u64 mb_read(__u64 *v)
{
	return *(volatile __u64 *)v; /* written by the interrupt's probes */
}

static long timed_step(__u64 index, struct mb_timed *x)
{
	struct mb_anatomy *a = x->a;
	struct mb_anatomy_timing *t = x->t;
	__u64 works = mb_read(&a->irq_work), work_ns = mb_read(&a->irq_work_ns);
	__u64 softs = mb_read(&a->rcu_softirq), soft_ns = mb_read(&a->rcu_softirq_ns);
	__u64 t0 = bpf_ktime_get_ns();
	struct mb_object *p = mb_obj_new();

	if (!p) {
		t->failed++;
		return 1;
	}
	p->payload[0] = index;
	mb_obj_drop(p);
	__u64 dt = bpf_ktime_get_ns() - t0;
	__u64 entered = mb_read(&a->irq_work) - works;

	if (entered) {
		t->irq_ops++;
		t->irq_ns += dt;
		t->irq_entries += entered;
		t->irq_handler_ns += mb_read(&a->irq_work_ns) - work_ns;
		t->irq_softirq_ns += mb_read(&a->rcu_softirq_ns) - soft_ns;
	} else if (mb_read(&a->rcu_softirq) != softs) {
		t->softirq_ops++;
	} else {
		t->plain_ops++;
		t->plain_ns += dt;
	}
	return 0;
}

SEC("tc")
int timed_pair(struct __sk_buff *skb)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct mb_timed x;

	if (cpu >= MB_MAX_CPUS)
		return 0;
	x.a = &anatomy[cpu];
	x.t = &timing[cpu];
	bpf_loop(MB_ITERATIONS(skb), timed_step, &x, 0);
	return 0;
}

/* kmalloc_nolock, where 6.18 is moving bpf_obj_new: the one BPF-reachable use is
 * bpf_timer_init, which allocates its callback state with kmalloc_nolock. On a map no user
 * holds any more (the loader drops its fd), init allocates, sets the hrtimer up, sees no user
 * and frees again with kfree_nolock, returning -EPERM: one kmalloc_nolock + kfree_nolock per
 * call. The control is the same call on a timer already armed, which returns -EBUSY before
 * allocating. Neither side fires kmem:kmalloc or kmem:kfree. */
struct mb_timer_value {
	struct bpf_timer t;
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mb_timer_value);
} unowned_timer SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mb_timer_value);
} armed_timer SEC(".maps");

/* Calls per return code: what each loop must have done, checked by the loader. */
struct mb_timer_counts {
	__u64 armed, eperm, ebusy, other;
};
struct mb_timer_counts timer_counts SEC(".bss");

#define MB_EPERM 1
#define MB_EBUSY 16
#define MB_CLOCK_MONOTONIC 1

static __always_inline void mb_count_init(long rc)
{
	if (rc == 0)
		__sync_fetch_and_add(&timer_counts.armed, 1);
	else if (rc == -MB_EPERM)
		__sync_fetch_and_add(&timer_counts.eperm, 1);
	else if (rc == -MB_EBUSY)
		__sync_fetch_and_add(&timer_counts.ebusy, 1);
	else
		__sync_fetch_and_add(&timer_counts.other, 1);
}

static long unowned_step(__u64 index, void *ctx)
{
	__u32 zero = 0;
	struct mb_timer_value *v = bpf_map_lookup_elem(&unowned_timer, &zero);

	if (!v)
		return 1;
	mb_count_init(bpf_timer_init(&v->t, &unowned_timer, MB_CLOCK_MONOTONIC));
	return 0;
}

static long armed_step(__u64 index, void *ctx)
{
	__u32 zero = 0;
	struct mb_timer_value *v = bpf_map_lookup_elem(&armed_timer, &zero);

	if (!v)
		return 1;
	mb_count_init(bpf_timer_init(&v->t, &armed_timer, MB_CLOCK_MONOTONIC));
	return 0;
}

/* n inits on the unowned map: each a kmalloc_nolock and a kfree_nolock (-EPERM). */
SEC("tc")
int timer_init_unowned(struct __sk_buff *skb)
{
	bpf_loop(MB_ITERATIONS(skb), unowned_step, 0, 0);
	return 0;
}

/* n inits on the armed timer (-EBUSY; the first call on a fresh load arms it). */
SEC("tc")
int timer_init_armed(struct __sk_buff *skb)
{
	bpf_loop(MB_ITERATIONS(skb), armed_step, 0, 0);
	return 0;
}
