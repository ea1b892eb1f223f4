/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * xlator-load.c - find, dlopen and check a translator plugin.
 *
 * A type "category/name" is first looked up among the host's built-in
 * translators (gf_ctx_set_builtin_xlators: gfsd carries the stock ones, so
 * starting a brick opens no plugin at all). Otherwise it maps to
 * <dir>/<category>/<name>.so, where <dir> is each entry of $GF_XLATOR_PATH
 * (colon-separated) and then the compiled-in xlatordir. For uninstalled
 * build trees the libtool output <dir>/<category>/.libs/<name>.so is tried
 * too. A built-in passes the same checks as a plugin. The plugin is refused,
 * with a message saying why, when its descriptor is missing, its ABI major
 * differs, its minor is newer than ours, or its type is not the one asked.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gf/xlator.h>

#include "../core/xlator-int.h"
#include "graph-int.h"

#ifndef GF_XLATORDIR
#define GF_XLATORDIR "/usr/local/lib/gf/xlators"
#endif

/* Types with one memory type for plugins that declare none. */
static const char *const default_mem_types[] = {"other"};

const char *
gf_xlator_dir(void)
{
    return GF_XLATORDIR;
}

static void GF_PRINTF(3, 4) set_err(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;

    if (!err || !len)
        return;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

/* "category/name" with [A-Za-z0-9_.-] parts, no "." or ".." parts. */
static bool
type_is_safe(const char *type)
{
    const char *slash = strchr(type, '/');
    const char *p;

    if (!slash || slash == type || !slash[1] || strchr(slash + 1, '/'))
        return false;
    if (type[0] == '.' || slash[1] == '.')
        return false;
    for (p = type; *p; p++)
        if (*p != '/' && *p != '_' && *p != '-' && *p != '.' &&
            !(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
            !(*p >= '0' && *p <= '9'))
            return false;
    return true;
}

/* Try DIR/CATEGORY/NAME.so and DIR/CATEGORY/.libs/NAME.so. */
static void *
open_in(const char *dir, const char *type, char *path, size_t len)
{
    const char *slash = strchr(type, '/');
    int cat = (int)(slash - type);

    snprintf(path, len, "%s/%s.so", dir, type);
    if (access(path, F_OK) == 0)
        return dlopen(path, RTLD_NOW | RTLD_LOCAL);
    snprintf(path, len, "%s/%.*s/.libs/%s.so", dir, cat, type, slash + 1);
    if (access(path, F_OK) == 0)
        return dlopen(path, RTLD_NOW | RTLD_LOCAL);
    path[0] = '\0';
    return NULL;
}

static void *
find_plugin(const char *type, char *path, size_t len, char *err, size_t errlen)
{
    const char *env = getenv("GF_XLATOR_PATH");
    char dir[1024];
    void *dl;

    while (env && *env) {
        size_t n = strcspn(env, ":");

        if (n && n < sizeof(dir)) {
            memcpy(dir, env, n);
            dir[n] = '\0';
            dl = open_in(dir, type, path, len);
            if (dl || path[0])
                return dl;
        }
        env += n + (env[n] == ':');
    }
    dl = open_in(GF_XLATORDIR, type, path, len);
    if (!dl && !path[0])
        set_err(err, errlen,
                "translator type '%s' not found (looked in $GF_XLATOR_PATH "
                "and %s)",
                type, GF_XLATORDIR);
    return dl;
}

static int
check_api(const struct gf_xlator_api *api, const char *type, const char *path,
          char *err, size_t errlen)
{
    if (!api) {
        set_err(err, errlen, "%s: no '%s' symbol: not a gfsd translator", path,
                GF_XLATOR_API_SYMBOL);
        return -ENOEXEC;
    }
    if (api->abi_major != GF_XLATOR_ABI_MAJOR ||
        api->abi_minor > GF_XLATOR_ABI_MINOR) {
        set_err(err, errlen,
                "%s: translator ABI %u.%u, this gfsd speaks %u.%u: rebuild "
                "the plugin against these headers",
                path, api->abi_major, api->abi_minor, GF_XLATOR_ABI_MAJOR,
                GF_XLATOR_ABI_MINOR);
        return -ENOEXEC;
    }
    if (!api->type || strcmp(api->type, type) != 0) {
        set_err(err, errlen, "%s: declares type '%s', expected '%s'", path,
                api->type ? api->type : "(none)", type);
        return -ENOEXEC;
    }
    if (!api->init) {
        set_err(err, errlen, "%s: translator '%s' has no init", path, type);
        return -ENOEXEC;
    }
    return 0;
}

/* Every NULL slot of the plugin's fops becomes the pass-through default. */
static void
fill_fops(gf_xlator_fops_t *dst, const gf_xlator_fops_t *src)
{
    const gf_xlator_fops_t *def = gf_default_fops();

#define FILL(name, NAME) dst->name = src && src->name ? src->name : def->name;
    GF_FOP_LIST(FILL)
#undef FILL
}

/* The built-in descriptor of TYPE, or NULL. */
static const struct gf_xlator_api *
find_builtin(const gf_ctx_t *ctx, const char *type)
{
    const struct gf_xlator_api *const *b = gf__ctx_builtin_xlators(ctx);

    for (; b && *b; b++)
        if ((*b)->type && strcmp((*b)->type, type) == 0)
            return *b;
    return NULL;
}

/* The descriptor of TYPE: built in (*DL = NULL) or from its plugin. */
static int
find_api(const gf_ctx_t *ctx, const char *type,
         const struct gf_xlator_api **api, void **dl, char *err, size_t errlen)
{
    char path[4096] = "built-in";
    int ret;

    *dl = NULL;
    *api = find_builtin(ctx, type);
    if (!*api) {
        path[0] = '\0';
        *dl = find_plugin(type, path, sizeof(path), err, errlen);
        if (!*dl) {
            if (path[0])
                set_err(err, errlen, "cannot load %s: %s", path, dlerror());
            return -ENOENT;
        }
        *api = dlsym(*dl, GF_XLATOR_API_SYMBOL);
    }
    ret = check_api(*api, type, path, err, errlen);
    if (ret < 0 && *dl) {
        dlclose(*dl);
        *dl = NULL;
    }
    return ret;
}

int
gf__xlator_load(gf_ctx_t *ctx, const char *name, const char *type,
                gf_xlator_t **out, char *err, size_t errlen)
{
    const struct gf_xlator_api *api;
    gf_xlator_t *xl;
    void *dl;
    int ret;

    if (!ctx || !name || !type || !out)
        return -EINVAL;
    if (!type_is_safe(type)) {
        set_err(err, errlen, "bad translator type '%s' (want category/name)",
                type);
        return -EINVAL;
    }
    ret = find_api(ctx, type, &api, &dl, err, errlen);
    if (ret < 0)
        return ret;

    xl = gf_calloc(NULL, GF_MT_XLATOR, 1, sizeof(*xl));
    if (!xl) {
        if (dl)
            dlclose(dl);
        set_err(err, errlen, "out of memory loading '%s'", name);
        return -ENOMEM;
    }
    xl->magic = GF_XLATOR_MAGIC;
    xl->ctx = ctx;
    xl->api = api;
    xl->dl = dl;
    xl->name = gf_strdup(NULL, GF_MT_STRING, name);
    xl->type = gf_strdup(NULL, GF_MT_STRING, type);
    xl->mem_acct = api->n_mem_types && api->mem_types
                       ? gf_mem_acct_new(name, api->mem_types, api->n_mem_types)
                       : gf_mem_acct_new(name, default_mem_types, 1);
    if (!xl->name || !xl->type || !xl->mem_acct) {
        gf__xlator_unload(xl);
        set_err(err, errlen, "out of memory loading '%s'", name);
        return -ENOMEM;
    }
    fill_fops(&xl->fops, api->fops);
    *out = xl;
    return 0;
}

void
gf__xlator_unload(gf_xlator_t *xl)
{
    if (!xl)
        return;
    gf_option_set_free(xl->options);
    gf_free(xl->children);
    gf_free(xl->parents);
    gf_mem_acct_free(xl->mem_acct);
    if (xl->dl)
        dlclose(xl->dl);
    gf_free(xl->name);
    gf_free(xl->type);
    xl->magic = 0;
    gf_free(xl);
}
