/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gfapi-locks: POSIX locks of two stock libgfapi clients against one
 * brick. A child process (the holder, its own connection) takes a write
 * lock; the parent (the other connection) sees it with F_GETLK, is
 * refused with EAGAIN by F_SETLK, parks an F_SETLKW that the holder's
 * close lets through, and finally sees the holder's last lock vanish
 * when the holder process exits without unlocking (its connection
 * closes). Each step prints "step=NAME ok|FAIL detail"; the exit status
 * is non-zero if any step failed.
 *
 * Usage: gfapi-locks HOST PORT SUBVOLUME LOGFILE
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glusterfs/api/glfs.h>

static int failures;

static void step(const char *name, int ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
step(const char *name, int ok, const char *fmt, ...)
{
    va_list ap;

    printf("step=%s %s ", name, ok ? "ok" : "FAIL");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    failures += !ok;
}

static glfs_t *
mount_brick(const char *host, const char *port, const char *subvol,
            const char *log)
{
    char path[256];
    FILE *f;
    glfs_t *fs;
    int fd;

    snprintf(path, sizeof(path), "%s/gfapi-locks-vol.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    fd = mkstemp(path);
    if (fd < 0 || !(f = fdopen(fd, "w")))
        return NULL;
    fprintf(f,
            "volume c0\n    type protocol/client\n"
            "    option remote-host %s\n    option remote-port %s\n"
            "    option remote-subvolume %s\n"
            "    option transport-type tcp\nend-volume\n",
            host, port, subvol);
    fclose(f);
    fs = glfs_new("gfapi-locks");
    if (fs && (glfs_set_volfile(fs, path) != 0 ||
               glfs_set_logging(fs, log, 7) != 0 || glfs_init(fs) != 0)) {
        glfs_fini(fs);
        fs = NULL;
    }
    unlink(path);
    return fs;
}

static int
lock(glfs_fd_t *fd, int cmd, short type, off_t start, off_t len,
     struct flock *out)
{
    struct flock fl = {
        .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    int r = glfs_posix_lock(fd, cmd, &fl);

    if (out)
        *out = fl;
    return r < 0 ? -errno : r;
}

/* ---- the holder (child process) ---------------------------------------- */

static char
wait_cmd(int in)
{
    char c = 0;

    return read(in, &c, 1) == 1 ? c : 0;
}

static int
holder(glfs_t *fs, int in, int out)
{
    glfs_fd_t *fd = glfs_creat(fs, "/locked", O_RDWR, 0644);

    if (!fd || lock(fd, F_SETLK, F_WRLCK, 0, 100, NULL) != 0)
        return 1;
    if (write(out, "L", 1) != 1 || wait_cmd(in) != 'c')
        return 1;
    /* Closing drops the owner's locks (POSIX close semantics). */
    glfs_close(fd);
    fd = glfs_open(fs, "/locked", O_RDWR);
    if (!fd || lock(fd, F_SETLK, F_WRLCK, 500, 10, NULL) != 0)
        return 1;
    if (write(out, "M", 1) != 1)
        return 1;
    wait_cmd(in);
    /* Leave without unlocking, closing or glfs_fini: the connection
     * closes with the process and the brick must drop the lock. */
    _exit(0);
}

/* ---- the other client (parent) ----------------------------------------- */

typedef struct waiter {
    glfs_fd_t *fd;
    atomic_int done;
    int ret;
} waiter_t;

static void *
setlkw(void *arg)
{
    waiter_t *w = arg;

    w->ret = lock(w->fd, F_SETLKW, F_WRLCK, 0, 10, NULL);
    atomic_store(&w->done, 1);
    return NULL;
}

static int
wait_done(waiter_t *w, int ms)
{
    for (int i = 0; i < ms / 10 && !atomic_load(&w->done); i++)
        usleep(10000);
    return atomic_load(&w->done);
}

static void
contender(glfs_t *fs, int in, int out, pid_t child)
{
    struct flock fl;
    waiter_t w = {0};
    pthread_t t;
    int r, i;

    w.fd = glfs_open(fs, "/locked", O_RDWR);
    step("open", w.fd != NULL, "errno=%d", errno);
    if (!w.fd)
        return;
    r = lock(w.fd, F_GETLK, F_RDLCK, 0, 10, &fl);
    step("getlk-sees-holder",
         r == 0 && fl.l_type == F_WRLCK && fl.l_start == 0 && fl.l_len == 100,
         "ret=%d type=%d start=%ld len=%ld", r, fl.l_type, (long)fl.l_start,
         (long)fl.l_len);
    r = lock(w.fd, F_SETLK, F_RDLCK, 50, 1, NULL);
    step("setlk-conflict-eagain", r == -EAGAIN, "ret=%d", r);
    r = lock(w.fd, F_SETLK, F_RDLCK, 200, 10, NULL);
    step("setlk-elsewhere", r == 0, "ret=%d", r);
    pthread_create(&t, NULL, setlkw, &w);
    step("setlkw-waits", !wait_done(&w, 500), "done=%d", atomic_load(&w.done));
    r = write(out, "c", 1) == 1 && wait_done(&w, 10000);
    step("holder-close-grants-setlkw", r && w.ret == 0, "ret=%d", w.ret);
    pthread_join(t, NULL);
    step("holder-relocks", wait_cmd(in) == 'M', "-");
    r = lock(w.fd, F_SETLK, F_WRLCK, 500, 10, NULL);
    step("holder-lock-blocks", r == -EAGAIN, "ret=%d", r);
    /* The holder exits without unlocking. */
    r = write(out, "x", 1);
    waitpid(child, NULL, 0);
    for (i = 0; i < 100; i++) {
        r = lock(w.fd, F_SETLK, F_WRLCK, 500, 10, NULL);
        if (r != -EAGAIN)
            break;
        usleep(100000);
    }
    step("holder-exit-frees-lock", r == 0, "ret=%d after %d tries", r, i);
    lock(w.fd, F_SETLK, F_UNLCK, 0, 0, NULL);
    glfs_close(w.fd);
}

int
main(int argc, char **argv)
{
    int to_child[2], to_parent[2], status = 0;
    glfs_t *fs;
    pid_t pid;

    if (argc != 5) {
        fprintf(stderr, "usage: %s HOST PORT SUBVOLUME LOGFILE\n", argv[0]);
        return 2;
    }
    if (pipe(to_child) < 0 || pipe(to_parent) < 0)
        return 2;
    pid = fork();
    if (pid < 0)
        return 2;
    if (pid == 0) {
        close(to_child[1]);
        close(to_parent[0]);
        fs = mount_brick(argv[1], argv[2], argv[3], argv[4]);
        _exit(fs ? holder(fs, to_child[0], to_parent[1]) : 3);
    }
    close(to_child[0]);
    close(to_parent[1]);
    fs = mount_brick(argv[1], argv[2], argv[3], argv[4]);
    step("mount", fs != NULL, "errno=%d", errno);
    if (fs && wait_cmd(to_parent[0]) == 'L') {
        step("holder-locks", 1, "-");
        contender(fs, to_parent[0], to_child[1], pid);
    } else {
        step("holder-locks", 0, "the holder did not lock");
    }
    close(to_child[1]);
    if (waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    if (fs)
        glfs_fini(fs);
    return failures ? 1 : 0;
}
