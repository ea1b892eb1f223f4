/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * daemon.c - step 8 of the start-up sequence: detach from the terminal
 * while letting the user see whether start-up worked. The parent of the
 * fork waits on a status pipe and exits with the child's init result; the
 * child keeps the caller's stderr until it reports that result, so errors
 * of a daemon reach the terminal just like in the foreground. The pidfile
 * is held under an exclusive lock for the life of the process, which is
 * what keeps a second instance on the same pidfile from starting.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "gfsd-int.h"

/* Log an error and, when the log does not already go to stderr, show it
 * there too: before emancipation stderr is the user's terminal. */
void
gfsd_report(gfsd_t *d, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    gf_log("gfsd", GF_LOG_ERROR, "%s", msg);
    if (!d->log_is_stderr)
        fprintf(stderr, "%s: %s\n", d->args.progname, msg);
}

/* The parent: wait for the child's verdict and exit with it. _exit, not
 * exit: the event pool and the log belong to the child now. */
static void
parent_wait(int rfd)
{
    int status = 0;
    ssize_t n;

    do
        n = read(rfd, &status, sizeof(status));
    while (n < 0 && errno == EINTR);
    /* EOF without a status: the child died before reporting. */
    if (n != (ssize_t)sizeof(status))
        status = GFSD_EX_FAIL;
    _exit(status < 0 ? -status & 0xff : status & 0xff);
}

int
gfsd_daemonize(gfsd_t *d)
{
    int fds[2];
    pid_t pid;

    if (d->args.no_daemon)
        return 0;
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -errno;
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        int err = errno;

        close(fds[0]);
        close(fds[1]);
        return -err;
    }
    if (pid > 0) {
        close(fds[1]);
        parent_wait(fds[0]);
    }
    close(fds[0]);
    d->status_fd = fds[1];
    /* A new session: no controlling terminal, immune to its hang-up. */
    if (setsid() < 0)
        return -errno;
    if (chdir("/") < 0)
        return -errno;
    return 0;
}

/* Point stdin, stdout and (unless the log uses it) stderr at /dev/null. */
static void
detach_stdio(gfsd_t *d)
{
    int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

    if (fd < 0)
        return;
    dup2(fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    if (!d->log_is_stderr)
        dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO)
        close(fd);
}

/* Step 11's last act: tell the waiting parent how init went. */
void
gfsd_emancipate(gfsd_t *d, int status)
{
    ssize_t n;

    if (d->status_fd < 0)
        return;
    if (status == 0)
        detach_stdio(d);
    do
        n = write(d->status_fd, &status, sizeof(status));
    while (n < 0 && errno == EINTR);
    close(d->status_fd);
    d->status_fd = -1;
}

/* Pid written in an existing pidfile, or 0. */
static long
pid_in(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return strtol(buf, NULL, 10);
}

static int
write_pid(int fd)
{
    char buf[32];
    int len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

    if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, len, 0) != len)
        return -errno;
    return 0;
}

int
gfsd_pidfile_lock(gfsd_t *d)
{
    const char *path = d->args.pid_file;
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    int fd, ret;

    if (!path)
        return 0;
    /* Remember whether we created the file: only then is it ours to
     * remove at exit. */
    fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    d->pid_created = fd >= 0;
    if (fd < 0 && errno == EEXIST)
        fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        ret = -errno;
        gfsd_report(d, "cannot open pidfile %s: %s", path, strerror(-ret));
        return ret;
    }
    if (fcntl(fd, F_SETLK, &fl) < 0) {
        ret = -errno;
        gfsd_report(d,
                    "pidfile %s is locked by another instance (pid %ld); "
                    "not starting",
                    path, pid_in(fd));
        close(fd);
        d->pid_created = false;
        return ret == -EACCES ? -EAGAIN : ret;
    }
    ret = write_pid(fd);
    if (ret < 0) {
        gfsd_report(d, "cannot write pidfile %s: %s", path, strerror(-ret));
        close(fd);
        return ret;
    }
    d->pid_fd = fd;
    return 0;
}

void
gfsd_pidfile_release(gfsd_t *d)
{
    if (d->pid_fd < 0)
        return;
    /* Unlink while still holding the lock, so no new instance can lock
     * the old file between our unlink and close. */
    if (d->pid_created)
        unlink(d->args.pid_file);
    close(d->pid_fd);
    d->pid_fd = -1;
}
