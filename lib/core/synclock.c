/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * synclock.c - waiting primitives shared by synctasks and plain threads.
 *
 * Each primitive guards its state with a short pthread mutex and parks
 * its waiters in one of two ways: a task unlocks the guard and yields (its
 * proc runs other tasks), a plain thread waits on a condvar. Whoever
 * releases a waiter does so while still holding the guard, and the waiter
 * re-takes the guard before it looks at anything: so a waiter (and the
 * queue node or waiter object on its stack) can never go away while its
 * releaser still touches it, and a wake that lands before the task has
 * actually yielded is kept by the task's woken flag, not lost.
 *
 * Locks and condition queues hand over in FIFO order through nodes that
 * live on the waiters' stacks, so waiting allocates nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <gf/sync.h>

/* A party waiting in a synclock or synccond queue, on its own stack. */
struct gf_sync_wait {
    struct gf_sync_wait *next;
    gf_synctask_t *task; /* NULL for a plain thread */
    const void *who;     /* the waiter's owner token */
    bool granted;        /* set by the releaser, under the guard */
};

/* Identity of a plain thread as a lock owner. */
static __thread char thread_mark;

static __attribute__((noinline)) const void *
thread_token(void)
{
    return &thread_mark;
}

/* The caller as a lock owner: its task, else its thread. */
static const void *
caller(gf_synctask_t **task)
{
    gf_synctask_t *t = gf_synctask_current();

    if (task)
        *task = t;
    return t ? (const void *)t : thread_token();
}

static int
guard_init(pthread_mutex_t *guard, pthread_cond_t *cond)
{
    int rc;

    if ((rc = pthread_mutex_init(guard, NULL)) != 0)
        return -rc;
    if ((rc = pthread_cond_init(cond, NULL)) != 0) {
        pthread_mutex_destroy(guard);
        return -rc;
    }
    return 0;
}

/* Park until N is granted; GUARD is held on entry and on return. */
static void
wait_granted(struct gf_sync_wait *n, pthread_mutex_t *guard,
             pthread_cond_t *cond)
{
    while (!n->granted) {
        if (n->task) {
            pthread_mutex_unlock(guard);
            gf_synctask_yield();
            pthread_mutex_lock(guard);
        } else {
            pthread_cond_wait(cond, guard);
        }
    }
}

/* Release N; the guard of its queue is held. */
static void
grant(struct gf_sync_wait *n, pthread_cond_t *cond)
{
    gf_synctask_t *task = n->task;

    n->granted = true;
    if (task)
        gf_synctask_wake(task);
    else
        pthread_cond_broadcast(cond); /* each thread checks its node */
}

static void
queue_append(struct gf_sync_wait **head, struct gf_sync_wait **tail,
             struct gf_sync_wait *n)
{
    n->next = NULL;
    if (*tail)
        (*tail)->next = n;
    else
        *head = n;
    *tail = n;
}

static struct gf_sync_wait *
queue_pop(struct gf_sync_wait **head, struct gf_sync_wait **tail)
{
    struct gf_sync_wait *n = *head;

    if (n) {
        *head = n->next;
        if (!*head)
            *tail = NULL;
    }
    return n;
}

/* --- waiter ------------------------------------------------------------- */

int
gf_sync_waiter_init(gf_sync_waiter_t *w)
{
    if (!w)
        return -EINVAL;
    w->task = NULL;
    w->count = 0;
    w->need = 0;
    return guard_init(&w->lock, &w->cond);
}

void
gf_sync_waiter_fini(gf_sync_waiter_t *w)
{
    if (!w)
        return;
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
}

int
gf_sync_waiter_wait_n(gf_sync_waiter_t *w, unsigned n)
{
    gf_synctask_t *self = gf_synctask_current();

    if (!w || n == 0)
        return -EINVAL;
    pthread_mutex_lock(&w->lock);
    if (w->need) {
        pthread_mutex_unlock(&w->lock);
        return -EBUSY;
    }
    w->need = n;
    w->task = self;
    while (w->count < n) {
        if (self) {
            pthread_mutex_unlock(&w->lock);
            gf_synctask_yield();
            pthread_mutex_lock(&w->lock);
        } else {
            pthread_cond_wait(&w->cond, &w->lock);
        }
    }
    w->count -= n;
    w->need = 0;
    w->task = NULL;
    pthread_mutex_unlock(&w->lock);
    return 0;
}

int
gf_sync_waiter_wait(gf_sync_waiter_t *w)
{
    return gf_sync_waiter_wait_n(w, 1);
}

int
gf_sync_waiter_wake(gf_sync_waiter_t *w)
{
    if (!w)
        return -EINVAL;
    pthread_mutex_lock(&w->lock);
    w->count++;
    if (w->need && w->count >= w->need) {
        if (w->task)
            gf_synctask_wake(w->task);
        else
            pthread_cond_signal(&w->cond);
    }
    pthread_mutex_unlock(&w->lock);
    return 0;
}

/* --- synclock ----------------------------------------------------------- */

int
gf_synclock_init(gf_synclock_t *l)
{
    if (!l)
        return -EINVAL;
    l->owner = NULL;
    l->head = l->tail = NULL;
    return guard_init(&l->guard, &l->cond);
}

void
gf_synclock_fini(gf_synclock_t *l)
{
    if (!l)
        return;
    pthread_cond_destroy(&l->cond);
    pthread_mutex_destroy(&l->guard);
}

int
gf_synclock_lock(gf_synclock_t *l)
{
    struct gf_sync_wait node = {0};

    if (!l)
        return -EINVAL;
    node.who = caller(&node.task);
    pthread_mutex_lock(&l->guard);
    if (l->owner == node.who) {
        pthread_mutex_unlock(&l->guard);
        return -EDEADLK;
    }
    if (!l->owner) {
        l->owner = node.who;
        pthread_mutex_unlock(&l->guard);
        return 0;
    }
    /* The unlocker makes us the owner before granting. */
    queue_append(&l->head, &l->tail, &node);
    wait_granted(&node, &l->guard, &l->cond);
    pthread_mutex_unlock(&l->guard);
    return 0;
}

int
gf_synclock_trylock(gf_synclock_t *l)
{
    const void *who;
    int rc = 0;

    if (!l)
        return -EINVAL;
    who = caller(NULL);
    pthread_mutex_lock(&l->guard);
    if (l->owner)
        rc = -EBUSY;
    else
        l->owner = who;
    pthread_mutex_unlock(&l->guard);
    return rc;
}

/* Release L as WHO; its guard is held. */
static int
unlock_held(gf_synclock_t *l, const void *who)
{
    struct gf_sync_wait *n;

    if (l->owner != who)
        return -EPERM;
    n = queue_pop(&l->head, &l->tail);
    if (n) {
        l->owner = n->who;
        grant(n, &l->cond);
    } else {
        l->owner = NULL;
    }
    return 0;
}

int
gf_synclock_unlock(gf_synclock_t *l)
{
    const void *who;
    int rc;

    if (!l)
        return -EINVAL;
    who = caller(NULL);
    pthread_mutex_lock(&l->guard);
    rc = unlock_held(l, who);
    pthread_mutex_unlock(&l->guard);
    return rc;
}

/* --- synccond ----------------------------------------------------------- */

int
gf_synccond_init(gf_synccond_t *c)
{
    if (!c)
        return -EINVAL;
    c->head = c->tail = NULL;
    return guard_init(&c->guard, &c->cond);
}

void
gf_synccond_fini(gf_synccond_t *c)
{
    if (!c)
        return;
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->guard);
}

int
gf_synccond_wait(gf_synccond_t *c, gf_synclock_t *l)
{
    struct gf_sync_wait node = {0};
    int rc;

    if (!c || !l)
        return -EINVAL;
    node.who = caller(&node.task);
    /* Queue ourselves before the lock goes, both under C's guard: a
     * signaller, who must take the guard, cannot slip in between. */
    pthread_mutex_lock(&c->guard);
    pthread_mutex_lock(&l->guard);
    rc = unlock_held(l, node.who);
    pthread_mutex_unlock(&l->guard);
    if (rc != 0) {
        pthread_mutex_unlock(&c->guard);
        return rc;
    }
    queue_append(&c->head, &c->tail, &node);
    wait_granted(&node, &c->guard, &c->cond);
    pthread_mutex_unlock(&c->guard);
    return gf_synclock_lock(l);
}

int
gf_synccond_signal(gf_synccond_t *c)
{
    struct gf_sync_wait *n;

    if (!c)
        return -EINVAL;
    pthread_mutex_lock(&c->guard);
    n = queue_pop(&c->head, &c->tail);
    if (n)
        grant(n, &c->cond);
    pthread_mutex_unlock(&c->guard);
    return 0;
}

int
gf_synccond_broadcast(gf_synccond_t *c)
{
    struct gf_sync_wait *n;

    if (!c)
        return -EINVAL;
    pthread_mutex_lock(&c->guard);
    while ((n = queue_pop(&c->head, &c->tail)) != NULL)
        grant(n, &c->cond);
    pthread_mutex_unlock(&c->guard);
    return 0;
}
