#ifndef CURCU_H
#define CURCU_H
// liburcu's QSBR flavour, wrapped so Swift sees plain functions (the library's names are macros).
// Readers are registered threads that announce quiescent states; synchronize waits for all of them.
// The shim tracks each thread's state (unregistered / online / offline) so that going offline
// and online is idempotent and `QSBR.whileOffline` can ask where the caller stands.

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
/// 1 when the calling thread is registered with CURCU_register_thread.
int CURCU_is_registered(void);
/// 1 when the calling thread is registered and online (inside a QSBR read side).
int CURCU_is_online(void);
#endif
