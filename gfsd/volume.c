/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * volume.c - step 11 (volfile -> graph -> init -> activate) and its SIGHUP
 * twin. A reload never leaves the brick without a working graph: the new
 * volfile is parsed and, when its topology equals the running one, applied
 * with gf_graph_reconfigure (which validates every option before changing
 * any); otherwise a whole new graph is built, initialised and activated
 * next to the old one, and only then is the old one freed. Any failure
 * is logged with the volfile position and the old graph keeps serving.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gfsd-int.h"

enum { ERR_LEN = 1024 };

/* Parse the volfile and apply the --xlator-option overrides. */
static int
load(gfsd_t *d, gf_volfile_t **out, char *err, size_t len)
{
    gf_volfile_error_t perr;
    gf_volfile_t *vf;
    size_t i;
    int ret;

    ret = gf_volfile_parse_file(d->args.volfile, &vf, &perr);
    if (ret < 0) {
        gf_volfile_error_format(&perr, err, len);
        if (perr.line == 0 && ret != -EINVAL)
            snprintf(err, len, "%s: %s", d->args.volfile, strerror(-ret));
        return ret;
    }
    for (i = 0; i < d->args.n_xl_opts; i++) {
        ret = gf_volfile_override(vf, d->args.xl_opts[i]);
        if (ret < 0) {
            snprintf(err, len, "--xlator-option %s: %s", d->args.xl_opts[i],
                     ret == -ENOENT ? "no such volume" : strerror(-ret));
            gf_volfile_free(vf);
            return ret;
        }
    }
    *out = vf;
    return 0;
}

/* Build, init and activate the graph of VF; *OUT only on success. */
static int
build(gfsd_t *d, const gf_volfile_t *vf, gf_graph_t **out, char *err,
      size_t len)
{
    gf_graph_t *g;
    int ret;

    ret = gf_graph_new(d->ctx, vf, &g, err, len);
    if (ret < 0)
        return ret;
    ret = gf_graph_init(g, err, len);
    if (ret < 0) {
        gf_graph_free(g);
        return ret;
    }
    ret = gf_graph_activate(g);
    if (ret < 0) {
        snprintf(err, len, "%s: activating volume '%s' failed: %s",
                 gf_volfile_filename(vf), gf_xlator_name(gf_graph_top(g)),
                 strerror(-ret));
        gf_graph_free(g);
        return ret;
    }
    *out = g;
    return 0;
}

int
gfsd_volume_init(gfsd_t *d)
{
    char err[ERR_LEN] = "";
    gf_volfile_t *vf;
    gf_graph_t *g;
    int ret;

    ret = load(d, &vf, err, sizeof(err));
    if (ret == 0) {
        ret = build(d, vf, &g, err, sizeof(err));
        if (ret < 0)
            gf_volfile_free(vf);
    }
    if (ret < 0) {
        gfsd_report(d, "%s", err);
        return ret;
    }
    pthread_mutex_lock(&d->graph_lock);
    d->graph = g;
    d->vf = vf;
    pthread_mutex_unlock(&d->graph_lock);
    gf_log("gfsd", GF_LOG_INFO, "graph active: %zu translators, top '%s'",
           gf_graph_count(g), gf_xlator_name(gf_graph_top(g)));
    return 0;
}

/* Name every option a reconfigure changes (added, changed or dropped
 * back to its default), so an operator sees what a HUP did. */
static void
log_changes(const gf_volfile_t *old, const gf_volfile_t *vf)
{
    size_t vol, i, n = gf_volfile_count(vf);

    for (vol = 0; vol < n; vol++) {
        const char *name = gf_volfile_name(vf, vol);
        int ov = gf_volfile_find(old, name);

        for (i = 0; ov >= 0 && i < gf_volfile_noptions(vf, vol); i++) {
            const gf_volfile_option_t *o = gf_volfile_option(vf, vol, i);
            const gf_volfile_option_t *p =
                gf_volfile_option_find(old, (size_t)ov, o->key);

            if (!p || strcmp(p->value, o->value) != 0)
                gf_log("gfsd", GF_LOG_INFO, "option %s.%s: '%s' -> '%s'", name,
                       o->key, p ? p->value : "(default)", o->value);
        }
        for (i = 0; ov >= 0 && i < gf_volfile_noptions(old, (size_t)ov); i++) {
            const gf_volfile_option_t *p =
                gf_volfile_option(old, (size_t)ov, i);

            if (!gf_volfile_option_find(vf, vol, p->key))
                gf_log("gfsd", GF_LOG_INFO, "option %s.%s: '%s' -> (default)",
                       name, p->key, p->value);
        }
    }
}

/* Same topology: options only. 0 if applied, -EXDEV if a new graph is
 * needed after all, else an error already logged. */
static int
reconfigure(gfsd_t *d, gf_volfile_t *vf)
{
    char err[ERR_LEN] = "";
    int ret = gf_graph_reconfigure(d->graph, vf, err, sizeof(err));

    if (ret == -EXDEV)
        return ret;
    if (ret == -EINVAL && err[0]) {
        gf_log("gfsd", GF_LOG_ERROR,
               "reload rejected, old graph keeps serving: %s", err);
        return ret;
    }
    if (ret < 0) {
        /* Some translators took their new options, the rest kept their
         * old ones: say so, the next HUP can retry. */
        gf_log("gfsd", GF_LOG_ERROR, "reconfigure failed part way: %s%s%s",
               strerror(-ret), err[0] ? ": " : "", err);
        return ret;
    }
    log_changes(d->vf, vf);
    gf_volfile_free(d->vf);
    d->vf = vf;
    gf_log("gfsd", GF_LOG_INFO, "graph reconfigured from %s", d->args.volfile);
    return 0;
}

static int
replace(gfsd_t *d, gf_volfile_t *vf)
{
    char err[ERR_LEN] = "";
    gf_graph_t *g, *old = d->graph;
    int ret = build(d, vf, &g, err, sizeof(err));

    if (ret < 0) {
        gf_log("gfsd", GF_LOG_ERROR,
               "reload rejected, old graph keeps serving: %s", err);
        return ret;
    }
    d->graph = g;
    gf_volfile_free(d->vf);
    d->vf = vf;
    gf_graph_free(old);
    gf_log("gfsd", GF_LOG_INFO, "new graph active: %zu translators, top '%s'",
           gf_graph_count(g), gf_xlator_name(gf_graph_top(g)));
    return 0;
}

int
gfsd_volume_reload(gfsd_t *d)
{
    char err[ERR_LEN] = "";
    gf_volfile_t *vf;
    int ret = load(d, &vf, err, sizeof(err));

    if (ret < 0) {
        gf_log("gfsd", GF_LOG_ERROR,
               "reload rejected, old graph keeps serving: %s", err);
        return ret;
    }
    pthread_mutex_lock(&d->graph_lock);
    if (!d->graph) {
        /* Still starting: the volfile being loaded is already the new
         * one. */
        gf_log("gfsd", GF_LOG_WARNING, "no graph yet, reload skipped");
        ret = -ENOENT;
    } else if (gf_volfile_same_topology(d->vf, vf) == 1) {
        ret = reconfigure(d, vf);
        if (ret == -EXDEV)
            ret = replace(d, vf);
    } else {
        ret = replace(d, vf);
    }
    pthread_mutex_unlock(&d->graph_lock);
    if (ret < 0)
        gf_volfile_free(vf);
    return ret;
}

void
gfsd_volume_fini(gfsd_t *d)
{
    pthread_mutex_lock(&d->graph_lock);
    gf_graph_free(d->graph);
    d->graph = NULL;
    gf_volfile_free(d->vf);
    d->vf = NULL;
    pthread_mutex_unlock(&d->graph_lock);
}
