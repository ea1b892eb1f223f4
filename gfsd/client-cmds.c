/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * client-cmds.c - the commands of gfs: one table (name, operands, handler)
 * that both checks the command line before any graph is built and runs
 * the command in the runner's synctask. Handlers return an exit status:
 * 0, or 1 after printing "gfs: WHAT PATH: reason" on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client-int.h"

typedef struct cmd {
    const char *name;
    const char *operands;
    int min, max; /* operand count */
    int (*run)(gfs_t *c, int argc, char **argv);
    const char *help;
} cmd_t;

int
gfs__fail(gfs_t *c, const char *what, const char *path, int err)
{
    fprintf(stderr, "%s: %s%s%s: %s\n", c->d->args.progname, what,
            path[0] ? " " : "", path, strerror(err));
    if (!c->d->log_is_stderr) /* else once is enough */
        gf_log("gfs", GF_LOG_ERROR, "%s %s: %s", what, path, strerror(err));
    return GFSD_EX_FAIL;
}

/* ---- attributes as text ------------------------------------------------- */

/* File types: ls's letter and stat's name. */
static const struct ftype {
    uint32_t fmt;
    char letter;
    const char *name;
} ftypes[] = {
    {S_IFREG, '-', "regular file"},     {S_IFDIR, 'd', "directory"},
    {S_IFLNK, 'l', "symbolic link"},    {S_IFBLK, 'b', "block device"},
    {S_IFCHR, 'c', "character device"}, {S_IFIFO, 'p', "fifo"},
    {S_IFSOCK, 's', "socket"},
};

static const struct ftype *
ftype(uint32_t mode)
{
    static const struct ftype unknown = {0, '?', "unknown"};
    size_t i;

    for (i = 0; i < GF_ARRAY_SIZE(ftypes); i++)
        if ((mode & S_IFMT) == ftypes[i].fmt)
            return &ftypes[i];
    return &unknown;
}

/* "drwxr-xr-x" in BUF (11 bytes). */
static const char *
mode_string(uint32_t mode, char *buf)
{
    static const char rwx[] = "rwxrwxrwx";
    int i;

    buf[0] = ftype(mode)->letter;
    for (i = 0; i < 9; i++)
        buf[i + 1] = mode & (0400u >> i) ? rwx[i] : '-';
    buf[10] = '\0';
    return buf;
}

static void
print_long(const gf_iatt_t *st, const char *name)
{
    char m[11];

    printf("%s %3" PRIu32 " %5" PRIu32 " %5" PRIu32 " %10" PRIu64 " %s\n",
           mode_string(st->mode, m), st->nlink, st->uid, st->gid, st->size,
           name);
}

static void
print_time(const char *key, int64_t sec, uint32_t nsec)
{
    time_t t = (time_t)sec;
    struct tm tm;
    char buf[32] = "?";

    if (gmtime_r(&t, &tm))
        strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
    printf("%s: %s.%09" PRIu32 " UTC\n", key, buf, nsec);
}

/* ---- commands ----------------------------------------------------------- */

/* The attributes come from the LOOKUP that resolved the path, fresh from
 * the brick, as gfapi's glfs_stat does: no STAT round trip after it. */
static int
cmd_stat(gfs_t *c, int argc, char **argv)
{
    char g[GF_GFID_STR_SIZE];
    const gf_iatt_t *st;
    gfs_path_t p;
    int ret = gfs__resolve(c, argv[0], &p);

    (void)argc;
    if (ret < 0)
        return gfs__fail(c, "stat", argv[0], -ret);
    st = &p.st;
    gf_gfid_unparse(&st->gfid, g);
    printf("path: %s\ntype: %s\nsize: %" PRIu64 "\nmode: %04o\n"
           "links: %" PRIu32 "\nuid: %" PRIu32 "\ngid: %" PRIu32
           "\ngfid: %s\nblocks: %" PRIu64 "\n",
           argv[0], ftype(st->mode)->name, st->size, st->mode & 07777,
           st->nlink, st->uid, st->gid, g, st->blocks);
    print_time("atime", st->atime, st->atime_nsec);
    print_time("mtime", st->mtime, st->mtime_nsec);
    print_time("ctime", st->ctime, st->ctime_nsec);
    gfs__path_wipe(&p);
    return 0;
}

static int
cmd_mkdir(gfs_t *c, int argc, char **argv)
{
    gfs_path_t p;
    int ret = gfs__resolve(c, argv[0], &p);

    (void)argc;
    if (ret == 0)
        ret = -EEXIST;
    else if (ret == -ENOENT && p.parent)
        ret = gfs__mkdir(c, p.parent, p.name, NULL);
    gfs__path_wipe(&p);
    return ret < 0 ? gfs__fail(c, "mkdir", argv[0], -ret) : 0;
}

/* rm and rmdir: one shape, the fop and the type they accept differ. */
static int
remove_path(gfs_t *c, const char *path, bool dir)
{
    gfs_path_t p;
    gf_loc_t loc;
    int ret = gfs__resolve(c, path, &p);

    if (ret == 0 && !p.parent)
        ret = -EBUSY; /* the root */
    else if (ret == 0 && dir != (gf_inode_type(p.inode) == GF_INODE_DIR))
        ret = dir ? -ENOTDIR : -EISDIR;
    if (ret == 0) {
        gfs__loc(&p, &loc);
        ret = dir ? gf_syncop_rmdir(&c->sc, NULL, &loc, 0, NULL)
                  : gf_syncop_unlink(&c->sc, NULL, &loc, 0, NULL);
    }
    if (ret == 0)
        gf_inode_unlink(p.inode, p.parent, p.name);
    gfs__path_wipe(&p);
    return ret < 0 ? gfs__fail(c, dir ? "rmdir" : "rm", path, -ret) : 0;
}

static int
cmd_rmdir(gfs_t *c, int argc, char **argv)
{
    (void)argc;
    return remove_path(c, argv[0], true);
}

static int
cmd_rm(gfs_t *c, int argc, char **argv)
{
    (void)argc;
    return remove_path(c, argv[0], false);
}

static int
cmd_mv(gfs_t *c, int argc, char **argv)
{
    gfs_path_t from, to = {0};
    gf_loc_t a, b;
    int ret = gfs__resolve(c, argv[0], &from), r2;
    const char *bad = argv[0];

    (void)argc;
    if (ret == 0 && !from.parent)
        ret = -EBUSY;
    if (ret == 0) {
        r2 = gfs__resolve(c, argv[1], &to);
        /* The target may be missing, not its directory. */
        if (r2 < 0 && !(r2 == -ENOENT && to.parent))
            ret = r2, bad = argv[1];
    }
    if (ret == 0) {
        gfs__loc(&from, &a);
        gfs__loc(&to, &b);
        ret = gf_syncop_rename(&c->sc, NULL, &a, &b, NULL);
        if (ret == 0)
            gf_inode_rename(c->itable, from.parent, from.name, to.parent,
                            to.name, from.inode);
    }
    gfs__path_wipe(&from);
    gfs__path_wipe(&to);
    return ret < 0 ? gfs__fail(c, "mv", bad, -ret) : 0;
}

/* ---- ls ----------------------------------------------------------------- */

static int
by_name(const void *a, const void *b)
{
    const gf_dirent_t *x = *(gf_dirent_t *const *)a;
    const gf_dirent_t *y = *(gf_dirent_t *const *)b;

    return strcmp(x->name, y->name);
}

/* Every entry of the open directory FD into ALL (readdirp from offset 0
 * until an empty reply). */
static int
read_dir(gfs_t *c, gf_fd_t *fd, gf_dirents_t *all)
{
    gf_syncop_readdirp_out_t o;
    uint64_t off = 0;
    int ret;

    do {
        gf_dirent_t *e, *next;

        ret = gf_syncop_readdirp(&c->sc, &o, fd, c->chunk, (off_t)off, NULL);
        for (e = ret > 0 && o.entries ? o.entries->head : NULL; e; e = next) {
            next = e->next;
            off = e->d_off;
            gf_dirents_append(all, e);
        }
        if (ret > 0 && o.entries)
            gf_dirents_init(o.entries); /* ALL owns the entries now */
        gf_syncop_readdirp_out_wipe(&o);
    } while (ret > 0);
    return ret;
}

static void
print_entries(gf_dirents_t *all, bool lng)
{
    gf_dirent_t **v = calloc(all->count ? all->count : 1, sizeof(*v));
    gf_dirent_t *e;
    uint32_t n = 0, i;

    for (e = all->head; v && e; e = e->next)
        if (strcmp(e->name, ".") != 0 && strcmp(e->name, "..") != 0)
            v[n++] = e;
    if (v)
        qsort(v, n, sizeof(*v), by_name);
    for (i = 0; v && i < n; i++) {
        if (lng)
            print_long(&v[i]->stat, v[i]->name);
        else
            printf("%s\n", v[i]->name);
    }
    free(v);
}

static int
cmd_ls(gfs_t *c, int argc, char **argv)
{
    bool lng = argc > 0 && strcmp(argv[0], "-l") == 0;
    const char *path = argc > (int)lng ? argv[lng] : "/";
    gf_dirents_t all;
    gf_fd_t *fd = NULL;
    gfs_path_t p;
    gf_loc_t loc;
    int ret = gfs__resolve(c, path, &p);

    gf_dirents_init(&all);
    if (ret == 0 && gf_inode_type(p.inode) != GF_INODE_DIR) {
        if (lng)
            print_long(&p.st, path);
        else
            printf("%s\n", path);
    } else if (ret == 0) {
        gfs__loc(&p, &loc);
        fd = gf_fd_new(p.inode, O_RDONLY, c->id.pid);
        ret = fd ? gf_syncop_opendir(&c->sc, NULL, &loc, fd, NULL) : -errno;
        if (ret == 0)
            ret = read_dir(c, fd, &all);
        if (ret == 0)
            print_entries(&all, lng);
    }
    if (fd)
        gfs__close(c, fd);
    gf_dirents_free(&all);
    gfs__path_wipe(&p);
    return ret < 0 ? gfs__fail(c, "ls", path, -ret) : 0;
}

/* ---- put and get -------------------------------------------------------- */

/* Fill up to LEN bytes from FD (short only at end of file). */
static ssize_t
read_full(int fd, char *buf, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);

        if (n == 0)
            break;
        if (n < 0 && errno != EINTR)
            return -errno;
        got += n > 0 ? (size_t)n : 0;
    }
    return (ssize_t)got;
}

/* LOCAL into the open FD, one page-size iobuf reused for every chunk:
 * read(2) fills it and WRITE sends it, no other copy. */
static int
upload(gfs_t *c, int local, gf_fd_t *fd)
{
    gf_iobuf_t *iob = gf_iobuf_get(c->iobufs, c->chunk);
    gf_iobref_t *ref = gf_iobref_new();
    off_t off = 0;
    int ret = iob && ref ? gf_iobref_add(ref, iob) : -ENOMEM;

    while (ret == 0) {
        ssize_t n = read_full(local, gf_iobuf_ptr(iob), c->chunk);
        struct iovec iov = {gf_iobuf_ptr(iob), n > 0 ? (size_t)n : 0};

        if (n <= 0) {
            ret = (int)n;
            break;
        }
        if (gfs__interrupted(c)) {
            ret = -EINTR;
            break;
        }
        ret = gf_syncop_writev(&c->sc, NULL, fd, &iov, 1, off, 0, ref, NULL);
        if (ret >= 0 && ret != n)
            ret = -EIO; /* a short write on a brick: the disk is full */
        off += n;
        ret = ret < 0 ? ret : 0;
    }
    gf_iobref_unref(ref);
    gf_iobuf_unref(iob);
    return ret;
}

static int
cmd_put(gfs_t *c, int argc, char **argv)
{
    bool in = strcmp(argv[0], "-") == 0;
    int local = in ? 0 : open(argv[0], O_RDONLY | O_CLOEXEC);
    gf_fd_t *fd = NULL;
    struct stat lst;
    gfs_path_t p;
    int ret, r2;

    (void)argc;
    if (local >= 0 && fstat(local, &lst) == 0 && S_ISDIR(lst.st_mode)) {
        close(local);
        local = -1;
        errno = EISDIR;
    }
    if (local < 0)
        return gfs__fail(c, "put", argv[0], errno);
    ret = gfs__resolve(c, argv[1], &p);
    if (ret == 0 || (ret == -ENOENT && p.parent))
        ret = gfs__open(c, &p, O_WRONLY | O_TRUNC, &fd);
    if (ret == 0)
        ret = upload(c, local, fd);
    if (fd) {
        r2 = gfs__close(c, fd);
        ret = ret < 0 ? ret : r2;
    }
    if (!in)
        close(local);
    gfs__path_wipe(&p);
    return ret < 0 ? gfs__fail(c, "put", argv[1], -ret) : 0;
}

static int
write_full(int fd, const struct iovec *v, int count)
{
    int i;

    for (i = 0; i < count; i++) {
        const char *b = v[i].iov_base;
        size_t left = v[i].iov_len;

        while (left > 0) {
            ssize_t n = write(fd, b, left);

            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return -errno;
            b += n;
            left -= (size_t)n;
        }
    }
    return 0;
}

/* The open FD into LOCAL, straight from the reply's iobufs. */
static int
download(gfs_t *c, gf_fd_t *fd, int local)
{
    off_t off = 0;
    int ret;

    do {
        gf_syncop_readv_out_t o;

        ret = gf_syncop_readv(&c->sc, &o, fd, c->chunk, off, 0, NULL);
        if (ret > 0) {
            off += ret;
            if (write_full(local, o.vector, o.count) < 0)
                ret = -errno;
        }
        gf_syncop_readv_out_wipe(&o);
    } while (ret > 0 && !gfs__interrupted(c));
    return ret > 0 ? -EINTR : ret; /* still reading: interrupted */
}

static int
cmd_get(gfs_t *c, int argc, char **argv)
{
    bool out = strcmp(argv[1], "-") == 0;
    gf_fd_t *fd = NULL;
    gfs_path_t p;
    int local = -1, ret = gfs__resolve(c, argv[0], &p);

    (void)argc;
    if (ret == 0)
        ret = gfs__open(c, &p, O_RDONLY, &fd);
    gfs__path_wipe(&p);
    if (ret < 0)
        return gfs__fail(c, "get", argv[0], -ret);
    local =
        out ? 1 : open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (local < 0) {
        gfs__close(c, fd);
        return gfs__fail(c, "get", argv[1], errno);
    }
    ret = download(c, fd, local);
    gfs__close(c, fd);
    if (!out && close(local) < 0 && ret == 0)
        ret = -errno;
    return ret < 0 ? gfs__fail(c, "get", argv[0], -ret) : 0;
}

static int
cmd_bench(gfs_t *c, int argc, char **argv)
{
    return gfs__bench(c, argc > 0 ? strtol(argv[0], NULL, 10) : 1000);
}

/* ---- the table ---------------------------------------------------------- */

static const cmd_t cmds[] = {
    {"ls", "[-l] [PATH]", 0, 2, cmd_ls, "list a directory (-l: long form)"},
    {"stat", "PATH", 1, 1, cmd_stat, "print the attributes of PATH"},
    {"mkdir", "PATH", 1, 1, cmd_mkdir, "make a directory"},
    {"rmdir", "PATH", 1, 1, cmd_rmdir, "remove an empty directory"},
    {"rm", "PATH", 1, 1, cmd_rm, "remove a file"},
    {"put", "LOCALFILE PATH", 2, 2, cmd_put,
     "copy a local file ('-': stdin) to PATH"},
    {"get", "PATH LOCALFILE|-", 2, 2, cmd_get,
     "copy PATH to a local file or stdout"},
    {"mv", "FROM TO", 2, 2, cmd_mv, "rename"},
    {"bench", "[N]", 0, 1, cmd_bench,
     "small-file benchmark on N files (default 1000)"},
};

static void
usage(const char *prog)
{
    size_t i;

    fprintf(stderr, "Usage: %s [OPTION...] COMMAND [ARG...]\nCommands:\n",
            prog);
    for (i = 0; i < GF_ARRAY_SIZE(cmds); i++)
        fprintf(stderr, "  %-6s %-18s %s\n", cmds[i].name, cmds[i].operands,
                cmds[i].help);
    fprintf(stderr,
            "Paths on the volume start at its root. Try '%s --help' for "
            "the options.\n",
            prog);
}

static const cmd_t *
find(const char *name)
{
    size_t i;

    for (i = 0; i < GF_ARRAY_SIZE(cmds); i++)
        if (strcmp(cmds[i].name, name) == 0)
            return &cmds[i];
    return NULL;
}

/* Operands a command's own grammar refuses (beyond the count). */
static bool
operands_ok(const cmd_t *cmd, int argc, char **argv)
{
    char *end;
    long v;

    if (cmd->run == cmd_ls)
        return argc < 2 || strcmp(argv[0], "-l") == 0;
    if (cmd->run == cmd_bench && argc == 1) {
        errno = 0;
        v = strtol(argv[0], &end, 10);
        return !errno && end != argv[0] && !*end && v > 0 && v <= 10000000;
    }
    return argc == 0 || argv[0][0] != '-' || argv[0][1] == '\0';
}

int
gfsd_client_check(const char *prog, int argc, char **argv)
{
    const cmd_t *cmd = argc > 0 ? find(argv[0]) : NULL;

    if (argc == 0)
        fprintf(stderr, "%s: no command given\n", prog);
    else if (!cmd)
        fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[0]);
    else if (argc - 1 < cmd->min || argc - 1 > cmd->max ||
             !operands_ok(cmd, argc - 1, argv + 1))
        fprintf(stderr, "%s: usage: %s %s\n", prog, cmd->name, cmd->operands);
    else
        return 0;
    usage(prog);
    return GFSD_EX_USAGE;
}

int
gfs__cmd_run(gfs_t *c, int argc, char **argv)
{
    const cmd_t *cmd = find(argv[0]);
    int ret = cmd->run(c, argc - 1, argv + 1);

    fflush(stdout);
    if (ferror(stdout))
        return gfs__fail(c, "write", "stdout", EIO);
    return ret;
}
