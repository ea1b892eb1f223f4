/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * test/tid - a leaf that answers STAT and TRUNCATE and records, for the
 * test reading its private state below, on which thread and in which
 * order they ran and how many ran at once. While HOLD is set, fops wait
 * inside the leaf (so the test can keep worker threads busy).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gf/xlator.h>

#define TID_LOG_MAX 512

typedef struct tid_priv {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool hold;
    int running;
    int max_running;
    int calls;
    pthread_t last_tid;
    gf_fop_t fops[TID_LOG_MAX];     /* in the order they arrived */
    const char *paths[TID_LOG_MAX]; /* their loc->path */
} tid_priv_t;

static void
enter(gf_xlator_t *self, gf_fop_t fop, const gf_loc_t *loc)
{
    tid_priv_t *priv = gf_xlator_private(self);

    pthread_mutex_lock(&priv->lock);
    if (priv->calls < TID_LOG_MAX) {
        priv->fops[priv->calls] = fop;
        priv->paths[priv->calls] = loc ? loc->path : NULL;
    }
    priv->calls++;
    priv->last_tid = pthread_self();
    if (++priv->running > priv->max_running)
        priv->max_running = priv->running;
    pthread_cond_broadcast(&priv->cond);
    while (priv->hold)
        pthread_cond_wait(&priv->cond, &priv->lock);
    priv->running--;
    pthread_mutex_unlock(&priv->lock);
}

static int
tid_stat(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, gf_dict_t *xdata)
{
    gf_iatt_t st;

    enter(self, GF_FOP_STAT, loc);
    memset(&st, 0, sizeof(st));
    st.mode = S_IFREG | 0644;
    st.nlink = 1;
    gf_unwind_stat(frame, 0, 0, &st, NULL);
    return 0;
}

static int
tid_truncate(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, off_t offset,
             gf_dict_t *xdata)
{
    gf_iatt_t pre, post;

    enter(self, GF_FOP_TRUNCATE, loc);
    memset(&pre, 0, sizeof(pre));
    memset(&post, 0, sizeof(post));
    post.size = (uint64_t)offset;
    gf_unwind_truncate(frame, 0, 0, &pre, &post, NULL);
    return 0;
}

static int
tid_init(gf_xlator_t *self)
{
    tid_priv_t *priv = calloc(1, sizeof(*priv));

    if (!priv)
        return -ENOMEM;
    pthread_mutex_init(&priv->lock, NULL);
    pthread_cond_init(&priv->cond, NULL);
    gf_xlator_set_private(self, priv);
    return 0;
}

static void
tid_fini(gf_xlator_t *self)
{
    tid_priv_t *priv = gf_xlator_private(self);

    pthread_cond_destroy(&priv->cond);
    pthread_mutex_destroy(&priv->lock);
    free(priv);
}

static const gf_xlator_fops_t tid_fops = {.stat = tid_stat,
                                          .truncate = tid_truncate};

GF_EXPORT const struct gf_xlator_api gf_xlator_api = {
    .abi_major = GF_XLATOR_ABI_MAJOR,
    .abi_minor = GF_XLATOR_ABI_MINOR,
    .type = "test/tid",
    .description = "record the thread and order of STAT and TRUNCATE",
    .init = tid_init,
    .fini = tid_fini,
    .fops = &tid_fops,
};
