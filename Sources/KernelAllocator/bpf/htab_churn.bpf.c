/* A BPF_F_NO_PREALLOC hash map's own bpf_mem_alloc (one per map: the closest upstream thing
 * to a per-program allocator). `update_delete` is `pair` (insert key, delete it),
 * `insert`/`remove` are batch alloc and batch free over keys [base, base+n). */
#include "memalloc_bench.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct mb_object);
	__uint(max_entries, 65536);
} table SEC(".maps");

/* Values are copied in from the stack; keep the source off it (MB_OBJECT_SIZE may exceed
 * the 512-byte stack) in read-only data. */
const struct mb_object zero_value = {};

static long update_delete_step(__u64 index, struct mb_loop *l)
{
	__u32 key = l->base + (__u32)index;

	if (bpf_map_update_elem(&table, &key, &zero_value, BPF_NOEXIST)) {
		l->c->failed++;
		return 1;
	}
	l->c->allocated++;
	if (bpf_map_delete_elem(&table, &key))
		l->c->empty++;
	else
		l->c->freed++;
	return 0;
}

static long insert_step(__u64 index, struct mb_loop *l)
{
	__u32 key = l->base + (__u32)index;

	if (bpf_map_update_elem(&table, &key, &zero_value, BPF_NOEXIST)) {
		l->c->failed++;
		return 1;
	}
	l->c->allocated++;
	return 0;
}

static long remove_step(__u64 index, struct mb_loop *l)
{
	__u32 key = l->base + (__u32)index;

	if (bpf_map_delete_elem(&table, &key))
		l->c->empty++;
	else
		l->c->freed++;
	return 0;
}

MB_LOOP_PROGRAM(update_delete, update_delete_step, 0)
MB_LOOP_PROGRAM(insert, insert_step, 0)
MB_LOOP_PROGRAM(remove, remove_step, 0)
