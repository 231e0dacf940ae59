#ifndef CDYNAMICLOADER_H
#define CDYNAMICLOADER_H
// What Swift's Glibc module does not import: dladdr (a _GNU_SOURCE extension) and the
// RTLD_DEFAULT/RTLD_NOLOAD macros. Every symbol carries the CDynamicLoader_ prefix.
//
// Static TLS: Debian's libjemalloc.so.2 uses initial-exec TLS (2.6 KiB), more than the 512 bytes
// glibc keeps spare for dlopen, so dlopen fails with "cannot allocate memory in static TLS block".
// The spare is fixed when the process starts, by the tunable below. A constructor in this target
// therefore re-executes the process once, before main, with the tunable added to GLIBC_TUNABLES,
// unless it is already set (any value is respected) or MEMALLOC_BENCH_NO_REEXEC is set.

/// The tunable the constructor adds: `glibc.rtld.optional_static_tls=8192`.
const char *CDynamicLoader_static_tls_tunable(void);

/// The pseudo-handle that searches the process's global scope, as the dynamic linker does for
/// an undefined reference. The corresponding C macro is `RTLD_DEFAULT`.
void *CDynamicLoader_default_handle(void);

/// Flags for opening a library that must not enter the global scope: `RTLD_NOW | RTLD_LOCAL`.
/// Not `RTLD_DEEPBIND`: the library must keep calling the process's libc for its own needs.
int CDynamicLoader_local_flags(void);

/// The path of the loaded object containing `address`, or NULL when no object contains it.
/// The string lives as long as that object stays loaded. The corresponding C function is `dladdr`.
const char *CDynamicLoader_object_path(const void *address);

/// The load base of the object containing `address`, or NULL. The corresponding C function is `dladdr`.
const void *CDynamicLoader_object_base(const void *address);

#endif
