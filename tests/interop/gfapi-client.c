/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * A stock libgfapi client used to compare gfsd with a real glusterfsd
 * brick. It writes a protocol/client-only volfile pointing at HOST:PORT,
 * mounts it through libgfapi and runs a fixed script of calls (or, with
 * "concurrent", four threads creating and checking 500 files each).
 * Every step prints one line "step=NAME ret=R errno=E detail=..." that
 * carries nothing server-specific (no inode numbers, ports or times), so
 * the outputs of two runs against two servers can be compared with diff.
 * The functional script covers files, directories, renames, truncation,
 * symlinks, hard links, FIFOs and xattrs (by path and by fd).
 * The exit status is non-zero if any step failed.
 *
 * Usage: gfapi-client HOST PORT SUBVOLUME WORKDIR [concurrent] [LOGFILE]
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <glusterfs/api/glfs.h>

#define BIG_SIZE   (1024 * 1024)
#define SMALL_SIZE 4096
#define TRUNC_SIZE 1000
#define NTHREADS   4
#define NFILES     500

static int failures;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* One result line. BAD > 0: the step failed whatever it returned (content
 * mismatch, wrong size...); BAD < 0: a negative return was the expected
 * outcome; BAD == 0: the step failed if it returned a negative value. */
static void
step(const char *name, long ret, int err, int bad, const char *detail)
{
    pthread_mutex_lock(&out_lock);
    printf("step=%s ret=%ld errno=%d detail=%s\n", name, ret, ret < 0 ? err : 0,
           detail ? detail : "-");
    fflush(stdout);
    if (bad > 0 || (bad == 0 && ret < 0))
        failures++;
    pthread_mutex_unlock(&out_lock);
}

/* Deterministic, position- and seed-dependent content. */
static void
fill(unsigned char *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)((i * 31u + seed * 7u + (i >> 12)) & 0xff);
}

static const char *
type_name(mode_t mode)
{
    if (S_ISDIR(mode))
        return "dir";
    if (S_ISREG(mode))
        return "file";
    if (S_ISLNK(mode))
        return "symlink";
    if (S_ISFIFO(mode))
        return "fifo";
    return "other";
}

static int
write_volfile(char *path, size_t pathlen, const char *host, const char *port,
              const char *subvol)
{
    snprintf(path, pathlen, "%s/gfapi-client-vol.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return -1;
    }
    fprintf(f,
            "volume c0\n"
            "    type protocol/client\n"
            "    option remote-host %s\n"
            "    option remote-port %s\n"
            "    option remote-subvolume %s\n"
            "    option transport-type tcp\n"
            "end-volume\n",
            host, port, subvol);
    return fclose(f) == 0 ? 0 : -1;
}

/* Create PATH and write LEN bytes of pattern SEED in one call. */
static void
do_create_write(glfs_t *fs, const char *name, const char *path, size_t len,
                unsigned seed)
{
    char sname[64], detail[64];
    unsigned char *buf = malloc(len);
    glfs_fd_t *fd = glfs_creat(fs, path, O_RDWR | O_EXCL, 0644);

    snprintf(sname, sizeof(sname), "create-%s", name);
    step(sname, fd ? 0 : -1, errno, 0, NULL);
    if (!fd || !buf) {
        free(buf);
        return;
    }
    fill(buf, len, seed);
    ssize_t w = glfs_write(fd, buf, len, 0);
    snprintf(sname, sizeof(sname), "write-%s", name);
    snprintf(detail, sizeof(detail), "len=%zu", len);
    step(sname, (long)w, errno, w != (ssize_t)len, detail);
    int r = glfs_close(fd);
    snprintf(sname, sizeof(sname), "close-%s", name);
    step(sname, r, errno, 0, NULL);
    free(buf);
}

/* Read PATH back in 128 KiB pieces and compare with pattern SEED. */
static void
do_read_compare(glfs_t *fs, const char *name, const char *path, size_t len,
                unsigned seed)
{
    char sname[64], detail[64];
    unsigned char *want = malloc(len), *got = calloc(1, len + 1);
    glfs_fd_t *fd = glfs_open(fs, path, O_RDONLY);
    size_t off = 0;
    ssize_t r = 0;

    snprintf(sname, sizeof(sname), "read-%s", name);
    if (!fd || !want || !got) {
        step(sname, -1, errno, 1, "open");
        goto out;
    }
    fill(want, len, seed);
    while (off <= len) {
        r = glfs_read(fd, got + off, len + 1 - off, 0);
        if (r <= 0)
            break;
        off += (size_t)r;
    }
    int same = off == len && memcmp(want, got, len) == 0;
    snprintf(detail, sizeof(detail), "bytes=%zu same=%d", off, same);
    step(sname, r < 0 ? r : (long)off, errno, !same, detail);
    glfs_close(fd);
out:
    free(want);
    free(got);
}

static void
do_stat(glfs_t *fs, const char *name, const char *path, long want_size)
{
    char sname[64], detail[96];
    struct stat st;
    int r = glfs_stat(fs, path, &st);

    snprintf(sname, sizeof(sname), "stat-%s", name);
    if (r < 0) {
        step(sname, r, errno, 0, NULL);
        return;
    }
    /* Directory sizes are the local file system's business: omit them. */
    if (S_ISDIR(st.st_mode))
        snprintf(detail, sizeof(detail), "type=dir mode=%o nlink=%lu",
                 (unsigned)(st.st_mode & 07777), (unsigned long)st.st_nlink);
    else
        snprintf(detail, sizeof(detail),
                 "type=%s size=%lld mode=%o nlink=%lu uid=%u gid=%u",
                 type_name(st.st_mode), (long long)st.st_size,
                 (unsigned)(st.st_mode & 07777), (unsigned long)st.st_nlink,
                 (unsigned)st.st_uid, (unsigned)st.st_gid);
    step(sname, r, errno, want_size >= 0 && (long long)st.st_size != want_size,
         detail);
}

/* As do_stat, without following a symlink: the object itself. */
static void
do_lstat(glfs_t *fs, const char *name, const char *path)
{
    char sname[64], detail[96];
    struct stat st;
    int r = glfs_lstat(fs, path, &st);

    snprintf(sname, sizeof(sname), "lstat-%s", name);
    if (r == 0)
        snprintf(detail, sizeof(detail), "type=%s size=%lld mode=%o nlink=%lu",
                 type_name(st.st_mode), (long long)st.st_size,
                 (unsigned)(st.st_mode & 07777), (unsigned long)st.st_nlink);
    step(sname, r, errno, 0, r == 0 ? detail : NULL);
}

/* A step that must fail with errno WANT (ENODATA, say). */
static void
expect_errno(const char *name, long r, int err, int want)
{
    int as_wanted = r < 0 && err == want;

    step(name, r, err, as_wanted ? -1 : 1, as_wanted ? strerror(want) : "no");
}

/* FGETXATTR NAME on FD: the value (as text) in the detail. */
static void
do_fgetxattr(const char *sname, glfs_fd_t *fd, const char *name)
{
    char val[64], detail[96];
    ssize_t n = glfs_fgetxattr(fd, name, val, sizeof(val) - 1);

    if (n >= 0) {
        val[n] = '\0';
        snprintf(detail, sizeof(detail), "value=%s", val);
    }
    step(sname, (long)n, errno, 0, n >= 0 ? detail : NULL);
}

/* SYMLINK, READLINK, LINK, MKNOD and the xattr removals in KEEP, next to
 * the file KFILE: what is made stays, for the tree comparison. */
static void
run_links(glfs_t *fs, const char *keep, const char *kfile)
{
    char sym[700], hard[700], fifo[700], target[64], detail[96];
    ssize_t n;
    int r;

    snprintf(sym, sizeof(sym), "%s/sym", keep);
    snprintf(hard, sizeof(hard), "%s/hard", keep);
    snprintf(fifo, sizeof(fifo), "%s/fifo", keep);
    r = glfs_symlink(fs, "data", sym);
    step("symlink", r, errno, 0, NULL);
    n = glfs_readlink(fs, sym, target, sizeof(target) - 1);
    if (n >= 0) {
        target[n] = '\0';
        snprintf(detail, sizeof(detail), "target=%s", target);
    }
    step("readlink", (long)n, errno, n >= 0 && strcmp(target, "data") != 0,
         n >= 0 ? detail : NULL);
    do_lstat(fs, "sym", sym);
    do_stat(fs, "through-sym", sym, -1);
    n = glfs_readlink(fs, kfile, target, sizeof(target));
    expect_errno("readlink-file", (long)n, errno, EINVAL);
    r = glfs_symlink(fs, "elsewhere", sym);
    expect_errno("symlink-exists", r, errno, EEXIST);

    r = glfs_link(fs, kfile, hard);
    step("link", r, errno, 0, NULL);
    do_stat(fs, "linked", kfile, -1);
    do_stat(fs, "hard", hard, -1);
    r = glfs_link(fs, kfile, hard);
    expect_errno("link-exists", r, errno, EEXIST);

    r = glfs_mknod(fs, fifo, S_IFIFO | 0640, 0);
    step("mknod-fifo", r, errno, 0, NULL);
    do_lstat(fs, "fifo", fifo);

    r = glfs_setxattr(fs, kfile, "user.gone", "soon", 4, 0);
    step("setxattr", r, errno, 0, NULL);
    r = glfs_removexattr(fs, kfile, "user.gone");
    step("removexattr", r, errno, 0, NULL);
    r = glfs_removexattr(fs, kfile, "user.gone");
    expect_errno("removexattr-again", r, errno, ENODATA);

    glfs_fd_t *fd = glfs_open(fs, kfile, O_RDWR);
    step("open-for-xattrs", fd ? 0 : -1, errno, 0, NULL);
    if (!fd)
        return;
    r = glfs_fsetxattr(fd, "user.byfd", "fd-value", 8, 0);
    step("fsetxattr", r, errno, 0, NULL);
    do_fgetxattr("fgetxattr", fd, "user.byfd");
    r = glfs_fremovexattr(fd, "user.byfd");
    step("fremovexattr", r, errno, 0, NULL);
    n = glfs_fgetxattr(fd, "user.byfd", target, sizeof(target));
    expect_errno("fgetxattr-removed", (long)n, errno, ENODATA);
    r = glfs_fremovexattr(fd, "user.byfd");
    expect_errno("fremovexattr-again", r, errno, ENODATA);
    r = glfs_fsetxattr(fd, "user.kept", "stays", 5, 0);
    step("fsetxattr-kept", r, errno, 0, NULL);
    do_fgetxattr("fgetxattr-kept", fd, "user.kept");
    r = glfs_close(fd);
    step("close-xattrs", r, errno, 0, NULL);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* List PATH; the detail is the sorted, comma-separated name list. With
 * QUIET only the count goes into the detail (for 2000-entry listings). */
static void
do_readdir(glfs_t *fs, const char *name, const char *path, int quiet)
{
    char sname[64];
    char *names[4096];
    size_t n = 0, len = 1;
    glfs_fd_t *fd = glfs_opendir(fs, path);
    struct dirent *de;

    snprintf(sname, sizeof(sname), "readdir-%s", name);
    if (!fd) {
        step(sname, -1, errno, 0, NULL);
        return;
    }
    errno = 0;
    while (n < sizeof(names) / sizeof(names[0]) &&
           (de = glfs_readdir(fd)) != NULL) {
        /* name/d_type: the server must send the entry type too. */
        if (asprintf(&names[n], "%s/%u", de->d_name, (unsigned)de->d_type) < 0)
            break;
        len += strlen(names[n]) + 1;
        n++;
    }
    int err = errno;
    glfs_closedir(fd);
    qsort(names, n, sizeof(names[0]), cmp_str);
    char *detail = calloc(1, len + 32);
    if (quiet)
        sprintf(detail, "entries=%zu", n);
    for (size_t i = 0; i < n; i++) {
        if (!quiet) {
            strcat(detail, i ? "," : "");
            strcat(detail, names[i]);
        }
        free(names[i]);
    }
    step(sname, err ? -1 : (long)n, err, 0, detail);
    free(detail);
}

static int
run_functional(glfs_t *fs, const char *work)
{
    char dir[512], small[600], big[600], moved[600], keep[600];
    char kfile[700], ktrunc[700];

    snprintf(dir, sizeof(dir), "/%s", work);
    snprintf(small, sizeof(small), "%s/small", dir);
    snprintf(big, sizeof(big), "%s/big", dir);
    snprintf(moved, sizeof(moved), "%s/small.renamed", dir);
    int r = glfs_mkdir(fs, dir, 0755);
    step("mkdir", r, errno, 0, NULL);
    do_create_write(fs, "small", small, SMALL_SIZE, 1);
    do_create_write(fs, "big", big, BIG_SIZE, 2);
    do_read_compare(fs, "small", small, SMALL_SIZE, 1);
    do_read_compare(fs, "big", big, BIG_SIZE, 2);
    do_stat(fs, "small", small, SMALL_SIZE);
    do_stat(fs, "big", big, BIG_SIZE);
    do_stat(fs, "dir", dir, -1);
    do_readdir(fs, "dir", dir, 0);
    r = glfs_rename(fs, small, moved);
    step("rename", r, errno, 0, NULL);
    do_stat(fs, "renamed", moved, SMALL_SIZE);
    r = glfs_stat(fs, small, &(struct stat){0});
    step("stat-old-name", r, errno, r < 0 && errno == ENOENT ? -1 : 1,
         r < 0 && errno == ENOENT ? "enoent" : "present");
    r = glfs_truncate(fs, big, TRUNC_SIZE);
    step("truncate", r, errno, 0, NULL);
    do_stat(fs, "truncated", big, TRUNC_SIZE);
    do_read_compare(fs, "truncated", big, TRUNC_SIZE, 2);
    do_readdir(fs, "dir-after", dir, 0);
    r = glfs_unlink(fs, moved);
    step("unlink-renamed", r, errno, 0, NULL);
    r = glfs_unlink(fs, big);
    step("unlink-big", r, errno, 0, NULL);
    r = glfs_rmdir(fs, dir);
    step("rmdir", r, errno, 0, NULL);
    r = glfs_stat(fs, dir, &(struct stat){0});
    step("stat-removed", r, errno, r < 0 && errno == ENOENT ? -1 : 1,
         r < 0 && errno == ENOENT ? "enoent" : "present");

    /* Leave a small tree behind so the two bricks' trees can be compared
     * with content in them. */
    snprintf(keep, sizeof(keep), "/%s.kept", work);
    snprintf(kfile, sizeof(kfile), "%s/data", keep);
    snprintf(ktrunc, sizeof(ktrunc), "%s/cut", keep);
    r = glfs_mkdir(fs, keep, 0755);
    step("mkdir-kept", r, errno, 0, NULL);
    do_create_write(fs, "kept-data", kfile, SMALL_SIZE * 3 + 17, 3);
    do_create_write(fs, "kept-cut", ktrunc, SMALL_SIZE, 4);
    r = glfs_truncate(fs, ktrunc, TRUNC_SIZE);
    step("truncate-kept", r, errno, 0, NULL);
    run_links(fs, keep, kfile);
    do_readdir(fs, "kept", keep, 0);
    do_readdir(fs, "root", "/", 0);
    return 0;
}

struct worker {
    glfs_t *fs;
    const char *dir;
    unsigned id;
    int bad;
    const char *what;
    unsigned idx;
};

static int
failed(struct worker *w, const char *call, unsigned i)
{
    w->what = call;
    w->idx = i;
    return -1;
}

/* One small file: create, write 4 KiB, close, stat, read back, compare.
 * Returns 0 or the name of the failing call in W->what. */
static int
one_file(struct worker *w, unsigned i, unsigned char *buf, unsigned char *got)
{
    char path[600];
    struct stat st;
    unsigned seed = w->id * 1000 + i;

    snprintf(path, sizeof(path), "%s/t%u-f%03u", w->dir, w->id, i);
    fill(buf, SMALL_SIZE, seed);
    glfs_fd_t *fd = glfs_creat(w->fs, path, O_RDWR | O_EXCL, 0644);
    if (!fd)
        return failed(w, "creat", i);
    ssize_t n = glfs_write(fd, buf, SMALL_SIZE, 0);
    if (glfs_close(fd) < 0 || n != SMALL_SIZE)
        return failed(w, "write", i);
    if (glfs_stat(w->fs, path, &st) < 0 || st.st_size != SMALL_SIZE ||
        !S_ISREG(st.st_mode))
        return failed(w, "stat", i);
    fd = glfs_open(w->fs, path, O_RDONLY);
    if (!fd)
        return failed(w, "open", i);
    n = glfs_pread(fd, got, SMALL_SIZE + 1, 0, 0, NULL);
    glfs_close(fd);
    if (n != SMALL_SIZE || memcmp(buf, got, SMALL_SIZE) != 0)
        return failed(w, "read", i);
    return 0;
}

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    unsigned char buf[SMALL_SIZE], got[SMALL_SIZE + 1];

    for (unsigned i = 0; i < NFILES && !w->bad; i++)
        if (one_file(w, i, buf, got) < 0)
            w->bad = errno ? errno : EIO;
    return NULL;
}

static int
run_concurrent(glfs_t *fs, const char *work)
{
    char dir[512], detail[160];
    struct worker w[NTHREADS];
    pthread_t t[NTHREADS];
    unsigned nbad = 0;

    struct timespec t0, t1;

    snprintf(dir, sizeof(dir), "/%s", work);
    int r = glfs_mkdir(fs, dir, 0755);
    step("mkdir", r, errno, 0, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (unsigned i = 0; i < NTHREADS; i++) {
        w[i] = (struct worker){.fs = fs, .dir = dir, .id = i};
        if (pthread_create(&t[i], NULL, worker_main, &w[i]) != 0)
            w[i].bad = EAGAIN, t[i] = 0;
    }
    for (unsigned i = 0; i < NTHREADS; i++) {
        if (t[i])
            pthread_join(t[i], NULL);
        if (w[i].bad) {
            nbad++;
            fprintf(stderr, "thread %u: %s of file %u: %s\n", i, w[i].what,
                    w[i].idx, strerror(w[i].bad));
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* Timing goes to stderr: it differs between runs by nature. */
    fprintf(stderr, "concurrent: %d files in %.3f s\n", NTHREADS * NFILES,
            (double)(t1.tv_sec - t0.tv_sec) +
                (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    snprintf(detail, sizeof(detail), "threads=%d files=%d failed-threads=%u",
             NTHREADS, NTHREADS * NFILES, nbad);
    step("threads", nbad ? -1 : 0, nbad ? EIO : 0, nbad != 0, detail);
    do_readdir(fs, "listing", dir, 1);

    unsigned unlinked = 0;
    for (unsigned id = 0; id < NTHREADS; id++)
        for (unsigned i = 0; i < NFILES; i++) {
            char path[600];
            snprintf(path, sizeof(path), "%s/t%u-f%03u", dir, id, i);
            unlinked += glfs_unlink(fs, path) == 0;
        }
    snprintf(detail, sizeof(detail), "unlinked=%u", unlinked);
    step("unlink-all", unlinked == NTHREADS * NFILES ? 0 : -1, ENOENT, 0,
         detail);
    r = glfs_rmdir(fs, dir);
    step("rmdir", r, errno, 0, NULL);
    return 0;
}

int
main(int argc, char **argv)
{
    char vol[512];

    if (argc < 5 || argc > 7) {
        fprintf(stderr,
                "usage: %s HOST PORT SUBVOLUME WORKDIR "
                "[concurrent|functional] [LOGFILE]\n",
                argv[0]);
        return 2;
    }
    int conc = argc > 5 && strcmp(argv[5], "concurrent") == 0;
    const char *logfile = argc > 6 ? argv[6] : "/dev/null";
    if (write_volfile(vol, sizeof(vol), argv[1], argv[2], argv[3]) < 0) {
        perror("volfile");
        return 2;
    }
    glfs_t *fs = glfs_new("gfapi-client");
    if (!fs) {
        step("new", -1, errno, 1, NULL);
        unlink(vol);
        return 1;
    }
    int r = glfs_set_volfile(fs, vol);
    step("set-volfile", r, errno, 0, NULL);
    r = glfs_set_logging(fs, logfile, 7);
    step("set-logging", r, errno, 0, NULL);
    r = glfs_init(fs);
    step("init", r, errno, 0, NULL);
    unlink(vol);
    if (r == 0) {
        if (conc)
            run_concurrent(fs, argv[4]);
        else
            run_functional(fs, argv[4]);
    }
    r = glfs_fini(fs);
    step("fini", r, errno, 0, NULL);
    return failures ? 1 : 0;
}
