/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * debug/trace - log every fop on its way down and every reply on its way
 * back, with their arguments, then pass them on unchanged.
 *
 * Every fop and callback is stamped out from the fop table, and each
 * argument is formatted by its C type, so a new fop is traced without
 * touching this file. Lines go to the log at the level of the option
 * "log-level" (default INFO), prefixed with the request's unique number.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gf/xlator.h>

#define LINE_MAX_BYTES 1024

typedef struct trace_priv {
    gf_log_level_t level;
} trace_priv_t;

static size_t put(char *buf, size_t off, const char *fmt, ...) GF_PRINTF(3, 4);

static size_t
put(char *buf, size_t off, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (off >= LINE_MAX_BYTES)
        return off;
    va_start(ap, fmt);
    n = vsnprintf(buf + off, LINE_MAX_BYTES - off, fmt, ap);
    va_end(ap);
    return n < 0 ? off : off + (size_t)n;
}

static size_t
fmt_loc(char *b, size_t o, const char *k, const gf_loc_t *loc)
{
    char g[37] = "-";

    if (!loc)
        return put(b, o, " %s=NULL", k);
    if (!gf_gfid_is_null(&loc->gfid))
        gf_gfid_unparse(&loc->gfid, g);
    return put(b, o, " %s={path=%s, gfid=%s}", k, loc->path ? loc->path : "-",
               g);
}

static size_t
fmt_iatt(char *b, size_t o, const char *k, const gf_iatt_t *st)
{
    char g[37];

    if (!st)
        return put(b, o, " %s=NULL", k);
    gf_gfid_unparse(&st->gfid, g);
    return put(b, o, " %s={gfid=%s, mode=0%o, nlink=%u, size=%" PRIu64 "}", k,
               g, st->mode, st->nlink, st->size);
}

static size_t
fmt_dict(char *b, size_t o, const char *k, gf_dict_t *d)
{
    return d ? put(b, o, " %s={%u keys}", k, gf_dict_count(d))
             : put(b, o, " %s=NULL", k);
}

static size_t
fmt_flock(char *b, size_t o, const char *k, const gf_flock_t *l)
{
    if (!l)
        return put(b, o, " %s=NULL", k);
    return put(b, o, " %s={type=%d, start=%" PRId64 ", len=%" PRId64 "}", k,
               l->type, l->start, l->len);
}

static size_t
fmt_dirents(char *b, size_t o, const char *k, const gf_dirents_t *e)
{
    return e ? put(b, o, " %s={%u entries}", k, e->count)
             : put(b, o, " %s=NULL", k);
}

static size_t
fmt_statvfs(char *b, size_t o, const char *k, const struct statvfs *s)
{
    if (!s)
        return put(b, o, " %s=NULL", k);
    return put(b, o, " %s={bsize=%lu, blocks=%lu, bfree=%lu}", k,
               (unsigned long)s->f_bsize, (unsigned long)s->f_blocks,
               (unsigned long)s->f_bfree);
}

static size_t
fmt_str(char *b, size_t o, const char *k, const char *s)
{
    return put(b, o, " %s=%s", k, s ? s : "NULL");
}

static size_t
fmt_ptr(char *b, size_t o, const char *k, const void *p)
{
    return put(b, o, " %s=%p", k, p);
}

static size_t
fmt_int(char *b, size_t o, const char *k, long long v)
{
    return put(b, o, " %s=%lld", k, v);
}

static size_t
fmt_uint(char *b, size_t o, const char *k, unsigned long long v)
{
    return put(b, o, " %s=%llu", k, v);
}

/* One formatter per argument type of the fop table. */
#define FMT(buf, off, key, v)                                                  \
    _Generic((v), gf_loc_t *: fmt_loc, gf_iatt_t *: fmt_iatt,                \
             gf_dict_t *: fmt_dict, gf_flock_t *: fmt_flock,                 \
             gf_dirents_t *: fmt_dirents, struct statvfs *: fmt_statvfs,     \
             const char *: fmt_str, gf_fd_t *: fmt_ptr,                      \
             gf_inode_t *: fmt_ptr, gf_iobref_t *: fmt_ptr,                  \
             struct iovec *: fmt_ptr, int: fmt_int, long: fmt_int,           \
             unsigned: fmt_uint, unsigned long: fmt_uint)(buf, off, key, v)

#define FMT_ARG(type, arg) tr_off = FMT(tr_line, tr_off, #arg, arg);

static void
emit(gf_xlator_t *self, gf_frame_t *frame, const char *what, const char *buf)
{
    trace_priv_t *priv = gf_xlator_private(self);

    if (gf_log_enabled(priv->level))
        gf_log_emit(gf_xlator_name(self), priv->level, __FILE__, __LINE__,
                    __func__, "%" PRIu64 ": %s%s",
                    gf_stack_unique(gf_frame_stack(frame)), what, buf);
}

#define TRACE(name, NAME)                                                      \
    static int trace_##name##_cbk(                                             \
        gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,    \
        int32_t op_errno GF_FOP_CBKS_##name(GF_FOP_PARAM))                     \
    {                                                                          \
        char tr_line[LINE_MAX_BYTES];                                          \
        size_t tr_off =                                                        \
            put(tr_line, 0, " op_ret=%d op_errno=%d", op_ret, op_errno);       \
                                                                               \
        GF_FOP_CBKS_##name(FMT_ARG);                                           \
        (void)tr_off;                                                          \
        emit(self, frame, #NAME " reply:", tr_line);                           \
        gf_unwind_##name(frame, op_ret,                                        \
                         op_errno GF_FOP_CBKS_##name(GF_FOP_NAME));            \
        return 0;                                                              \
    }                                                                          \
                                                                               \
    static int trace_##name(                                                   \
        gf_frame_t *frame, gf_xlator_t *self GF_FOP_ARGS_##name(GF_FOP_PARAM)) \
    {                                                                          \
        char tr_line[LINE_MAX_BYTES];                                          \
        size_t tr_off = 0;                                                     \
                                                                               \
        tr_line[0] = '\0';                                                     \
        GF_FOP_ARGS_##name(FMT_ARG);                                           \
        (void)tr_off;                                                          \
        emit(self, frame, #NAME ":", tr_line);                                 \
        gf_wind_##name(frame, gf_xlator_child(self, 0), trace_##name##_cbk,    \
                       NULL GF_FOP_ARGS_##name(GF_FOP_NAME));                  \
        return 0;                                                              \
    }

/* clang-format off */
GF_FOP_LIST(TRACE)
/* clang-format on */

#define TRACE_SLOT(name, NAME) .name = trace_##name,
static const gf_xlator_fops_t trace_fops = {GF_FOP_LIST(TRACE_SLOT)};

static const char *const trace_levels[] = {
    "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG", "TRACE", NULL};

static const gf_option_t trace_options[] = {
    {.key = "log-level",
     .type = GF_OPTION_STR,
     .default_value = "INFO",
     .values = trace_levels,
     .description = "level of the lines trace writes",
     .flags = GF_OPTION_RECONFIGURABLE},
    {.key = NULL},
};

static int
set_level(trace_priv_t *priv, const gf_option_set_t *options)
{
    const char *name;
    int ret = gf_option_get_str(options, "log-level", &name);

    return ret < 0 ? ret : gf_log_level_parse(name, &priv->level);
}

static int
trace_init(gf_xlator_t *self)
{
    trace_priv_t *priv;
    int ret;

    if (gf_xlator_nchildren(self) != 1) {
        gf_log(gf_xlator_name(self), GF_LOG_ERROR,
               "debug/trace needs exactly one subvolume, has %u",
               gf_xlator_nchildren(self));
        return -EINVAL;
    }
    priv = calloc(1, sizeof(*priv));
    if (!priv)
        return -ENOMEM;
    ret = set_level(priv, gf_xlator_options(self));
    if (ret < 0) {
        free(priv);
        return ret;
    }
    gf_xlator_set_private(self, priv);
    return 0;
}

static void
trace_fini(gf_xlator_t *self)
{
    free(gf_xlator_private(self));
    gf_xlator_set_private(self, NULL);
}

static int
trace_reconfigure(gf_xlator_t *self, const gf_option_set_t *options)
{
    trace_priv_t next;
    int ret = set_level(&next, options);

    if (ret == 0)
        *(trace_priv_t *)gf_xlator_private(self) = next;
    return ret;
}

GF_XLATOR_DESCRIPTOR(debug_trace) = {
    .abi_major = GF_XLATOR_ABI_MAJOR,
    .abi_minor = GF_XLATOR_ABI_MINOR,
    .type = "debug/trace",
    .description = "log every fop and reply with its arguments",
    .options = trace_options,
    .init = trace_init,
    .fini = trace_fini,
    .reconfigure = trace_reconfigure,
    .fops = &trace_fops,
};
