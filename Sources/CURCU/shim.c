#include "CURCU.h"
#include <stdlib.h>
#include <urcu/urcu-qsbr.h>

// Per-thread registration state kept by the shim (liburcu keeps its own only for asserts).
enum { CURCU_UNREGISTERED = 0, CURCU_ONLINE = 1, CURCU_OFFLINE = 2 };
static __thread int curcu_state = CURCU_UNREGISTERED;

void CURCU_register_thread(void) {
    if (curcu_state != CURCU_UNREGISTERED) abort(); // liburcu forbids double registration
    urcu_qsbr_register_thread();
    curcu_state = CURCU_ONLINE;
}

void CURCU_unregister_thread(void) {
    if (curcu_state == CURCU_UNREGISTERED) abort();
    // unregister_thread expects an online thread (it takes itself offline first).
    if (curcu_state == CURCU_OFFLINE) urcu_qsbr_thread_online();
    urcu_qsbr_unregister_thread();
    curcu_state = CURCU_UNREGISTERED;
}

void CURCU_quiescent_state(void) { urcu_qsbr_quiescent_state(); }

void CURCU_thread_offline(void) {
    if (curcu_state != CURCU_ONLINE) return;
    urcu_qsbr_thread_offline();
    curcu_state = CURCU_OFFLINE;
}

void CURCU_thread_online(void) {
    if (curcu_state != CURCU_OFFLINE) return;
    urcu_qsbr_thread_online();
    curcu_state = CURCU_ONLINE;
}

void CURCU_read_lock(void) { urcu_qsbr_read_lock(); }
void CURCU_read_unlock(void) { urcu_qsbr_read_unlock(); }
void CURCU_synchronize(void) { urcu_qsbr_synchronize_rcu(); }

int CURCU_is_registered(void) { return curcu_state != CURCU_UNREGISTERED; }
int CURCU_is_online(void) { return curcu_state == CURCU_ONLINE; }
