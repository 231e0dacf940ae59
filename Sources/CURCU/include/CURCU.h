#ifndef CURCU_H
#define CURCU_H
// liburcu's QSBR flavour, wrapped so Swift sees plain functions (the library's names are macros).
// Readers are registered threads that announce quiescent states; synchronize waits for all of them.

void CURCU_register_thread(void);
void CURCU_unregister_thread(void);
void CURCU_quiescent_state(void);
void CURCU_thread_offline(void);
void CURCU_thread_online(void);
void CURCU_read_lock(void);
void CURCU_read_unlock(void);
void CURCU_synchronize(void);
/// Queues `fn(arg)` to run after a grace period, on liburcu's call_rcu worker thread.
void CURCU_call(void (*fn)(void *), void *arg);
/// Waits until every callback queued with CURCU_call so far has run.
void CURCU_barrier(void);
#endif
