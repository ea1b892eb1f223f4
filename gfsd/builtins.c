/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * builtins.c - the stock translators compiled into gfsd.
 *
 * gfsd carries storage/posix, features/locks, performance/io-threads,
 * debug/io-stats, debug/trace, protocol/server and protocol/client (for
 * gfs) in its own executable
 * (their sources are compiled a second time with -DGF_XLATOR_BUILTIN; see
 * gfsd/local.am), so a brick's graph is built without opening a single
 * plugin: five dlopens were ~0.35 ms of a ~2.5 ms start. Any other type
 * in a volfile is still loaded from the plugin path; the .so files of the
 * stock translators are installed as well, for other hosts of libgf.
 */
#include <stddef.h>

#include <gf/xlator.h>

#include "gfsd-int.h"

extern const struct gf_xlator_api gf_builtin_debug_io_stats;
extern const struct gf_xlator_api gf_builtin_debug_trace;
extern const struct gf_xlator_api gf_builtin_features_locks;
extern const struct gf_xlator_api gf_builtin_performance_io_threads;
extern const struct gf_xlator_api gf_builtin_protocol_client;
extern const struct gf_xlator_api gf_builtin_protocol_server;
extern const struct gf_xlator_api gf_builtin_storage_posix;

const struct gf_xlator_api *const gfsd_builtin_xlators[] = {
    &gf_builtin_storage_posix,
    &gf_builtin_features_locks,
    &gf_builtin_performance_io_threads,
    &gf_builtin_debug_io_stats,
    &gf_builtin_protocol_server,
    &gf_builtin_protocol_client,
    &gf_builtin_debug_trace,
    NULL,
};
