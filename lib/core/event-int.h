/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * event-int.h - private structures of the event pool, shared by event.c
 * (pool, threads, work queues, lifecycle) and event-fd.c (registrations,
 * posts, moving fds between threads). Never installed.
 *
 * Locks, always taken in this order: pool->plock (lifecycle), pool->reg_lock
 * (slot allocation, thread choice, nactive), slot->lock (a registration and
 * its libevent events), thread->qlock (a thread's work queue). libevent's
 * own base locks come last; no libevent callback runs with one of ours held
 * by the same thread.
 */
#ifndef GF_EVENT_INT_H
#define GF_EVENT_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include <gf/event.h>

struct event;
struct event_base;

enum {
    /* An id is (generation << GF__EV_IDX_BITS) | slot index: 31 bits. */
    GF__EV_IDX_BITS = 20,
    GF__EV_IDX_MASK = (1 << GF__EV_IDX_BITS) - 1,
    GF__EV_GEN_MASK = (1 << 11) - 1,
    /* Slots come in tables of 1024, mapped on demand; a slot's page is
     * touched only when the slot is first handed out (slot_alloc). */
    GF__EV_TABLE_SHIFT = 10,
    GF__EV_TABLE_SLOTS = 1 << GF__EV_TABLE_SHIFT,
    GF__EV_NTABLES = 1 << (GF__EV_IDX_BITS - GF__EV_TABLE_SHIFT),
};

/* A unit of work on a thread's queue. */
enum gf__ev_qkind {
    GF__EV_Q_POST,  /* run fn(arg) */
    GF__EV_Q_FINAL, /* complete the unregistration of the enclosing slot */
};

struct gf__ev_qnode {
    struct gf__ev_qnode *next;
    enum gf__ev_qkind kind;
    int id; /* POST: the id it is bound to, or -1 */
    gf_event_fn_t fn;
    void *arg;
};

enum gf__ev_slot_state {
    GF__EV_FREE,   /* on the free list, or being set up by register */
    GF__EV_ACTIVE, /* registered; its handler may run */
    GF__EV_DYING,  /* unregistered; completion pending */
};

/* One registration. Lives in a slot table until the pool is freed. */
struct gf__ev_slot {
    pthread_mutex_t lock;      /* guards the fields below, but see state */
    _Atomic int state;         /* enum gf__ev_slot_state; read unlocked */
    struct gf__ev_thread *thr; /* owner; changes only when moved */
    gf_event_handler_t handler;
    void *data;
    int fd;
    int id;       /* (gen << GF__EV_IDX_BITS) | idx while not FREE */
    unsigned idx; /* position in the tables, fixed */
    unsigned gen;
    unsigned mask; /* GF_EVENT_IN/OUT currently added to the base */
    bool close_fd;
    gf_event_done_cb_t done;
    void *done_arg;
    struct gf__ev_qnode qn;        /* GF__EV_Q_FINAL, on the owner's queue */
    struct gf__ev_slot *next_free; /* pool->reg_lock */
    struct event *rev;             /* read side, storage follows the slot */
    struct event *wev;             /* write side */
};

enum gf__ev_thread_state {
    GF__EV_IDLE,    /* not in its loop: queued work waits for a start */
    GF__EV_RUNNING, /* in its loop */
    GF__EV_RETIRED, /* removed by a shrink; accepts no work */
};

/* One event thread and its base. Allocated once per index, freed with the
 * pool, so a pointer to it stays valid for the pool's life. */
struct gf__ev_thread {
    gf_event_pool_t *pool;
    struct event_base *base;
    struct event *wake; /* activated to run the queue, stop or retire */
    unsigned index;
    pthread_t tid;
    bool joinable;      /* pool->plock: created and not yet joined */
    atomic_bool retire; /* removed by a shrink: move fds away and exit */
    atomic_uint nslots; /* registrations owned (load for placement) */
    pthread_mutex_t qlock;
    enum gf__ev_thread_state state; /* qlock */
    struct gf__ev_qnode *qhead;     /* qlock */
    struct gf__ev_qnode **qtail;    /* qlock */
    struct gf__ev_qnode *spare;     /* qlock: recycled POST nodes */
    unsigned nspare;                /* qlock */
};

struct gf_event_pool {
    pthread_mutex_t plock; /* start, join, reconfigure, free */
    bool started;          /* plock: threads created since the last join */
    bool dispatching;      /* plock */

    pthread_mutex_t stop_lock; /* with stop_cond: wakes gf_event_dispatch */
    pthread_cond_t stop_cond;
    atomic_bool stop_req;

    pthread_mutex_t reg_lock; /* slots, placement, nactive */
    atomic_uint nactive;      /* threads new fds go to: thr[0..nactive) */
    atomic_uint nthr;         /* thr[0..nthr) exist (set once, grows) */
    struct gf__ev_thread *thr[GF_EVENT_MAX_THREADS];

    const char *method;       /* backend name, static in libevent */
    bool early_close;         /* backend reports EV_CLOSED */
    size_t evsize;            /* sizeof(struct event) of the running libevent */
    size_t stride;            /* bytes per slot in a table */
    unsigned hw;              /* reg_lock: slots ever handed out */
    struct gf__ev_slot *free; /* reg_lock */
    _Atomic(char *) tables[GF__EV_NTABLES];
};

/* event.c */
void gf__event_push_locked(struct gf__ev_thread *thr,
                           struct gf__ev_qnode *node);
struct gf__ev_thread *gf__event_least_loaded(gf_event_pool_t *pool);
struct gf__ev_thread *gf__event_current(const gf_event_pool_t *pool);
void gf__event_run_list(struct gf__ev_thread *thr, struct gf__ev_qnode *list);

/* event-fd.c */
void gf__event_finalize(gf_event_pool_t *pool, struct gf__ev_slot *s);
void gf__event_migrate(gf_event_pool_t *pool, struct gf__ev_thread *from);
int gf__event_enqueue_post(struct gf__ev_thread *thr, int id, gf_event_fn_t fn,
                           void *arg);
void gf__event_drop_all(gf_event_pool_t *pool);
void gf__event_io_cb(int fd, short what, void *arg);

#endif /* GF_EVENT_INT_H */
