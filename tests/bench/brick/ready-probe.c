/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Start-to-ready probe for tests/bench/brick/startup.sh: takes the time,
 * forks and execs a server, then tries to connect to 127.0.0.1:PORT every
 * 100 microseconds until a TCP connection is accepted. Prints "PID USEC"
 * (the server's pid, microseconds from just before fork to the first
 * accepted connect) and exits, leaving the server running for the caller
 * to measure and kill. A poll step short enough to be well under the
 * startup times measured, but not a pure spin that would steal a CPU from
 * the server starting on the same (small) machine.
 *
 * Usage: ready-probe PORT TIMEOUT_MS COMMAND [ARGS...]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
try_connect(const struct sockaddr_in *sin)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int rc;

    if (s < 0)
        return -1;
    rc = connect(s, (const struct sockaddr *)sin, sizeof(*sin));
    close(s);
    return rc;
}

int
main(int argc, char **argv)
{
    struct sockaddr_in sin;
    struct timespec step = {0, 100000};
    long long t0, deadline;
    pid_t pid;
    int status;

    if (argc < 4) {
        fprintf(stderr, "usage: ready-probe PORT TIMEOUT_MS CMD [ARGS...]\n");
        return 2;
    }
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)atoi(argv[1]));
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (try_connect(&sin) == 0) {
        fprintf(stderr, "ready-probe: port %s is already in use\n", argv[1]);
        return 1;
    }
    t0 = now_us();
    deadline = t0 + atoll(argv[2]) * 1000;
    pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        /* The caller reads our stdout to its end: the server must not
         * keep it open. */
        int null = open("/dev/null", O_RDWR);

        if (null >= 0)
            dup2(null, STDOUT_FILENO);
        setsid();
        execvp(argv[3], argv + 3);
        _exit(127);
    }
    for (;;) {
        if (try_connect(&sin) == 0)
            break;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            fprintf(stderr, "ready-probe: server exited (status %d)\n", status);
            return 1;
        }
        if (now_us() > deadline) {
            fprintf(stderr, "ready-probe: not ready after %s ms\n", argv[2]);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return 1;
        }
        nanosleep(&step, NULL);
    }
    printf("%d %lld\n", (int)pid, now_us() - t0);
    return 0;
}
