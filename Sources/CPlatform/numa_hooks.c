// libnuma reports through numa_error/numa_warn, weak symbols a program may override (numa(3)).
// Its defaults print perror-style lines, and after "Out of memory allocating bitmask" libnuma
// calls exit(1): a failure without the `bench:` prefix, the case, or a sysexits code. These
// overrides keep libnuma quiet for what it survives and turn what it does not into one line.
#include "CPlatform.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

// What the process is doing ("case atomic/pair threads=2 size=64"), for the fatal line.
static char failure_context[256];
static volatile unsigned long numa_error_count;

void CPlatform_set_failure_context(const char *text) {
    if (text == NULL) text = "";
    strncpy(failure_context, text, sizeof failure_context - 1);
    failure_context[sizeof failure_context - 1] = '\0';
}

unsigned long CPlatform_numa_error_count(void) { return numa_error_count; }

// Fatal: libnuma exits right after these; say it our way first (no malloc: memory may be gone).
static int numa_error_is_fatal(const char *where) {
    return strstr(where, "Out of memory") != NULL || strstr(where, "invalid number") != NULL;
}

void numa_error(char *where) {
    int saved = errno;
    if (where != NULL && numa_error_is_fatal(where)) {
        char line[512];
        int n = failure_context[0]
            ? snprintf(line, sizeof line, "bench: %s failed: libnuma: %s\n", failure_context, where)
            : snprintf(line, sizeof line, "bench: libnuma: %s\n", where);
        if (n > 0) (void)!write(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
        _exit(CPLATFORM_EXIT_SOFTWARE);
    }
    // Not fatal (an mbind that failed leaves the memory unbound): counted, not printed.
    numa_error_count++;
    errno = saved;
}

void numa_warn(int number, char *format, ...) {
    (void)number;
    (void)format;
}

void *CPlatform_alloc_onnode(size_t bytes, int node) {
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    enum { max_nodes = 1024, bits = 8 * sizeof(unsigned long) };
    if (node >= 0 && node < max_nodes) {
        // MPOL_BIND to the one node, as numa_alloc_onnode does, with the mask on the stack.
        unsigned long mask[max_nodes / bits] = {0};
        mask[node / bits] = 1UL << (node % bits);
        if (syscall(SYS_mbind, p, bytes, 2 /* MPOL_BIND */, mask, (unsigned long)max_nodes + 1, 0) != 0) numa_error_count++;
    }
    return p;
}

void CPlatform_free_onnode(void *p, size_t bytes) { munmap(p, bytes); }
