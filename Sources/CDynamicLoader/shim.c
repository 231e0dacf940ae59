#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "CDynamicLoader.h"

#define STATIC_TLS_TUNABLE_NAME "glibc.rtld.optional_static_tls"
// jemalloc needs 2632 bytes, mimalloc 9, tcmalloc 88; 8 KiB leaves room for newer versions.
#define STATIC_TLS_TUNABLE STATIC_TLS_TUNABLE_NAME "=8192"

const char *CDynamicLoader_static_tls_tunable(void) { return STATIC_TLS_TUNABLE; }

void *CDynamicLoader_default_handle(void) { return RTLD_DEFAULT; }

int CDynamicLoader_local_flags(void) { return RTLD_NOW | RTLD_LOCAL; }

const char *CDynamicLoader_object_path(const void *address) {
    Dl_info info;
    if (dladdr(address, &info) == 0) return NULL;
    return info.dli_fname;
}

const void *CDynamicLoader_object_base(const void *address) {
    Dl_info info;
    if (dladdr(address, &info) == 0) return NULL;
    return info.dli_fbase;
}

// glibc passes (argc, argv, envp) to ELF constructors. Runs before main and before any thread
// exists, so exec is safe; on any failure it returns and jemalloc is later skipped with a note.
__attribute__((constructor)) static void CDynamicLoader_reserve_static_tls(int argc, char **argv, char **envp) {
    (void)argc;
    if (argv == NULL || envp == NULL || getenv("MEMALLOC_BENCH_NO_REEXEC") != NULL) return;
    const char *tunables = getenv("GLIBC_TUNABLES");
    if (tunables != NULL && strstr(tunables, STATIC_TLS_TUNABLE_NAME) != NULL) return;

    // Started as `ld.so program ...`, /proc/self/exe is the loader and argv lost it: do not guess.
    char self[4096];
    ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0) return;
    self[length] = '\0';
    const char *base = strrchr(self, '/');
    base = base == NULL ? self : base + 1;
    if (strncmp(base, "ld-linux", 8) == 0 || strncmp(base, "ld.so", 5) == 0) return;

    size_t count = 0;
    while (envp[count] != NULL) count++;
    char **environment = calloc(count + 2, sizeof(char *));
    if (environment == NULL) return;
    char *merged = NULL;
    size_t out = 0;
    for (size_t i = 0; i < count; i++) {
        if (strncmp(envp[i], "GLIBC_TUNABLES=", 15) == 0) continue;
        environment[out++] = envp[i];
    }
    if (tunables != NULL && tunables[0] != '\0') {
        if (asprintf(&merged, "GLIBC_TUNABLES=%s:%s", tunables, STATIC_TLS_TUNABLE) < 0) merged = NULL;
    } else {
        if (asprintf(&merged, "GLIBC_TUNABLES=%s", STATIC_TLS_TUNABLE) < 0) merged = NULL;
    }
    if (merged == NULL) { free(environment); return; }
    environment[out++] = merged;
    environment[out] = NULL;
    execve("/proc/self/exe", argv, environment);
    free(merged);
    free(environment);
}
