#include "CURCU.h"
#include <stdlib.h>
#include <urcu/urcu-qsbr.h>

void CURCU_register_thread(void) { urcu_qsbr_register_thread(); }
void CURCU_unregister_thread(void) { urcu_qsbr_unregister_thread(); }
void CURCU_quiescent_state(void) { urcu_qsbr_quiescent_state(); }
void CURCU_thread_offline(void) { urcu_qsbr_thread_offline(); }
void CURCU_thread_online(void) { urcu_qsbr_thread_online(); }
void CURCU_read_lock(void) { urcu_qsbr_read_lock(); }
void CURCU_read_unlock(void) { urcu_qsbr_read_unlock(); }
void CURCU_synchronize(void) { urcu_qsbr_synchronize_rcu(); }

struct curcu_callback {
    struct rcu_head head; // first member: the rcu_head pointer is the struct pointer
    void (*fn)(void *);
    void *arg;
};

static void curcu_trampoline(struct rcu_head *head) {
    struct curcu_callback *cb = (struct curcu_callback *)head;
    cb->fn(cb->arg);
    free(cb);
}

void CURCU_call(void (*fn)(void *), void *arg) {
    struct curcu_callback *cb = malloc(sizeof(*cb));
    if (!cb) abort();
    cb->fn = fn;
    cb->arg = arg;
    urcu_qsbr_call_rcu(&cb->head, curcu_trampoline);
}

void CURCU_barrier(void) { urcu_qsbr_barrier(); }
