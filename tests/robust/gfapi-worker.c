/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gfapi-worker - a stock libgfapi client that drives the robustness tests
 * of tests/robust (killed clients, full disk, soak). It writes a
 * protocol/client-only volfile for HOST:PORT:SUBVOLUME, mounts it and runs
 * one mode:
 *
 *   write-forever PATH     write-lock PATH (F_SETLK, whole file), then
 *                          write 128 KiB pattern blocks to it until
 *                          killed (wrapping at 32 MiB); prints "writing
 *                          lock=ERRNO" once the first block is written
 *   read-forever PATH T    T threads read and verify 128 KiB blocks of
 *                          PATH (a write-forever file) until killed;
 *                          prints "reading" once they are started
 *   verify PATH...         check that every byte of each PATH is the
 *                          pattern write-forever writes, in whole blocks
 *                          (a killed writer must leave a clean prefix),
 *                          and count those this client can write-lock
 *   put DIR N SIZE         create DIR and N files of SIZE pattern bytes
 *   check DIR N SIZE [S]   verify them; repeat for S seconds if given
 *   loop SECONDS DIR [K [FIRST]]
 *                          K instances (threads, each with its own glfs_t
 *                          and connection) loop create/write/close/open/
 *                          read-verify/close/unlink in DIR/c<FIRST+i>
 *   fill PATH              write 1 MiB blocks until the brick is full,
 *                          report the errno, unlink PATH, then check that
 *                          a new small file can be created, written, read
 *
 * The pattern encodes the path, an iteration number and the offset (one
 * 64-bit mix per 8-byte word), so a byte written to the wrong file, the
 * wrong iteration or the wrong offset is caught. Every mode ends with one
 * "key=value ..." summary line on stdout; details of failures go to
 * stderr. Exit status: 0 when every step succeeded and every byte
 * verified, 1 otherwise, 2 on bad usage.
 *
 * Usage: gfapi-worker [-l LOGFILE] HOST PORT SUBVOLUME MODE ARGS...
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

#define BLOCK      (128 * 1024)
#define WRAP       (32 * 1024 * 1024)
#define FILL_BLOCK (1024 * 1024)
#define FILL_LIMIT (4ULL << 30) /* give up: the brick never filled */
#define LOOP_MAX   (256 * 1024)
#define MAX_INST   64

static const char *g_host, *g_port, *g_subvol, *g_log = "/dev/null";

/* ---- the pattern ------------------------------------------------------ */

static uint64_t
mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t
seed_of(const char *path, uint64_t iter)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (const char *p = path; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    return h ^ mix64(iter);
}

/* The LEN pattern bytes of SEED that belong at file offset OFF. */
static void
pattern(unsigned char *buf, size_t len, uint64_t seed, uint64_t off)
{
    for (size_t i = 0; i < len; i++) {
        uint64_t o = off + i;
        buf[i] = (unsigned char)(mix64(seed ^ (o >> 3)) >> ((o & 7) * 8));
    }
}

/* Bytes of BUF that differ from the pattern; the first one is reported. */
static uint64_t
mismatches(const unsigned char *buf, size_t len, uint64_t seed, uint64_t off,
           const char *path)
{
    unsigned char want[BLOCK];
    uint64_t bad = 0;

    for (size_t done = 0; done < len;) {
        size_t n = len - done < BLOCK ? len - done : BLOCK;
        pattern(want, n, seed, off + done);
        for (size_t i = 0; i < n; i++)
            if (buf[done + i] != want[i] && bad++ == 0)
                fprintf(stderr,
                        "%s: offset %llu holds 0x%02x, expected 0x%02x\n", path,
                        (unsigned long long)(off + done + i), buf[done + i],
                        want[i]);
        done += n;
    }
    return bad;
}

/* ---- mounting --------------------------------------------------------- */

static glfs_t *
mount_fs(void)
{
    char vol[512];
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    glfs_t *fs;
    FILE *f;
    int fd, r;

    snprintf(vol, sizeof(vol), "%s/gfapi-worker-vol.XXXXXX", tmp);
    fd = mkstemp(vol);
    if (fd < 0 || !(f = fdopen(fd, "w"))) {
        perror("volfile");
        return NULL;
    }
    fprintf(f,
            "volume c0\n    type protocol/client\n"
            "    option remote-host %s\n    option remote-port %s\n"
            "    option remote-subvolume %s\n"
            "    option transport-type tcp\nend-volume\n",
            g_host, g_port, g_subvol);
    fclose(f);
    fs = glfs_new("gfapi-worker");
    if (!fs) {
        perror("glfs_new");
        unlink(vol);
        return NULL;
    }
    r = glfs_set_volfile(fs, vol);
    if (r == 0)
        r = glfs_set_logging(fs, g_log, 7);
    if (r == 0)
        r = glfs_init(fs);
    unlink(vol);
    if (r != 0) {
        fprintf(stderr, "glfs_init: %s\n", strerror(errno));
        glfs_fini(fs);
        return NULL;
    }
    return fs;
}

/* ---- whole-file helpers ----------------------------------------------- */

/* Write LEN pattern bytes of SEED to FD from offset 0 in BLOCK pieces. */
static int
write_pattern(glfs_fd_t *fd, size_t len, uint64_t seed, unsigned char *buf)
{
    for (size_t off = 0; off < len;) {
        size_t n = len - off < BLOCK ? len - off : BLOCK;
        pattern(buf, n, seed, off);
        ssize_t w = glfs_pwrite(fd, buf, n, (off_t)off, 0, NULL, NULL);
        if (w <= 0)
            return w < 0 ? -errno : -EIO;
        off += (size_t)w;
    }
    return 0;
}

/* Read FD to its end, counting mismatching bytes in *BAD and the bytes
 * read in *GOT. */
static int
read_verify(glfs_fd_t *fd, uint64_t seed, const char *path, unsigned char *buf,
            uint64_t *got, uint64_t *bad)
{
    *got = 0;
    for (;;) {
        ssize_t r = glfs_pread(fd, buf, BLOCK, (off_t)*got, 0, NULL);
        if (r < 0)
            return -errno;
        if (r == 0)
            return 0;
        *bad += mismatches(buf, (size_t)r, seed, *got, path);
        *got += (uint64_t)r;
    }
}

static int
put_file(glfs_t *fs, const char *path, size_t len, uint64_t seed,
         unsigned char *buf)
{
    glfs_fd_t *fd = glfs_creat(fs, path, O_RDWR | O_TRUNC, 0644);
    int r;

    if (!fd)
        return -errno;
    r = write_pattern(fd, len, seed, buf);
    if (glfs_close(fd) != 0 && r == 0)
        r = -errno;
    return r;
}

/* Verify PATH: *BAD gets the mismatching bytes; a size other than LEN
 * (when LEN is not -1) counts as an error. */
static int
check_file(glfs_t *fs, const char *path, int64_t len, uint64_t seed,
           unsigned char *buf, uint64_t *got, uint64_t *bad)
{
    glfs_fd_t *fd = glfs_open(fs, path, O_RDONLY);
    int r;

    if (!fd)
        return -errno;
    r = read_verify(fd, seed, path, buf, got, bad);
    if (glfs_close(fd) != 0 && r == 0)
        r = -errno;
    if (r == 0 && len >= 0 && *got != (uint64_t)len) {
        fprintf(stderr, "%s: %llu bytes, expected %lld\n", path,
                (unsigned long long)*got, (long long)len);
        r = -EFBIG;
    }
    return r;
}

/* ---- modes ------------------------------------------------------------ */

/* F_SETLK of TYPE on the whole file: 0 or the errno. */
static int
lock_whole(glfs_fd_t *fd, short type)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET};

    return glfs_posix_lock(fd, F_SETLK, &fl) == 0 ? 0 : errno;
}

/* Can this client write-lock PATH now? 0 or the errno. */
static int
lock_probe(glfs_t *fs, const char *path)
{
    glfs_fd_t *fd = glfs_open(fs, path, O_RDWR);
    int r;

    if (!fd)
        return errno;
    r = lock_whole(fd, F_WRLCK);
    if (r == 0)
        lock_whole(fd, F_UNLCK);
    glfs_close(fd);
    return r;
}

static int
mode_write_forever(glfs_t *fs, const char *path)
{
    static unsigned char buf[BLOCK];
    uint64_t seed = seed_of(path, 0), off = 0;
    glfs_fd_t *fd = glfs_creat(fs, path, O_RDWR | O_TRUNC, 0644);

    int lk;

    if (!fd) {
        fprintf(stderr, "create %s: %s\n", path, strerror(errno));
        return 1;
    }
    /* Held until killed: the brick must drop it on the disconnect. */
    lk = lock_whole(fd, F_WRLCK);
    for (unsigned long n = 0;; n++) {
        pattern(buf, BLOCK, seed, off);
        if (glfs_pwrite(fd, buf, BLOCK, (off_t)off, 0, NULL, NULL) != BLOCK) {
            fprintf(stderr, "write %s at %llu: %s\n", path,
                    (unsigned long long)off, strerror(errno));
            return 1;
        }
        if (n == 0) {
            printf("writing lock=%d\n", lk);
            fflush(stdout);
        }
        off = (off + BLOCK) % WRAP;
    }
}

/* One reader thread of read-forever. */
typedef struct reader {
    glfs_fd_t *fd;
    const char *path;
    uint64_t size;
    unsigned id;
} reader_t;

static void *
reader_main(void *arg)
{
    reader_t *r = arg;
    unsigned char *buf = malloc(BLOCK);
    uint64_t seed = seed_of(r->path, 0);

    for (uint64_t n = r->id; buf; n++) {
        uint64_t off = (n * BLOCK) % r->size;
        ssize_t got = glfs_pread(r->fd, buf, BLOCK, (off_t)off, 0, NULL);
        if (got <= 0 || mismatches(buf, (size_t)got, seed, off, r->path) != 0) {
            fprintf(stderr, "read %s at %llu: %zd\n", r->path,
                    (unsigned long long)off, got);
            exit(1);
        }
    }
    return NULL;
}

/* THREADS readers of PATH (a write-forever file, whole blocks) in a loop
 * until killed: the brick has that many READ replies of 128 KiB on the
 * wire at any time. Prints "reading" once every thread is started. */
static int
mode_read_forever(glfs_t *fs, const char *path, unsigned nthreads)
{
    reader_t r[MAX_INST];
    pthread_t t;
    struct stat st;
    glfs_fd_t *fd = glfs_open(fs, path, O_RDONLY);

    if (!fd || glfs_fstat(fd, &st) != 0 || st.st_size < BLOCK) {
        fprintf(stderr, "open %s: %s\n", path, strerror(errno));
        return 1;
    }
    for (unsigned i = 0; i < nthreads; i++) {
        r[i] = (reader_t){.fd = fd,
                          .path = path,
                          .size = (uint64_t)st.st_size / BLOCK * BLOCK,
                          .id = i};
        if (pthread_create(&t, NULL, reader_main, &r[i]) != 0)
            return 1;
    }
    printf("reading\n");
    for (;;)
        pause();
}

static int
mode_verify(glfs_t *fs, int n, char **paths)
{
    static unsigned char buf[BLOCK];
    uint64_t bytes = 0, bad = 0;
    int partial = 0, errors = 0, lockable = 0;

    for (int i = 0; i < n; i++) {
        uint64_t got = 0;
        int lk = lock_probe(fs, paths[i]);

        if (lk)
            fprintf(stderr, "lock %s: %s\n", paths[i], strerror(lk));
        lockable += lk == 0;
        int r =
            check_file(fs, paths[i], -1, seed_of(paths[i], 0), buf, &got, &bad);
        if (r < 0) {
            fprintf(stderr, "verify %s: %s\n", paths[i], strerror(-r));
            errors++;
        } else if (got % BLOCK) {
            fprintf(stderr, "%s: %llu bytes, not whole blocks\n", paths[i],
                    (unsigned long long)got);
            partial++;
        }
        bytes += got;
    }
    printf("mode=verify files=%d bytes=%llu partial=%d mismatches=%llu "
           "errors=%d lockable=%d\n",
           n, (unsigned long long)bytes, partial, (unsigned long long)bad,
           errors, lockable);
    return errors || partial || bad ? 1 : 0;
}

static int
mode_put_check(glfs_t *fs, int put, const char *dir, long nfiles, long size,
               long secs)
{
    static unsigned char buf[BLOCK];
    uint64_t bytes = 0, bad = 0, rounds = 0;
    long errors = 0;
    time_t end = time(NULL) + secs;
    char path[1024];

    if (put && glfs_mkdir(fs, dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "mkdir %s: %s\n", dir, strerror(errno));
        return 1;
    }
    do {
        for (long i = 0; i < nfiles; i++) {
            uint64_t got = 0;
            int r;
            snprintf(path, sizeof(path), "%s/f%04ld", dir, i);
            if (put)
                r = put_file(fs, path, (size_t)size, seed_of(path, 0), buf);
            else
                r = check_file(fs, path, size, seed_of(path, 0), buf, &got,
                               &bad);
            if (r < 0) {
                fprintf(stderr, "%s %s: %s\n", put ? "put" : "check", path,
                        strerror(-r));
                errors++;
            }
            bytes += put ? (uint64_t)size : got;
        }
        rounds++;
    } while (!put && time(NULL) < end);
    printf("mode=%s files=%ld rounds=%llu bytes=%llu mismatches=%llu "
           "errors=%ld\n",
           put ? "put" : "check", nfiles, (unsigned long long)rounds,
           (unsigned long long)bytes, (unsigned long long)bad, errors);
    return errors || bad ? 1 : 0;
}

/* One loop instance: its own mount, directory and counters. */
typedef struct inst {
    const char *parent;
    char dir[512];
    long secs;
    int ok_mount;
    uint64_t files, ops, bytes, bad, errors, mkdir_races;
    unsigned char buf[BLOCK];
    unsigned char wbuf[BLOCK];
} inst_t;

static int
loop_one(glfs_t *fs, inst_t *in, uint64_t iter)
{
    char path[600];
    uint64_t seed, got = 0;
    size_t len;
    glfs_fd_t *fd;
    int r;

    /* Eight names reused, so a stale inode or fd of an earlier iteration
     * would show as foreign bytes; sizes from 1 byte to 256 KiB. */
    snprintf(path, sizeof(path), "%s/f%llu", in->dir,
             (unsigned long long)(iter % 8));
    seed = seed_of(path, iter);
    len = 1 + (size_t)(mix64(seed) % LOOP_MAX);
    fd = glfs_creat(fs, path, O_RDWR | O_EXCL, 0644);
    if (!fd)
        return -errno;
    r = write_pattern(fd, len, seed, in->wbuf);
    if (glfs_close(fd) != 0 && r == 0)
        r = -errno;
    in->ops += 2 + (len + BLOCK - 1) / BLOCK;
    if (r < 0)
        return r;
    fd = glfs_open(fs, path, O_RDONLY);
    if (!fd)
        return -errno;
    r = read_verify(fd, seed, path, in->buf, &got, &in->bad);
    if (glfs_close(fd) != 0 && r == 0)
        r = -errno;
    in->ops += 3 + got / BLOCK;
    in->bytes += got;
    if (r == 0 && got != len) {
        fprintf(stderr, "%s: read %llu bytes of %zu\n", path,
                (unsigned long long)got, len);
        in->bad += got > len ? got - len : len - got;
    }
    if (glfs_unlink(fs, path) != 0 && r == 0)
        r = -errno;
    in->ops++;
    return r;
}

/*
 * Every instance may be first to make the shared parent, so EEXIST is
 * fine. Losing that race to another connection has been seen to make the
 * next mkdir inside the parent fail ENOENT or ESTALE for a moment (the
 * winner's directory exists before the brick gives it its gfid): retry
 * for up to 2 s and count it, so the soak reports it without failing.
 */
static int
make_dirs(glfs_t *fs, inst_t *in)
{
    if (glfs_mkdir(fs, in->parent, 0755) != 0 && errno != EEXIST)
        return -1;
    for (int try = 0;; try++) {
        if (glfs_mkdir(fs, in->dir, 0755) == 0 || errno == EEXIST)
            return 0;
        if ((errno != ENOENT && errno != ESTALE) || try == 100)
            return -1;
        if (try == 0)
            in->mkdir_races++;
        usleep(20000);
    }
}

static void *
loop_main(void *arg)
{
    inst_t *in = arg;
    glfs_t *fs = mount_fs();
    time_t end;

    if (!fs) {
        in->errors++;
        return NULL;
    }
    in->ok_mount = 1;
    end = time(NULL) + in->secs;
    if (make_dirs(fs, in) < 0) {
        fprintf(stderr, "mkdir %s: %s\n", in->dir, strerror(errno));
        in->errors++;
    }
    for (uint64_t it = 0; !in->errors && time(NULL) < end; it++) {
        int r = loop_one(fs, in, it);
        if (r < 0) {
            fprintf(stderr, "%s iteration %llu: %s\n", in->dir,
                    (unsigned long long)it, strerror(-r));
            in->errors++;
        }
        in->files++;
    }
    if (glfs_rmdir(fs, in->dir) != 0) {
        fprintf(stderr, "rmdir %s: %s\n", in->dir, strerror(errno));
        in->errors++;
    }
    glfs_fini(fs);
    return NULL;
}

static int
mode_loop(long secs, const char *dir, long k, long first)
{
    inst_t *in = calloc((size_t)k, sizeof(*in));
    pthread_t t[MAX_INST];
    uint64_t files = 0, ops = 0, bytes = 0, bad = 0, errors = 0, mounted = 0;
    uint64_t races = 0;

    if (!in)
        return 1;
    for (long i = 0; i < k; i++) {
        snprintf(in[i].dir, sizeof(in[i].dir), "%s/c%04ld", dir, first + i);
        in[i].secs = secs;
        in[i].parent = dir;
        if (pthread_create(&t[i], NULL, loop_main, &in[i]) != 0)
            in[i].errors++, t[i] = 0;
    }
    for (long i = 0; i < k; i++) {
        if (t[i])
            pthread_join(t[i], NULL);
        files += in[i].files, ops += in[i].ops, bytes += in[i].bytes;
        bad += in[i].bad, errors += in[i].errors;
        mounted += (uint64_t)in[i].ok_mount;
        races += in[i].mkdir_races;
    }
    printf("mode=loop instances=%ld mounted=%llu files=%llu ops=%llu "
           "bytes=%llu mismatches=%llu errors=%llu mkdir_races=%llu\n",
           k, (unsigned long long)mounted, (unsigned long long)files,
           (unsigned long long)ops, (unsigned long long)bytes,
           (unsigned long long)bad, (unsigned long long)errors,
           (unsigned long long)races);
    free(in);
    return errors || bad ? 1 : 0;
}

/* Write until the brick is full; the errno of the failing write is the
 * result. */
static int
fill_until_full(glfs_t *fs, const char *path, uint64_t *written, int *err)
{
    static unsigned char buf[FILL_BLOCK];
    glfs_fd_t *fd = glfs_creat(fs, path, O_RDWR | O_TRUNC, 0644);

    *err = 0;
    if (!fd)
        return -errno;
    memset(buf, 0xa5, sizeof(buf));
    while (*written < FILL_LIMIT) {
        ssize_t w =
            glfs_pwrite(fd, buf, FILL_BLOCK, (off_t)*written, 0, NULL, NULL);
        if (w < 0) {
            *err = errno;
            break;
        }
        *written += (uint64_t)w;
    }
    if (glfs_close(fd) != 0 && !*err)
        *err = errno;
    return 0;
}

static int
mode_fill(glfs_t *fs, const char *path)
{
    static unsigned char buf[BLOCK];
    char small[1100];
    uint64_t written = 0, got = 0, bad = 0;
    int err = 0, r, un, sr;

    r = fill_until_full(fs, path, &written, &err);
    un = glfs_unlink(fs, path) == 0 ? 0 : errno;
    snprintf(small, sizeof(small), "%s.after", path);
    sr = put_file(fs, small, 4096, seed_of(small, 0), buf);
    if (sr == 0)
        sr = check_file(fs, small, 4096, seed_of(small, 0), buf, &got, &bad);
    if (sr == 0 && glfs_unlink(fs, small) != 0)
        sr = -errno;
    printf("mode=fill create=%d written=%llu errno=%d (%s) unlink=%d "
           "after=%d after_bytes=%llu mismatches=%llu\n",
           -r, (unsigned long long)written, err, err ? strerror(err) : "none",
           un, -sr, (unsigned long long)got, (unsigned long long)bad);
    return r || err != ENOSPC || un || sr || bad ? 1 : 0;
}

/* ---- main ------------------------------------------------------------- */

static int
usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s [-l LOGFILE] HOST PORT SUBVOLUME MODE ARGS...\n"
            "modes: write-forever PATH | read-forever PATH THREADS |\n"
            "       verify PATH... | put DIR N SIZE |\n"
            "       check DIR N SIZE [SECONDS] |\n"
            "       loop SECONDS DIR [INSTANCES [FIRST]] | fill PATH\n",
            prog);
    return 2;
}

static int
run_mounted(int argc, char **argv)
{
    const char *mode = argv[0];
    glfs_t *fs = mount_fs();
    int ret = 2;

    if (!fs) {
        printf("mode=%s error=mount\n", mode);
        return 1;
    }
    if (strcmp(mode, "read-forever") == 0 && argc == 3 && atoi(argv[2]) > 0 &&
        atoi(argv[2]) <= MAX_INST)
        ret = mode_read_forever(fs, argv[1], (unsigned)atoi(argv[2]));
    else if (strcmp(mode, "write-forever") == 0 && argc == 2)
        ret = mode_write_forever(fs, argv[1]);
    else if (strcmp(mode, "verify") == 0 && argc >= 2)
        ret = mode_verify(fs, argc - 1, argv + 1);
    else if (strcmp(mode, "put") == 0 && argc == 4)
        ret = mode_put_check(fs, 1, argv[1], atol(argv[2]), atol(argv[3]), 0);
    else if (strcmp(mode, "check") == 0 && (argc == 4 || argc == 5))
        ret = mode_put_check(fs, 0, argv[1], atol(argv[2]), atol(argv[3]),
                             argc == 5 ? atol(argv[4]) : 0);
    else if (strcmp(mode, "fill") == 0 && argc == 2)
        ret = mode_fill(fs, argv[1]);
    glfs_fini(fs);
    return ret;
}

int
main(int argc, char **argv)
{
    int opt;

    while ((opt = getopt(argc, argv, "l:")) != -1) {
        if (opt != 'l')
            return usage(argv[0]);
        g_log = optarg;
    }
    argc -= optind;
    argv += optind;
    if (argc < 5)
        return usage(argv[-optind]);
    g_host = argv[0], g_port = argv[1], g_subvol = argv[2];
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (strcmp(argv[3], "loop") == 0) {
        long k = argc > 6 ? atol(argv[6]) : 1;
        long first = argc > 7 ? atol(argv[7]) : 0;
        if (argc < 6 || argc > 8 || k < 1 || k > MAX_INST || atol(argv[4]) < 0)
            return usage(argv[-optind]);
        return mode_loop(atol(argv[4]), argv[5], k, first);
    }
    int ret = run_mounted(argc - 3, argv + 3);
    return ret == 2 ? usage(argv[-optind]) : ret;
}
