/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * client-int.h - what the files of the gfs personality share: the runner's
 * state (client.c), paths resolved to inodes and the few fd helpers every
 * command needs (client-fs.c), and the command table (client-cmds.c).
 */
#ifndef GFSD_CLIENT_INT_H
#define GFSD_CLIENT_INT_H

#include <limits.h>
#include <stdio.h>

#include <gf/fd.h>
#include <gf/inode.h>
#include <gf/iobuf.h>
#include <gf/syncop.h>
#include <gf/xlator.h>

#include "gfsd-int.h"

/* The runner: one per gfs process. */
typedef struct gfs {
    gfsd_t *d;
    gf_volfile_t *vf;
    gf_graph_t *graph;
    gf_xlator_t *master; /* gfs's own translator above the volfile's top */
    gf_xlator_t *top;    /* the volfile's top: where fops are wound */
    gf_inode_table_t *itable;
    gf_inode_t *root;  /* looked up (nameless) before any command */
    gf_iatt_t root_st; /* what that lookup said */
    gf_syncop_t sc;
    gf_identity_t id;
    gf_iobuf_pool_t *iobufs;
    size_t chunk; /* put/get transfer size: the context's page size */
    bool events_started;

    /* Connection state, set by the master's notify (event threads). */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int state;        /* 0 waiting, 1 CHILD_UP, -1 CHILD_DOWN */
    bool interrupted; /* TERM/INT arrived (atomic) */
} gfs_t;

/* A path resolved component by component from the root. On success INODE
 * is the object (a reference) and ST its attributes; when only the last
 * component is missing (-ENOENT) PARENT and NAME still say where it would
 * be. PARENT is NULL for the root itself. */
typedef struct gfs_path {
    const char *path; /* as given, for messages */
    gf_inode_t *parent;
    gf_inode_t *inode;
    const char *name; /* last component, in BUF */
    gf_iatt_t st;
    char buf[PATH_MAX];
} gfs_path_t;

/* client-fs.c */
int gfs__resolve(gfs_t *c, const char *path, gfs_path_t *p);
void gfs__path_wipe(gfs_path_t *p);
/* A loc for P's object (PARENT/NAME set too when known). */
void gfs__loc(const gfs_path_t *p, gf_loc_t *loc);
/* A loc for NAME in directory DIR, with a fresh unlinked inode (a
 * reference the caller drops) for a lookup or a create. */
int gfs__loc_entry(gf_inode_t *dir, const char *name, gf_loc_t *loc);
/* Link the inode of a lookup/create/mkdir reply: returns the linked one
 * (a new reference), or NULL with errno. */
gf_inode_t *gfs__link(gf_loc_t *loc, const gf_iatt_t *st);
/* Lookup NAME in DIR: 0 with *OUT (a reference) and ST, or -errno. */
int gfs__lookup(gfs_t *c, gf_inode_t *dir, const char *name, gf_inode_t **out,
                gf_iatt_t *st);
/* xdata carrying a fresh "gfid-req" (the gfid a new object gets). */
gf_dict_t *gfs__gfid_req(void);
/* Make directory NAME (0755) in DIR; its linked inode (a reference) in
 * *INODE when asked. */
int gfs__mkdir(gfs_t *c, gf_inode_t *dir, const char *name, gf_inode_t **inode);
/* Create NAME in DIR (O_CREAT|O_EXCL, mode 0644) and open it with FLAGS:
 * *FD, and when asked the linked inode (a reference) and attributes. */
int gfs__create(gfs_t *c, gf_inode_t *dir, const char *name, int flags,
                gf_fd_t **fd, gf_inode_t **inode, gf_iatt_t *st);
/* Open the non-directory INODE with FLAGS: *FD. */
int gfs__open_inode(gfs_t *c, gf_inode_t *inode, int flags, gf_fd_t **fd);
/* Open P's object, or create it when only its last component is missing
 * (P then gets the new inode). */
int gfs__open(gfs_t *c, gfs_path_t *p, int flags, gf_fd_t **fd);
/* Flush (files) and drop FD: its RELEASE goes out as it dies, as
 * gfapi's close does, not waited for. Returns the flush's result. */
int gfs__close(gfs_t *c, gf_fd_t *fd);

/* client-bench.c: the bench command. */
int gfs__bench(gfs_t *c, long nfiles);

/* client.c: TERM/INT arrived: a command stops at its next chunk or file. */
bool gfs__interrupted(gfs_t *c);

/* client-cmds.c */
/* Run the command ARGV[0] (checked); returns the exit status. */
int gfs__cmd_run(gfs_t *c, int argc, char **argv);
/* Print "PROG: WHAT PATH: strerror" on stderr; returns GFSD_EX_FAIL. */
int gfs__fail(gfs_t *c, const char *what, const char *path, int err);

#endif /* GFSD_CLIENT_INT_H */
