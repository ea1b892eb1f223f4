/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gfapi-afr - a stock libgfapi client whose volume is one of GlusterFS's
 * own cluster translators (replicate by default, or distribute) over two
 * protocol/client connections, each to a gfsd brick: the scale-out path
 * gfsd is built for.
 *
 *   gfapi-afr PORT1 PORT2 SUBVOLUME LOGFILE write|write-degraded
 *             [replicate|distribute]
 *
 * "write": mkdir /r, then 20 files of 64 KiB each written, fsynced, read
 * back and compared, one renamed, one removed. "write-degraded": one more
 * file written while a brick is down (replicate keeps going on the other
 * and records what the absent one missed). One line per step:
 * "step=NAME ret=R errno=E" (and "FAIL" when it is not what is expected);
 * exit status 0 when every step went as expected.
 */
#include <errno.h>
#include <fcntl.h>
#include <glusterfs/api/glfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { NFILES = 20, FILE_SIZE = 65536 };

static int failures;

static void
step(const char *name, long ret, int ok)
{
    printf("step=%s ret=%ld errno=%d%s\n", name, ret, ret < 0 ? errno : 0,
           ok ? "" : " FAIL");
    fflush(stdout);
    if (!ok)
        failures++;
}

static void
pattern(unsigned char *buf, int file)
{
    for (int i = 0; i < FILE_SIZE; i++)
        buf[i] = (unsigned char)(i * 31 + file * 7);
}

/* Write FILE_SIZE bytes of file I's pattern to PATH and read them back. */
static void
write_one(glfs_t *fs, const char *path, int i)
{
    static unsigned char buf[FILE_SIZE], back[FILE_SIZE];
    glfs_fd_t *fd = glfs_creat(fs, path, O_RDWR | O_EXCL, 0644);
    ssize_t n;

    step("create", fd ? 0 : -1, fd != NULL);
    if (!fd)
        return;
    pattern(buf, i);
    n = glfs_pwrite(fd, buf, FILE_SIZE, 0, 0, NULL, NULL);
    step("write", n, n == FILE_SIZE);
    step("fsync", glfs_fsync(fd, NULL, NULL), 1);
    n = glfs_pread(fd, back, FILE_SIZE, 0, 0, NULL);
    step("read-back", n, n == FILE_SIZE && !memcmp(buf, back, FILE_SIZE));
    step("close", glfs_close(fd), 1);
}

static void
run_write(glfs_t *fs)
{
    char path[64], path2[64];
    int r = glfs_mkdir(fs, "/r", 0755);

    step("mkdir", r, r == 0 || errno == EEXIST);
    for (int i = 0; i < NFILES; i++) {
        snprintf(path, sizeof(path), "/r/f%02d", i);
        write_one(fs, path, i);
    }
    snprintf(path, sizeof(path), "/r/f%02d", 0);
    snprintf(path2, sizeof(path2), "/r/renamed");
    r = glfs_rename(fs, path, path2);
    step("rename", r, r == 0);
    snprintf(path, sizeof(path), "/r/f%02d", 1);
    r = glfs_unlink(fs, path);
    step("unlink", r, r == 0);
}

static void
run_degraded(glfs_t *fs)
{
    struct stat st;
    int r;

    write_one(fs, "/r/degraded", 99);
    r = glfs_stat(fs, "/r/degraded", &st);
    step("stat", r, r == 0 && st.st_size == FILE_SIZE);
}

static int
write_volfile(char *path, size_t len, const char *p1, const char *p2,
              const char *subvol, const char *cluster)
{
    int fd;
    FILE *f;

    snprintf(path, len, "%s/gfapi-afr-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    fd = mkstemp(path);
    if (fd < 0 || !(f = fdopen(fd, "w")))
        return -1;
    for (int i = 1; i <= 2; i++)
        fprintf(f,
                "volume c%d\n    type protocol/client\n"
                "    option remote-host 127.0.0.1\n"
                "    option remote-port %s\n"
                "    option remote-subvolume %s\n"
                "    option transport-type tcp\nend-volume\n",
                i, i == 1 ? p1 : p2, subvol);
    fprintf(f,
            "volume top\n    type cluster/%s\n"
            "    subvolumes c1 c2\nend-volume\n",
            cluster);
    return fclose(f);
}

int
main(int argc, char **argv)
{
    char vol[4096];
    glfs_t *fs;
    int r;

    const char *cluster = argc > 6 ? argv[6] : "replicate";

    if ((argc != 6 && argc != 7) || (strcmp(cluster, "replicate") != 0 &&
                                     strcmp(cluster, "distribute") != 0)) {
        fprintf(stderr,
                "usage: %s PORT1 PORT2 SUBVOLUME LOGFILE "
                "write|write-degraded [replicate|distribute]\n",
                argv[0]);
        return 2;
    }
    if (write_volfile(vol, sizeof(vol), argv[1], argv[2], argv[3], cluster) <
        0) {
        perror("volfile");
        return 2;
    }
    fs = glfs_new("gfapi-afr");
    if (!fs) {
        unlink(vol);
        return 1;
    }
    glfs_set_volfile(fs, vol);
    glfs_set_logging(fs, argv[4], 7);
    r = glfs_init(fs);
    step("init", r, r == 0);
    unlink(vol);
    if (r == 0) {
        if (strcmp(argv[5], "write-degraded") == 0)
            run_degraded(fs);
        else
            run_write(fs);
    }
    glfs_fini(fs);
    return failures ? 1 : 0;
}
