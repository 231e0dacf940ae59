/* lazy: no per-op accounting. The object carries its owner id (the 8-byte header of the
 * proposal), read by the unload walk (walk.bpf.h). Its programs are also the same-object
 * control every other policy's added ns is taken over. Part of strategies.bpf.c. */
#ifndef MB_POLICY_LAZY_H
#define MB_POLICY_LAZY_H

static __always_inline void lazy_get(void) {}
static __always_inline void lazy_put(void) {}

#endif
