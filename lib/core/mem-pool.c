/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* PLACEHOLDER (to be replaced by the real per-thread pool): plain malloc. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gf/mem-pool.h>

struct gf_mem_pool {
    size_t obj_size;
};

gf_mem_pool_t *
gf_mem_pool_new(const char *name, size_t obj_size, unsigned count_hint)
{
    gf_mem_pool_t *p;

    (void)name;
    (void)count_hint;
    if (obj_size == 0 || obj_size > (1u << GF_MEM_POOL_MAX_SHIFT) - 64) {
        errno = EINVAL;
        return NULL;
    }
    p = malloc(sizeof(*p));
    if (p)
        p->obj_size = obj_size;
    return p;
}

void
gf_mem_pool_destroy(gf_mem_pool_t *pool)
{
    free(pool);
}

void *
gf_mem_get(gf_mem_pool_t *pool)
{
    return malloc(pool->obj_size);
}

void *
gf_mem_get0(gf_mem_pool_t *pool)
{
    return calloc(1, pool->obj_size);
}

void
gf_mem_put(void *obj)
{
    free(obj);
}

size_t
gf_mem_pool_obj_size(const gf_mem_pool_t *pool)
{
    return pool->obj_size;
}
