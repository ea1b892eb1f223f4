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
 * With CLIENTS > 1, that many client processes (forked before libgfapi
 * starts, each with its own glfs_t and connection, like separate client
 * machines) run every phase at the same time, each in its own directory
 * /sf/cI with NFILES files and SEQ_MIB/CLIENTS MiB sequential; the parent
 * starts each phase in all of them at once and reports the aggregate rate
 * (all clients' ops or bytes over the time until the last one finished).
 *
 * Usage: smallfile PORT SUBVOLUME [NFILES [SEQ_MIB [LOGFILE [CLIENTS]]]]
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glusterfs/api/glfs.h>

#define FILE_SIZE   4096
#define SEQ_BLOCK   (128 * 1024)
#define MAX_CLIENTS 64

/* This client's directory: "/sf", or "/sf/cI" with several clients. */
static char dir[32] = "/sf";

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
    snprintf(buf, len, "%s/f%05d", dir, i);
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

static double
phase_create(glfs_t *fs, int n, const char *data)
{
    char path[64];
    double t0 = now();

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
    return now() - t0;
}

static double
phase_stat(glfs_t *fs, int n)
{
    char path[64];
    struct stat st;
    double t0 = now();

    for (int i = 0; i < n; i++) {
        file_path(path, sizeof(path), i);
        if (glfs_stat(fs, path, &st) != 0)
            fail("glfs_stat", path);
        if (st.st_size != FILE_SIZE) {
            errno = EIO;
            fail("size mismatch", path);
        }
    }
    return now() - t0;
}

static double
phase_read(glfs_t *fs, int n, const char *data, char *buf)
{
    char path[64];
    double t0 = now();

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
    return now() - t0;
}

static double
phase_unlink(glfs_t *fs, int n)
{
    char path[64];
    double t0 = now();

    for (int i = 0; i < n; i++) {
        file_path(path, sizeof(path), i);
        if (glfs_unlink(fs, path) != 0)
            fail("glfs_unlink", path);
    }
    return now() - t0;
}

/* Sequential write (PHASE 0) or read (PHASE 1) of MIB MiB in DIR/big;
 * the read also unlinks it. */
static double
phase_seq(glfs_t *fs, int phase, long mib, char *buf)
{
    char path[64];
    long blocks = mib * 1024 * 1024 / SEQ_BLOCK;
    glfs_fd_t *fd;
    double t0;

    snprintf(path, sizeof(path), "%s/big", dir);
    memset(buf, 0x5a, SEQ_BLOCK);
    t0 = now();
    if (phase == 0)
        fd = glfs_creat(fs, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    else
        fd = glfs_open(fs, path, O_RDONLY);
    if (fd == NULL)
        fail(phase == 0 ? "glfs_creat" : "glfs_open", path);
    for (long b = 0; b < blocks; b++) {
        if (phase == 0 && glfs_write(fd, buf, SEQ_BLOCK, 0) != SEQ_BLOCK)
            fail("glfs_write", path);
        if (phase == 1 && glfs_read(fd, buf, SEQ_BLOCK, 0) != SEQ_BLOCK)
            fail("glfs_read", path);
    }
    if (glfs_close(fd) != 0)
        fail("glfs_close", path);
    t0 = now() - t0;
    if (phase == 1 && glfs_unlink(fs, path) != 0)
        fail("glfs_unlink", path);
    return t0;
}

enum { PH_CREATE, PH_STAT, PH_READ, PH_UNLINK, PH_SEQ_W, PH_SEQ_R, PHASES };

static const char *const phase_names[PHASES] = {
    "create_ops", "stat_ops",      "read_ops",
    "unlink_ops", "seq_write_mbs", "seq_read_mbs"};

/* Run phase PH of this client; its duration in seconds. */
static double
run_phase(glfs_t *fs, int ph, int n, long mib)
{
    static char data[FILE_SIZE];
    static char buf[SEQ_BLOCK];

    if (data[0] == 0)
        for (int i = 0; i < FILE_SIZE; i++)
            data[i] = (char)(i * 7 + 1);
    switch (ph) {
    case PH_CREATE:
        return phase_create(fs, n, data);
    case PH_STAT:
        return phase_stat(fs, n);
    case PH_READ:
        return phase_read(fs, n, data, buf);
    case PH_UNLINK:
        return phase_unlink(fs, n);
    default:
        return phase_seq(fs, ph == PH_SEQ_W ? 0 : 1, mib, buf);
    }
}

/* The rate of phase PH: NCLIENTS clients did N files or MIB MiB each. */
static double
rate(int ph, int nclients, int n, long mib, double secs)
{
    if (ph >= PH_SEQ_W)
        return (double)nclients * (double)mib * 1.048576 / secs;
    return (double)nclients * n / secs;
}

static glfs_t *
client_start(char **argv, const char *logfile)
{
    glfs_t *fs = connect_brick(argv[1], argv[2], logfile);

    if (glfs_mkdir(fs, "/sf", 0755) != 0 && errno != EEXIST)
        fail("glfs_mkdir", "/sf");
    if (strcmp(dir, "/sf") != 0 && glfs_mkdir(fs, dir, 0755) != 0 &&
        errno != EEXIST)
        fail("glfs_mkdir", dir);
    return fs;
}

/* One of several clients: connect, then run each phase when the parent
 * sends a byte on GO, answering a byte on DONE. */
static void
client_child(char **argv, const char *logfile, int go, int done, int n,
             long mib)
{
    glfs_t *fs = client_start(argv, logfile);
    char c = 'r';

    if (write(done, &c, 1) != 1)
        _exit(1);
    for (int ph = 0; ph < PHASES; ph++) {
        if (ph >= PH_SEQ_W && mib == 0)
            break;
        if (read(go, &c, 1) != 1)
            _exit(1);
        run_phase(fs, ph, n, mib);
        if (write(done, &c, 1) != 1)
            _exit(1);
    }
    if (glfs_rmdir(fs, dir) != 0)
        fail("glfs_rmdir", dir);
    glfs_fini(fs);
    _exit(0);
}

/* Read one byte from each of the N descriptors; -1 if a client died. */
static int
gather_all(const int *fds, int nclients)
{
    char c;

    for (int i = 0; i < nclients; i++)
        if (read(fds[i], &c, 1) != 1)
            return -1;
    return 0;
}

static int
run_clients(char **argv, const char *logfile, int nclients, int n, long mib)
{
    int go[MAX_CLIENTS], done[MAX_CLIENTS], status, bad = 0;
    long each = mib / nclients;
    pid_t pids[MAX_CLIENTS];

    for (int i = 0; i < nclients; i++) {
        int p1[2], p2[2];

        if (pipe(p1) != 0 || pipe(p2) != 0)
            fail("pipe", "");
        pids[i] = fork();
        if (pids[i] < 0)
            fail("fork", "");
        if (pids[i] == 0) {
            snprintf(dir, sizeof(dir), "/sf/c%d", i);
            close(p1[1]);
            close(p2[0]);
            client_child(argv, logfile, p1[0], p2[1], n, each);
        }
        close(p1[0]);
        close(p2[1]);
        go[i] = p1[1];
        done[i] = p2[0];
    }
    if (gather_all(done, nclients) != 0) /* all connected */
        bad = 1;
    for (int ph = 0; ph < PHASES && !bad; ph++) {
        double t0;

        if (ph >= PH_SEQ_W && each == 0)
            break;
        t0 = phase_start();
        for (int i = 0; i < nclients; i++)
            if (write(go[i], "g", 1) != 1)
                bad = 1;
        if (bad || gather_all(done, nclients) != 0) {
            bad = 1;
            break;
        }
        report(phase_names[ph], rate(ph, nclients, n, each, now() - t0));
    }
    for (int i = 0; i < nclients; i++) {
        close(go[i]);
        close(done[i]);
    }
    for (int i = 0; i < nclients; i++)
        if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0)
            bad = 1;
    if (bad)
        fprintf(stderr, "smallfile: a client failed\n");
    return bad;
}

int
main(int argc, char **argv)
{
    int n = argc > 3 ? atoi(argv[3]) : 2000;
    long mib = argc > 4 ? atol(argv[4]) : 256;
    const char *logfile = argc > 5 ? argv[5] : "/dev/null";
    int nclients = argc > 6 ? atoi(argv[6]) : 1;
    glfs_t *fs;

    if (argc < 3 || n <= 0 || mib < 0 || nclients < 1 ||
        nclients > MAX_CLIENTS) {
        fprintf(stderr, "usage: smallfile PORT SUBVOLUME [NFILES [SEQ_MIB "
                        "[LOGFILE [CLIENTS]]]]\n");
        return 2;
    }
    if (nclients > 1) {
        int bad = run_clients(argv, logfile, nclients, n, mib);

        if (!bad) {
            fs = connect_brick(argv[1], argv[2], logfile);
            if (glfs_rmdir(fs, "/sf") != 0)
                fail("glfs_rmdir", "/sf");
            glfs_fini(fs);
        }
        return bad;
    }
    fs = client_start(argv, logfile);
    for (int ph = 0; ph < PHASES; ph++) {
        if (ph >= PH_SEQ_W && mib == 0)
            break;
        phase_start();
        report(phase_names[ph], rate(ph, 1, n, mib, run_phase(fs, ph, n, mib)));
    }
    if (glfs_rmdir(fs, "/sf") != 0)
        fail("glfs_rmdir", "/sf");
    glfs_fini(fs);
    return 0;
}
