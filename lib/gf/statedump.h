/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/statedump.h - write the process state to a file (DESIGN 4.9).
 *
 * A statedump is a text file for humans and scripts: the first line is
 * "DUMP-START-TIME: <time>", the last "DUMP-END-TIME: <time>" (UTC,
 * "YYYY-MM-DD HH:MM:SS.uuuuuu"), and every line between is either a
 * "[section]" header or a "key=value" line (no blank lines). Sections, in
 * order:
 *
 *   [process]                      pid, process-uuid, page-size, ...
 *   [mem-acct.OWNER]               totals of one memory account
 *   [mem-acct.OWNER.TYPE]          size, num_allocs, max_size,
 *                                  max_num_allocs, total_allocs
 *                                  (types with all counters 0 are skipped)
 *   [mempool.N]                    one mem pool (pool-name, usable-size)
 *   [mempool.class.N]              one mem-pool size class
 *   [iobuf.global]                 the context's iobuf pool
 *   [iobuf.global.class.N]         one iobuf arena class
 *   [global.callpool]              count of live stacks
 *   [global.callpool.stack.N]      unique, uid, gid, pid, lk-owner, op, cnt
 *   [global.callpool.stack.N.frame.M]  translator, parent, fop, complete
 *   [graph]                        xlators, top
 *   [xlator.NAME]                  from gf_graph_dump, with the plugin's
 *                                  private dump
 *
 * Names (accounts, types, pools, values from plugins) are written with
 * '[', ']', '=', spaces and control characters replaced by '_' where they
 * form a section name, and control characters replaced in values, so a
 * hostile name cannot break the line format.
 */
#ifndef GF_STATEDUMP_H
#define GF_STATEDUMP_H

#include <stddef.h>

#include <gf/common.h>
#include <gf/ctx.h>
#include <gf/fop.h>
#include <gf/graph.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Base name of a dump when the caller gives none (as glusterfs). */
#define GF_STATEDUMP_DEFAULT_NAME "glusterdump"

/*
 * Write a statedump of CTX into directory DIR as
 * "DIR/NAME.<pid>.dump.<unix-seconds>", atomically: the text goes to a
 * "dumpXXXXXX" temporary file in DIR, which is flushed, fsync'd and renamed
 * into place (then DIR is fsync'd). A reader never sees a partial dump,
 * and on any error no file is left behind.
 *
 * GRAPH (may be NULL: no graph sections) is the graph to describe, e.g.
 * the active one. POOL (may be NULL: "[global.callpool]" is skipped) is
 * the call pool whose live stacks and frames are listed: the one the
 * requests use, e.g. the context's (gf_ctx_call_pool), as gfsd does. NAME
 * may be NULL (GF_STATEDUMP_DEFAULT_NAME); a leading '/' is dropped and
 * every other '/' becomes '-', so a brick path may be passed as it is.
 *
 * If PATH_OUT is not NULL, the final path is copied there (LEN bytes,
 * NUL included). Dumps of a process are serialised by an internal lock;
 * call from any thread except an event thread (it does disk I/O) and
 * never from a signal handler (the daemon catches SIGUSR1 in a thread).
 * The call pool's lock is held only while its stacks are copied to
 * memory, never across file I/O.
 *
 * Returns 0, or -errno: -EINVAL (NULL CTX or DIR, empty NAME),
 * -ENAMETOOLONG (path too long), -ERANGE (PATH_OUT too short, nothing
 * written), -ENOENT/-EACCES/... from creating the file, -ENOMEM, -EIO.
 */
GF_EXPORT int gf_statedump_write(gf_ctx_t *ctx, const gf_graph_t *graph,
                                 gf_call_pool_t *pool, const char *dir,
                                 const char *name, char *path_out, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* GF_STATEDUMP_H */
