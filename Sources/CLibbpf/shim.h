// libbpf (pkg-config libbpf, Debian libbpf-dev) for the KernelAllocator module, plus the few
// helpers Swift cannot write itself: LIBBPF_OPTS initialisers and the __sk_buff context.
// (Only static inline functions here: a header imported by Swift cannot define state.)
#ifndef CLIBBPF_SHIM_H
#define CLIBBPF_SHIM_H

#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/klog.h>

/// One BPF_PROG_TEST_RUN of a tc program with the run parameters in skb->cb[0..2]
/// (iterations, base slot or key, seed) and a minimal Ethernet frame as the packet.
/// Returns 0 and the program's return value in *retval, or -errno.
/// The corresponding C function is `bpf_prog_test_run_opts`.
static inline int CLibbpf_test_run_tc(int prog_fd, __u32 iterations, __u32 base, __u32 seed, __u32 *retval) {
    unsigned char frame[64];
    memset(frame, 0, sizeof(frame));
    struct __sk_buff skb;
    memset(&skb, 0, sizeof(skb));
    skb.cb[0] = iterations;
    skb.cb[1] = base;
    skb.cb[2] = seed;
    LIBBPF_OPTS(bpf_test_run_opts, opts,
        .data_in = frame, .data_size_in = sizeof(frame),
        .ctx_in = &skb, .ctx_size_in = sizeof(skb),
        .repeat = 1);
    int err = bpf_prog_test_run_opts(prog_fd, &opts);
    if (err != 0) return err < 0 ? err : -errno;
    *retval = opts.retval;
    return 0;
}

/// One BPF_PROG_TEST_RUN of a syscall program whose context is `ctx` (ctx_size bytes).
/// The corresponding C function is `bpf_prog_test_run_opts`.
static inline int CLibbpf_test_run_syscall(int prog_fd, void *ctx, __u32 ctx_size, __u32 *retval) {
    LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = ctx, .ctx_size_in = ctx_size);
    int err = bpf_prog_test_run_opts(prog_fd, &opts);
    if (err != 0) return err < 0 ? err : -errno;
    *retval = opts.retval;
    return 0;
}

/// The kernel's id of the map behind `map_fd`, 0 on error.
/// The corresponding C function is `bpf_obj_get_info_by_fd`.
static inline __u32 CLibbpf_map_id(int map_fd) {
    struct bpf_map_info info;
    __u32 len = sizeof(info);
    memset(&info, 0, sizeof(info));
    if (bpf_obj_get_info_by_fd(map_fd, &info, &len) != 0) return 0;
    return info.id;
}

/// The offset of global variable `name` in the object's `.bss` (libbpf fixes the section's
/// BTF offsets at open), or -1. Two globals share `.bss` and clang orders them as it likes.
/// The corresponding C functions are `btf__find_by_name_kind` and `btf_var_secinfos`.
static inline long CLibbpf_bss_offset(struct bpf_object *obj, const char *name) {
    struct btf *btf = bpf_object__btf(obj);
    if (!btf) return -1;
    int id = btf__find_by_name_kind(btf, ".bss", BTF_KIND_DATASEC);
    if (id < 0) return -1;
    const struct btf_type *sec = btf__type_by_id(btf, id);
    const struct btf_var_secinfo *v = btf_var_secinfos(sec);
    for (int i = 0; i < btf_vlen(sec); i++, v++) {
        const struct btf_type *var = btf__type_by_id(btf, v->type);
        if (var && strcmp(btf__name_by_offset(btf, var->name_off), name) == 0) return (long)v->offset;
    }
    return -1;
}

/// BPF_MAP_CREATE of a map with `flags` (e.g. BPF_F_NO_PREALLOC). Returns the fd or -errno.
/// The corresponding C function is `bpf_map_create`.
static inline int CLibbpf_map_create(enum bpf_map_type type, const char *name, __u32 key_size, __u32 value_size,
                                     __u32 max_entries, __u32 flags) {
    LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags);
    int fd = bpf_map_create(type, name, key_size, value_size, max_entries, &opts);
    return fd < 0 ? -errno : fd;
}

/// The calling thread's id (a cgroup v1 `tasks` entry). The corresponding C function is `gettid`.
static inline int CLibbpf_gettid(void) { return (int)syscall(SYS_gettid); }

/// The sizes in bytes of `struct names[i]` in the running kernel's BTF (-1 where absent).
/// Returns 0, or -1 when the kernel's BTF cannot be loaded.
/// The corresponding C functions are `btf__load_vmlinux_btf`, `btf__find_by_name_kind`, `btf__resolve_size`.
static inline int CLibbpf_kernel_struct_sizes(const char *const *names, long long *sizes, int n) {
    struct btf *btf = btf__load_vmlinux_btf();
    if (!btf || libbpf_get_error(btf)) return -1;
    for (int i = 0; i < n; i++) {
        __s32 id = btf__find_by_name_kind(btf, names[i], BTF_KIND_STRUCT);
        sizes[i] = id > 0 ? (long long)btf__resolve_size(btf, (__u32)id) : -1;
    }
    btf__free(btf);
    return 0;
}

/// A software cpu-clock perf event on `cpu` (every `period_ns`, its overflow in hard-irq
/// context: the guest has no PMU for an NMI) running `prog_fd` at each overflow, enabled.
/// Returns the event's fd (close it to detach) or -errno.
/// The corresponding C calls are `perf_event_open` and the PERF_EVENT_IOC_SET_BPF/ENABLE ioctls.
static inline int CLibbpf_perf_cpu_clock_bpf(int cpu, __u64 period_ns, int prog_fd) {
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.size = sizeof(attr);
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_CPU_CLOCK;
    attr.sample_period = period_ns;
    attr.disabled = 1;
    int fd = (int)syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0) return -errno;
    if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog_fd) != 0 || ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

/// The kernel log ring buffer into `buf` (at most `size` bytes): bytes read, or -errno.
/// The corresponding C call is `klogctl(SYSLOG_ACTION_READ_ALL)`.
static inline int CLibbpf_kernel_log(char *buf, int size) {
    int n = klogctl(3, buf, size);
    return n < 0 ? -errno : n;
}

#endif
