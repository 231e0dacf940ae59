#ifndef CURCU_H
#define CURCU_H
// liburcu's QSBR flavour, wrapped so Swift sees plain functions (the library's names are macros).
// Readers are registered threads that announce quiescent states; synchronize waits for all of them.
// The shim tracks each thread's state (unregistered / online / offline) so CURCU_call can meet
// liburcu's rule "call_rcu should be called from registered RCU read-side threads; for the
// QSBR flavor, the caller should be online" (doc/rcu-api.md) from any thread.

void CURCU_register_thread(void);
void CURCU_unregister_thread(void);
void CURCU_quiescent_state(void);
void CURCU_thread_offline(void);
void CURCU_thread_online(void);
void CURCU_read_lock(void);
void CURCU_read_unlock(void);
/// Waits for a grace period. Safe from any thread: unregistered and offline threads are not
/// waited for, and a registered online caller is taken offline by liburcu for the wait.
void CURCU_synchronize(void);
/// Queues `fn(arg)` to run after a grace period, on liburcu's call_rcu worker thread.
/// Callable from any thread: an unregistered caller is registered for the call, an offline one
/// brought online for it.
void CURCU_call(void (*fn)(void *), void *arg);
/// Waits until every callback queued with CURCU_call so far has run. Never call it from a
/// callback.
void CURCU_barrier(void);
/// 1 when the calling thread is registered with CURCU_register_thread.
int CURCU_is_registered(void);
/// 1 when the calling thread is registered and online (inside a QSBR read side).
int CURCU_is_online(void);
#endif
