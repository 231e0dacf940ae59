/* The lifetime policies of the August 2022 thread, each one's accounting done by the BPF
 * program around bpf_global_ma (bpf_obj_new / bpf_obj_drop), in the context where a kernel
 * implementation would run it: a BPF program, migration disabled, inside the RCU read side.
 * This is not a kernel patched to count inside bpf_mem_alloc: the same instructions (a locked
 * RMW on one shared line, a gs-relative per-CPU add), plus what the emulation adds (the mode
 * check, the map lookup that finds this CPU's slot).
 *
 * One policy per file, one object for all of them: every added ns is taken over lazy's
 * programs of this same object (README "A control in the same object"), so the files below
 * are included here, never compiled alone. The order of the includes is the order of the
 * programs in the object (and so the order libbpf loads them in); keep it.
 *   policy_atomic.bpf.h      atomic_*: one shared count
 *   policy_percpu_ref.bpf.h  pcpu_*: percpu_ref (also hybrid's per-op code; hybrid's own
 *                            difference, its kill delayed to the map free, is the loader's)
 *   policy_lazy.bpf.h        lazy_*: no per-op accounting (the control)
 *   policy_programs.bpf.h    the per-op programs every policy instantiates
 *   lifecycle.bpf.h          reset, kill, fold: run once per repetition
 *   walk.bpf.h               the unload walk (lazy, hybrid)
 *   policy_timed.bpf.h       each policy's get+put timed op by op (last: loaded on demand) */
#include "memalloc_bench.h"
#include "strategies_common.bpf.h"
#include "policy_atomic.bpf.h"
#include "policy_percpu_ref.bpf.h"
#include "policy_lazy.bpf.h"
#include "policy_programs.bpf.h"

MB_STRATEGY_PROGRAMS(atomic)
MB_STRATEGY_PROGRAMS(pcpu)
MB_STRATEGY_PROGRAMS(lazy)

#include "percpu_ref_race.bpf.h"
#include "lifecycle.bpf.h"
#include "walk.bpf.h"
#include "policy_timed.bpf.h"
