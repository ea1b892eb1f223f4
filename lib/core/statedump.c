/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * statedump.c - write the state of a process to a file (SIGUSR1).
 *
 * The dump gathers what the other units already count -- memory accounts,
 * mem pools and their size classes, iobuf arenas, the live stacks of a
 * call pool and the translator graph -- into "[section]" and "key=value"
 * lines between two time stamps. It is written to a temporary file in the
 * target directory and renamed into place only once complete and on disk,
 * so a reader (or a script polling the directory) never sees half a dump.
 * Dumping is rare and not on any request path: it may allocate and take
 * global locks, but keeps a call pool's lock away from file I/O by first
 * copying the stacks into memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gf/ctx.h>
#include <gf/iobuf.h>
#include <gf/log.h>
#include <gf/mem-acct.h>
#include <gf/mem-pool.h>
#include <gf/statedump.h>

#include "ctx-int.h"
#include "log-int.h"
#include "statedump-int.h"

/* One dump at a time per process (DESIGN 3, step 7): two overlapping
 * SIGUSR1 would otherwise interleave their walks of the same pools. */
static pthread_mutex_t dump_lock = PTHREAD_MUTEX_INITIALIZER;

/* Write S as part of a section name: nothing that could end the header,
 * look like a key=value line or split the line survives. */
static void
put_name(FILE *out, const char *s)
{
    if (!s || !*s) {
        fputc('_', out);
        return;
    }
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool bad = c <= ' ' || c == 0x7f || c == '[' || c == ']' || c == '=';

        fputc(bad ? '_' : c, out);
    }
}

/* Write S as a value: only control characters (a newline above all) are
 * replaced, the rest is kept as given. */
static void
put_value(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;

        fputc(c < ' ' || c == 0x7f ? '_' : c, out);
    }
    fputc('\n', out);
}

static void
put_time(FILE *out, const char *label, const struct timespec *ts)
{
    struct gf__utc u;

    gf__log_utc(ts->tv_sec, &u);
    fprintf(out, "%s: %04d-%02d-%02d %02d:%02d:%02d.%06ld\n", label, u.year,
            u.month, u.day, u.hour, u.min, u.sec, ts->tv_nsec / 1000);
}

static void
dump_process(FILE *out, const gf_ctx_t *ctx)
{
    static const char *const modes[] = {"server", "client", "mgmt"};
    unsigned mode = (unsigned)ctx->mode;

    fprintf(out, "[process]\npid=%ld\nprocess-uuid=", (long)getpid());
    put_value(out, ctx->process_uuid);
    fprintf(out, "mode=%s\npage-size=%zu\nmem-acct=%d\nmeasure-latency=%d\n",
            mode < GF_ARRAY_SIZE(modes) ? modes[mode] : "?", ctx->page_size,
            ctx->mem_acct ? 1 : 0, ctx->measure_latency ? 1 : 0);
}

static bool
type_unused(const gf_mem_type_stats_t *st)
{
    return !st->size && !st->num_allocs && !st->max_size &&
           !st->max_num_allocs && !st->total_allocs;
}

/* One account: its totals, then each type that was ever used. */
static int
dump_acct(gf_mem_acct_t *acct, void *data)
{
    FILE *out = data;
    unsigned n = gf_mem_acct_ntypes(acct), t;
    const char *owner = gf_mem_acct_owner(acct);
    uint64_t size = 0, allocs = 0, total = 0;
    gf_mem_type_stats_t st;

    for (t = 0; t < n; t++) {
        if (gf_mem_acct_stats(acct, t, &st) == 0) {
            size += st.size;
            allocs += st.num_allocs;
            total += st.total_allocs;
        }
    }
    fputs("[mem-acct.", out);
    put_name(out, owner);
    fprintf(out,
            "]\ntypes=%u\nsize=%" PRIu64 "\nnum_allocs=%" PRIu64
            "\ntotal_allocs=%" PRIu64 "\n",
            n, size, allocs, total);
    for (t = 0; t < n; t++) {
        if (gf_mem_acct_stats(acct, t, &st) != 0 || type_unused(&st))
            continue;
        fputs("[mem-acct.", out);
        put_name(out, owner);
        fputc('.', out);
        put_name(out, st.name);
        fprintf(out,
                "]\nsize=%" PRIu64 "\nnum_allocs=%" PRIu64 "\nmax_size=%" PRIu64
                "\nmax_num_allocs=%" PRIu64 "\ntotal_allocs=%" PRIu64 "\n",
                st.size, st.num_allocs, st.max_size, st.max_num_allocs,
                st.total_allocs);
    }
    return ferror(out) ? -EIO : 0;
}

typedef struct pool_walk {
    FILE *out;
    unsigned n;
} pool_walk_t;

/*
 * Pools are numbered: names repeat (every call pool has a "call-stack").
 * gf_mem_pool_stats may be called from inside the walk (the walk holds the
 * pool lock, and stats knows it); a pool may be destroyed as soon as the
 * walk ends, so everything is read here. Per pool only the gets that
 * missed the hot list are counted; the classes below carry the rest.
 */
static int
dump_pool(gf_mem_pool_t *pool, void *data)
{
    pool_walk_t *w = data;
    gf_mem_pool_stats_t st;

    fprintf(w->out, "[mempool.%u]\npool-name=", ++w->n);
    put_value(w->out, gf_mem_pool_name(pool));
    fprintf(w->out, "usable-size=%zu\n", gf_mem_pool_obj_size(pool));
    if (gf_mem_pool_stats(pool, &st) == 0)
        fprintf(w->out,
                "class-size=%zu\ncount-hint=%u\ncold-allocs=%" PRIu64
                "\nremote-allocs=%" PRIu64 "\nstdc-allocs=%" PRIu64 "\n",
                st.class_size, st.count_hint, st.cold_allocs, st.remote_allocs,
                st.stdc_allocs);
    return ferror(w->out) ? -EIO : 0;
}

static void
dump_classes(FILE *out)
{
    gf_mem_class_stats_t cs;
    unsigned c;

    for (c = 0; c < GF_MEM_POOL_CLASSES; c++) {
        if (gf_mem_pools_class_stats(c, &cs) != 0)
            continue;
        fprintf(out,
                "[mempool.class.%u]\nsize=%zu\nhot-allocs=%" PRIu64
                "\ncold-allocs=%" PRIu64 "\nremote-allocs=%" PRIu64
                "\nstdc-allocs=%" PRIu64 "\nfrees-to-list=%" PRIu64
                "\nfrees-to-stdc=%" PRIu64 "\ncached=%" PRIu64 "\n",
                c, cs.size, cs.hot_allocs, cs.cold_allocs, cs.remote_allocs,
                cs.stdc_allocs, cs.frees_to_list, cs.frees_to_stdc, cs.cached);
    }
}

/* The context's iobuf pool; nothing before gf_ctx_init_defaults. */
static int
dump_iobuf(FILE *out, const gf_ctx_t *ctx)
{
    gf_iobuf_pool_stats_t st;
    unsigned i;

    if (!ctx->iobuf_pool || gf_iobuf_pool_stats(ctx->iobuf_pool, &st) != 0)
        return 0;
    fprintf(out,
            "[iobuf.global]\narenas=%d\nthreads=%u\nmisses=%" PRIu64
            "\nmiss-live=%" PRIu64 "\n",
            st.arenas ? 1 : 0, st.threads, st.misses, st.miss_live);
    for (i = 0; i < GF_IOBUF_CLASSES; i++) {
        const gf_iobuf_class_stats_t *c = &st.classes[i];

        fprintf(
            out,
            "[iobuf.global.class.%u]\npage-size=%zu\npages-per-arena=%u"
            "\narenas=%u\nactive=%u\nfilled=%u\npurged=%u\npages-out=%" PRIu64
            "\nallocs=%" PRIu64 "\nmaps=%" PRIu64 "\nprunes=%" PRIu64
            "\nunprunes=%" PRIu64 "\n",
            i, c->page_size, c->pages_per_arena, c->arenas, c->active,
            c->filled, c->purged, c->pages_out, c->allocs, c->maps, c->prunes,
            c->unprunes);
    }
    return ferror(out) ? -EIO : 0;
}

/* Copy LEN bytes of BUF to OUT without its blank lines (the graph dump
 * separates sections with them; our format has none). */
static void
copy_lines(FILE *out, const char *buf, size_t len)
{
    const char *p = buf, *end = buf + len;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

        if (n) {
            fwrite(p, 1, n, out);
            fputc('\n', out);
        }
        p += n + 1;
    }
}

typedef int (*dump_fn_t)(const void *arg, FILE *mem);

/* Run FN into a memory stream, then copy its lines to OUT. */
static int
via_memory(FILE *out, dump_fn_t fn, const void *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    int ret;

    if (!mem)
        return -ENOMEM;
    ret = fn(arg, mem);
    if (fclose(mem) != 0 && ret == 0)
        ret = -ENOMEM;
    if (ret == 0)
        copy_lines(out, buf, len);
    free(buf);
    return ret;
}

/* The global walks hold their list's lock (which account and pool
 * creation, the sweeper and exiting threads need) only while writing to
 * memory, never across file I/O. */
static int
accts_fn(const void *arg, FILE *mem)
{
    (void)arg;
    return gf_mem_acct_foreach(dump_acct, mem);
}

static int
pools_fn(const void *arg, FILE *mem)
{
    pool_walk_t w = {.out = mem, .n = 0};

    (void)arg;
    return gf_mem_pools_foreach(dump_pool, &w);
}

static int
callpool_fn(const void *arg, FILE *mem)
{
    return gf__call_pool_dump((gf_call_pool_t *)arg, mem);
}

static int
graph_fn(const void *arg, FILE *mem)
{
    const gf_graph_t *graph = arg;
    gf_xlator_t *top = gf_graph_top(graph);

    fprintf(mem, "[graph]\nxlators=%zu\ntop=", gf_graph_count(graph));
    put_value(mem, top ? gf_xlator_name(top) : "");
    return gf_graph_dump(graph, mem);
}

static int
dump_body(FILE *out, gf_ctx_t *ctx, const gf_graph_t *graph,
          gf_call_pool_t *pool)
{
    int ret;

    dump_process(out, ctx);
    ret = via_memory(out, accts_fn, NULL);
    if (ret == 0)
        ret = via_memory(out, pools_fn, NULL);
    if (ret == 0) {
        dump_classes(out);
        ret = ferror(out) ? -EIO : 0;
    }
    if (ret == 0)
        ret = dump_iobuf(out, ctx);
    if (ret == 0 && pool)
        ret = via_memory(out, callpool_fn, pool);
    if (ret == 0 && graph)
        ret = via_memory(out, graph_fn, graph);
    return ret;
}

/* NAME with its leading '/' dropped and other '/' turned into '-'. */
static int
file_base(const char *name, char *buf, size_t len)
{
    size_t i = 0;

    if (!name)
        name = GF_STATEDUMP_DEFAULT_NAME;
    while (*name == '/')
        name++;
    if (!*name)
        return -EINVAL;
    for (; *name; name++) {
        if (i + 1 >= len)
            return -ENAMETOOLONG;
        buf[i++] = *name == '/' ? '-' : *name;
    }
    buf[i] = '\0';
    return 0;
}

/* Make the rename durable. The dump itself is complete and on disk, so a
 * failure here is not the caller's error: it is logged and swallowed. */
static void
sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0 || fsync(fd) != 0)
        gf_log("statedump", GF_LOG_WARNING, "fsync of directory %s: %s", dir,
               strerror(errno));
    if (fd >= 0)
        close(fd);
}

/* Write the whole dump to the temporary file TMP (open as FD) and close
 * it; on error TMP is still there for the caller to unlink. */
static int
write_file(int fd, gf_ctx_t *ctx, const gf_graph_t *graph, gf_call_pool_t *pool,
           const struct timespec *start)
{
    FILE *out = fdopen(fd, "w");
    struct timespec end;
    int ret;

    if (!out) {
        ret = -errno;
        close(fd);
        return ret;
    }
    put_time(out, "DUMP-START-TIME", start);
    ret = dump_body(out, ctx, graph, pool);
    clock_gettime(CLOCK_REALTIME, &end);
    put_time(out, "DUMP-END-TIME", &end);
    if (ret == 0) {
        /* stdio sets errno on its own (ENOTTY when it sizes a buffer):
         * only a value fflush leaves is the error's. */
        errno = 0;
        if (fflush(out) != 0 || ferror(out))
            ret = errno ? -errno : -EIO;
    }
    if (ret == 0 && fsync(fd) != 0)
        ret = -errno;
    if (fclose(out) != 0 && ret == 0)
        ret = -errno;
    return ret;
}

static int
write_locked(gf_ctx_t *ctx, const gf_graph_t *graph, gf_call_pool_t *pool,
             const char *dir, const char *path, const char *tmp_tmpl,
             const struct timespec *start)
{
    char tmp[PATH_MAX];
    int fd, ret;

    memcpy(tmp, tmp_tmpl, strlen(tmp_tmpl) + 1);
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ret = write_file(fd, ctx, graph, pool, start);
    if (ret == 0 && rename(tmp, path) != 0)
        ret = -errno;
    if (ret != 0) {
        unlink(tmp);
        return ret;
    }
    sync_dir(dir);
    return 0;
}

int
gf_statedump_write(gf_ctx_t *ctx, const gf_graph_t *graph, gf_call_pool_t *pool,
                   const char *dir, const char *name, char *path_out,
                   size_t len)
{
    char base[NAME_MAX + 1], path[PATH_MAX], tmp[PATH_MAX];
    struct timespec start;
    int ret, n;

    if (!ctx || !dir || !*dir)
        return -EINVAL;
    ret = file_base(name, base, sizeof(base));
    if (ret < 0)
        return ret;
    clock_gettime(CLOCK_REALTIME, &start);
    n = snprintf(path, sizeof(path), "%s/%s.%ld.dump.%lld", dir, base,
                 (long)getpid(), (long long)start.tv_sec);
    if (n < 0 || (size_t)n >= sizeof(path))
        return -ENAMETOOLONG;
    if (path_out && len < (size_t)n + 1)
        return -ERANGE;
    n = snprintf(tmp, sizeof(tmp), "%s/dumpXXXXXX", dir);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return -ENAMETOOLONG;

    pthread_mutex_lock(&dump_lock);
    ret = write_locked(ctx, graph, pool, dir, path, tmp, &start);
    pthread_mutex_unlock(&dump_lock);
    if (ret == 0 && path_out)
        memcpy(path_out, path, strlen(path) + 1);
    return ret;
}
