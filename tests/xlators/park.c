/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * test/park - parks every STAT in a call stub instead of passing it on;
 * the test resumes or fails the stubs through the private state below.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include <gf/stub.h>
#include <gf/xlator.h>

#define PARK_MAX 64

typedef struct park_priv {
    pthread_mutex_t lock;
    gf_stub_t *stubs[PARK_MAX];
    int count;
} park_priv_t;

static int
park_stat(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, gf_dict_t *xdata)
{
    park_priv_t *priv = gf_xlator_private(self);
    gf_stub_t *stub = gf_stub_stat(frame, gf_default_stat, loc, xdata);

    if (!stub) {
        gf_unwind_stat(frame, -1, ENOMEM, NULL, NULL);
        return 0;
    }
    pthread_mutex_lock(&priv->lock);
    if (priv->count == PARK_MAX) {
        pthread_mutex_unlock(&priv->lock);
        gf_stub_fail(stub, EBUSY);
        return 0;
    }
    priv->stubs[priv->count++] = stub;
    pthread_mutex_unlock(&priv->lock);
    return 0;
}

static int
park_init(gf_xlator_t *self)
{
    park_priv_t *priv = calloc(1, sizeof(*priv));

    if (!priv)
        return -ENOMEM;
    pthread_mutex_init(&priv->lock, NULL);
    gf_xlator_set_private(self, priv);
    return 0;
}

static void
park_fini(gf_xlator_t *self)
{
    park_priv_t *priv = gf_xlator_private(self);

    pthread_mutex_destroy(&priv->lock);
    free(priv);
}

static const gf_xlator_fops_t park_fops = {.stat = park_stat};

GF_EXPORT const struct gf_xlator_api gf_xlator_api = {
    .abi_major = GF_XLATOR_ABI_MAJOR,
    .abi_minor = GF_XLATOR_ABI_MINOR,
    .type = "test/park",
    .description = "park every STAT in a call stub",
    .init = park_init,
    .fini = park_fini,
    .fops = &park_fops,
};
