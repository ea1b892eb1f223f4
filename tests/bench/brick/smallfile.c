/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * libgfapi workload for tests/bench/brick/brick-bench.sh: connects straight
 * to one brick (a protocol/client-only volfile, no glusterd) and runs, in a
 * fresh directory, a small-file workload (create+write 4 KiB+close, stat,
 * open+read+close, unlink; ops/s per phase) and a sequential write and read
 * of one large file in 128 KiB blocks (MB/s). Every result is one line
 * "RESULT <name> <value>" so the script can parse it; progress and errors go
 * to stderr. The same binary drives gfsd and glusterfsd, so both see the
 * exact same request stream. With SMALLFILE_SERVER_PID set, each phase also
 * reports the server's CPU time over that phase ("<phase>_cpu_ms", from
 * /proc/PID/stat), to tell server cost from client cost.
 *
 * Usage: smallfile PORT SUBVOLUME [NFILES [SEQ_MIB [LOGFILE]]]
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <glusterfs/api/glfs.h>

#define FILE_SIZE 4096
#define SEQ_BLOCK (128 * 1024)

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
fail(const char *what, const char *path)
{
    fprintf(stderr, "smallfile: %s %s: %s\n", what, path, strerror(errno));
    exit(1);
}

static void
init_timeout(int sig)
{
    static const char msg[] = "smallfile: glfs_init timed out\n";

    (void)sig;
    if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
        _exit(3);
    _exit(3);
}

static glfs_t *
connect_brick(const char *port, const char *subvol, const char *logfile)
{
    char volpath[] = "/tmp/smallfile-vol.XXXXXX";
    int fd = mkstemp(volpath);
    FILE *f;
    glfs_t *fs;

    if (fd < 0)
        fail("mkstemp", volpath);
    f = fdopen(fd, "w");
    if (f == NULL)
        fail("fdopen", volpath);
    fprintf(f,
            "volume bench-client\n"
            "    type protocol/client\n"
            "    option remote-host 127.0.0.1\n"
            "    option remote-port %s\n"
            "    option remote-subvolume %s\n"
            "    option transport-type tcp\n"
            "    option transport.address-family inet\n"
            "end-volume\n",
            port, subvol);
    fclose(f);
    fs = glfs_new("bench");
    if (fs == NULL)
        fail("glfs_new", "");
    if (glfs_set_volfile(fs, volpath) != 0)
        fail("glfs_set_volfile", volpath);
    glfs_set_logging(fs, logfile, 4); /* 4 = GF_LOG_WARNING */
    /* glfs_init waits without a limit for CHILD_UP: a server that never
     * completes the handshake must fail the run, not hang it. */
    signal(SIGALRM, init_timeout);
    alarm(20);
    if (glfs_init(fs) != 0) {
        unlink(volpath);
        fail("glfs_init", subvol);
    }
    alarm(0);
    unlink(volpath);
    return fs;
}

static void
file_path(char *buf, size_t len, int i)
{
    snprintf(buf, len, "/sf/f%05d", i);
}

static double
server_cpu_ms(void)
{
    const char *pid = getenv("SMALLFILE_SERVER_PID");
    unsigned long utime, stime;
    char path[64], line[1024], *p;
    FILE *f;
    int ok;

    if (pid == NULL)
        return -1;
    snprintf(path, sizeof(path), "/proc/%s/stat", pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    p = fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;
    fclose(f);
    /* After the comm: state and 10 more fields, then utime and stime. */
    ok = p != NULL && sscanf(p + 2,
                             "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
                             "%*u %*u %lu %lu",
                             &utime, &stime) == 2;
    return ok ? (double)(utime + stime) * 1000.0 / sysconf(_SC_CLK_TCK) : -1;
}

static double phase_cpu0;

static double
phase_start(void)
{
    phase_cpu0 = server_cpu_ms();
    return now();
}

static void
report(const char *name, double value)
{
    double cpu = server_cpu_ms();
    char cpuname[64];

    printf("RESULT %s %.1f\n", name, value);
    if (cpu >= 0 && phase_cpu0 >= 0) {
        const char *unit = strrchr(name, '_');

        snprintf(cpuname, sizeof(cpuname), "%.*s_cpu_ms",
                 (int)(unit ? unit - name : (long)strlen(name)), name);
        printf("RESULT %s %.0f\n", cpuname, cpu - phase_cpu0);
    }
    fflush(stdout);
}

static void
phase_create(glfs_t *fs, int n, const char *data)
{
    char path[64];
    double t0 = phase_start();

    for (int i = 0; i < n; i++) {
        glfs_fd_t *fd;

        file_path(path, sizeof(path), i);
        fd = glfs_creat(fs, path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd == NULL)
            fail("glfs_creat", path);
        if (glfs_write(fd, data, FILE_SIZE, 0) != FILE_SIZE)
            fail("glfs_write", path);
        if (glfs_close(fd) != 0)
            fail("glfs_close", path);
    }
    report("create_ops", n / (now() - t0));
}

static void
phase_stat(glfs_t *fs, int n)
{
    char path[64];
    struct stat st;
    double t0 = phase_start();

    for (int i = 0; i < n; i++) {
        file_path(path, sizeof(path), i);
        if (glfs_stat(fs, path, &st) != 0)
            fail("glfs_stat", path);
        if (st.st_size != FILE_SIZE) {
            errno = EIO;
            fail("size mismatch", path);
        }
    }
    report("stat_ops", n / (now() - t0));
}

static void
phase_read(glfs_t *fs, int n, const char *data, char *buf)
{
    char path[64];
    double t0 = phase_start();

    for (int i = 0; i < n; i++) {
        glfs_fd_t *fd;

        file_path(path, sizeof(path), i);
        fd = glfs_open(fs, path, O_RDONLY);
        if (fd == NULL)
            fail("glfs_open", path);
        if (glfs_read(fd, buf, FILE_SIZE, 0) != FILE_SIZE)
            fail("glfs_read", path);
        if (memcmp(buf, data, FILE_SIZE) != 0) {
            errno = EIO;
            fail("data mismatch", path);
        }
        if (glfs_close(fd) != 0)
            fail("glfs_close", path);
    }
    report("read_ops", n / (now() - t0));
}

static void
phase_unlink(glfs_t *fs, int n)
{
    char path[64];
    double t0 = phase_start();

    for (int i = 0; i < n; i++) {
        file_path(path, sizeof(path), i);
        if (glfs_unlink(fs, path) != 0)
            fail("glfs_unlink", path);
    }
    report("unlink_ops", n / (now() - t0));
}

static void
phase_seq(glfs_t *fs, long mib, char *buf)
{
    const char *path = "/sf/big";
    long blocks = mib * 1024 * 1024 / SEQ_BLOCK;
    glfs_fd_t *fd;
    double t0;

    memset(buf, 0x5a, SEQ_BLOCK);
    t0 = phase_start();
    fd = glfs_creat(fs, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd == NULL)
        fail("glfs_creat", path);
    for (long b = 0; b < blocks; b++)
        if (glfs_write(fd, buf, SEQ_BLOCK, 0) != SEQ_BLOCK)
            fail("glfs_write", path);
    if (glfs_close(fd) != 0)
        fail("glfs_close", path);
    report("seq_write_mbs", (double)mib * 1.048576 / (now() - t0));

    t0 = phase_start();
    fd = glfs_open(fs, path, O_RDONLY);
    if (fd == NULL)
        fail("glfs_open", path);
    for (long b = 0; b < blocks; b++)
        if (glfs_read(fd, buf, SEQ_BLOCK, 0) != SEQ_BLOCK)
            fail("glfs_read", path);
    if (glfs_close(fd) != 0)
        fail("glfs_close", path);
    report("seq_read_mbs", (double)mib * 1.048576 / (now() - t0));
    if (glfs_unlink(fs, path) != 0)
        fail("glfs_unlink", path);
}

int
main(int argc, char **argv)
{
    int n = argc > 3 ? atoi(argv[3]) : 2000;
    long mib = argc > 4 ? atol(argv[4]) : 256;
    const char *logfile = argc > 5 ? argv[5] : "/dev/null";
    static char data[FILE_SIZE];
    static char buf[SEQ_BLOCK];
    glfs_t *fs;

    if (argc < 3 || n <= 0 || mib < 0) {
        fprintf(stderr, "usage: smallfile PORT SUBVOLUME [NFILES [SEQ_MIB "
                        "[LOGFILE]]]\n");
        return 2;
    }
    for (int i = 0; i < FILE_SIZE; i++)
        data[i] = (char)(i * 7 + 1);
    fs = connect_brick(argv[1], argv[2], logfile);
    if (glfs_mkdir(fs, "/sf", 0755) != 0 && errno != EEXIST)
        fail("glfs_mkdir", "/sf");
    phase_create(fs, n, data);
    phase_stat(fs, n);
    phase_read(fs, n, data, buf);
    phase_unlink(fs, n);
    if (mib > 0)
        phase_seq(fs, mib, buf);
    if (glfs_rmdir(fs, "/sf") != 0)
        fail("glfs_rmdir", "/sf");
    glfs_fini(fs);
    return 0;
}
