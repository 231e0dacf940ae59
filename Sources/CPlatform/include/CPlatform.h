#ifndef CPLATFORM_H
#define CPLATFORM_H
// What Swift cannot call directly: CPU_SET macros, pthread affinity, fenced TSC reads.
// Every symbol carries the CPlatform_ prefix (the swift-nio CNIOLinux convention).
#include <stddef.h>
#include <stdint.h>

/// Pins the calling thread to exactly one CPU. Returns 0 or an errno value.
int CPlatform_pin_current_thread(int cpu);
/// Restores the calling thread's affinity to every CPU in `cpus` (count entries). Returns 0 or errno.
int CPlatform_set_affinity(const int *cpus, int count);
/// The CPU the calling thread runs on now, or -1 with errno set. The corresponding C function is `sched_getcpu`.
int CPlatform_sched_getcpu(void);
/// CPUs in the calling thread's affinity mask, written to `out` (up to capacity); returns the count or -errno.
int CPlatform_affinity_cpus(int *out, int capacity);

/// lfence; rdtsc — a read that does not start before earlier instructions finish.
static inline uint64_t CPlatform_rdtsc_fenced(void) {
#if defined(__x86_64__)
    uint32_t lo, hi;
    __asm__ __volatile__("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
#else
    return 0;
#endif
}

/// rdtscp; lfence — waits for earlier instructions, and keeps later ones from starting early.
static inline uint64_t CPlatform_rdtscp_fenced(void) {
#if defined(__x86_64__)
    uint32_t lo, hi, aux;
    __asm__ __volatile__("rdtscp\n\tlfence" : "=a"(lo), "=d"(hi), "=c"(aux) :: "memory");
    return ((uint64_t)hi << 32) | lo;
#else
    return 0;
#endif
}

/// The spin-wait hint (x86 `pause`).
static inline void CPlatform_cpu_relax(void) {
#if defined(__x86_64__)
    __asm__ __volatile__("pause" ::: "memory");
#endif
}

/// A compiler barrier that also makes `p` escape, so loops that touch it are not removed.
static inline void CPlatform_escape(const void *p) {
    __asm__ __volatile__("" : : "g"(p) : "memory");
}

/// CPUID leaf `leaf`, subleaf 0: eax, ebx, ecx, edx into out[0..3]. Returns 0, or -1 off x86-64.
static inline int CPlatform_cpuid(uint32_t leaf, uint32_t out[4]) {
#if defined(__x86_64__)
    uint32_t a, b, c, d;
    __asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(0));
    out[0] = a; out[1] = b; out[2] = c; out[3] = d;
    return 0;
#else
    (void)leaf; (void)out;
    return -1;
#endif
}

/// membarrier(2). MEMBARRIER_CMD_GLOBAL (1) returns after `synchronize_rcu()` when more than one
/// CPU is online: a real kernel grace period, waited for from userspace.
long CPlatform_membarrier(int cmd, unsigned int flags);

/// sysexits EX_SOFTWARE: what a fatal libnuma error exits with (numa_hooks.c).
#define CPLATFORM_EXIT_SOFTWARE 70
/// Names what the process is doing in the line a fatal libnuma error prints ("case …"); "" clears it.
void CPlatform_set_failure_context(const char *text);
/// libnuma errors it survived (an mbind that failed), which numa_hooks.c keeps off stderr.
unsigned long CPlatform_numa_error_count(void);
/// `bytes` of anonymous memory bound to `node` (MPOL_BIND, like numa_alloc_onnode, without its
/// heap-allocated bitmask, which under memory exhaustion makes libnuma exit(1)); NULL if mmap fails.
void *CPlatform_alloc_onnode(size_t bytes, int node);
/// Returns memory from CPlatform_alloc_onnode.
void CPlatform_free_onnode(void *p, size_t bytes);

#endif
