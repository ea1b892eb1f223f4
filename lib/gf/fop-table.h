/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/fop-table.h - the one table of file operations ("fops").
 *
 * Every fop is declared here once, and everything per-fop is generated from
 * this table: the fop enum and names, the fop and callback types, the fops
 * vtable, gf_wind_<fop>() and gf_unwind_<fop>(), the pass-through
 * defaults, call stubs and syncops. Adding a fop is adding three lines;
 * the compiler checks every use.
 *
 *   GF_FOP_LIST(X)            calls X(name, NAME) for every fop, in order
 *                             (NAME gives the enum constant GF_FOP_NAME)
 *   GF_FOP_ARGS_<name>(A)     calls A(type, arg) for each request argument
 *   GF_FOP_CBKS_<name>(A)     calls A(type, arg) for each reply argument,
 *                             the ones after op_ret and op_errno
 *
 * A consumer passes its own X or A: for example A(type, arg) defined as
 * `, type arg` yields a parameter list, `, arg` an argument list.
 *
 * Ownership: request arguments belong to the caller and must stay valid
 * until the fop's callback has been called (so a translator may park a fop
 * without copying it). Reply arguments belong to the callee and are valid
 * only during the callback; take a reference or a copy to keep one.
 *
 * Order and numbering are gfsd's own (GF_FOP_*), not the wire procedure
 * numbers; protocol translators map between the two.
 */
#ifndef GF_FOP_TABLE_H
#define GF_FOP_TABLE_H

/* clang-format off */
#define GF_FOP_LIST(X)                                                       \
    X(lookup, LOOKUP)                                                        \
    X(stat, STAT)                                                            \
    X(fstat, FSTAT)                                                          \
    X(statfs, STATFS)                                                        \
    X(create, CREATE)                                                        \
    X(open, OPEN)                                                            \
    X(opendir, OPENDIR)                                                      \
    X(readdir, READDIR)                                                      \
    X(readdirp, READDIRP)                                                    \
    X(readv, READ)                                                           \
    X(writev, WRITE)                                                         \
    X(flush, FLUSH)                                                          \
    X(fsync, FSYNC)                                                          \
    X(release, RELEASE)                                                      \
    X(releasedir, RELEASEDIR)                                                \
    X(mkdir, MKDIR)                                                          \
    X(unlink, UNLINK)                                                        \
    X(rmdir, RMDIR)                                                          \
    X(rename, RENAME)                                                        \
    X(truncate, TRUNCATE)                                                    \
    X(ftruncate, FTRUNCATE)                                                  \
    X(setattr, SETATTR)                                                      \
    X(fsetattr, FSETATTR)                                                    \
    X(getxattr, GETXATTR)                                                    \
    X(fgetxattr, FGETXATTR)                                                  \
    X(setxattr, SETXATTR)                                                    \
    X(fsetxattr, FSETXATTR)                                                  \
    X(removexattr, REMOVEXATTR)                                              \
    X(fremovexattr, FREMOVEXATTR)                                            \
    X(access, ACCESS)                                                        \
    X(symlink, SYMLINK)                                                      \
    X(readlink, READLINK)                                                    \
    X(link, LINK)                                                            \
    X(mknod, MKNOD)                                                          \
    X(lk, LK)                                                                \
    X(inodelk, INODELK)                                                      \
    X(finodelk, FINODELK)                                                    \
    X(entrylk, ENTRYLK)                                                      \
    X(fentrylk, FENTRYLK)                                                    \
    X(xattrop, XATTROP)                                                      \
    X(fxattrop, FXATTROP)                                                    

#define GF_FOP_ARGS_lookup(A)                                                \
    A(gf_loc_t *, loc)                                                       \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_lookup(A)                                                \
    A(gf_inode_t *, inode)                                                   \
    A(gf_iatt_t *, buf)                                                      \
    A(gf_dict_t *, xdata)                                                    \
    A(gf_iatt_t *, postparent)

#define GF_FOP_ARGS_stat(A)                                                  \
    A(gf_loc_t *, loc)                                                       \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_stat(A)                                                  \
    A(gf_iatt_t *, buf)                                                      \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_fstat(A)                                                 \
    A(gf_fd_t *, fd)                                                         \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_fstat(A)                                                 \
    A(gf_iatt_t *, buf)                                                      \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_statfs(A)                                                \
    A(gf_loc_t *, loc)                                                       \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_statfs(A)                                                \
    A(struct statvfs *, buf)                                                 \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_create(A)                                                \
    A(gf_loc_t *, loc)                                                       \
    A(int32_t, flags)                                                        \
    A(uint32_t, mode)                                                        \
    A(uint32_t, umask)                                                       \
    A(gf_fd_t *, fd)                                                         \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_create(A)                                                \
    A(gf_fd_t *, fd)                                                         \
    A(gf_inode_t *, inode)                                                   \
    A(gf_iatt_t *, buf)                                                      \
    A(gf_iatt_t *, preparent)                                                \
    A(gf_iatt_t *, postparent)                                               \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_open(A)                                                  \
    A(gf_loc_t *, loc)                                                       \
    A(int32_t, flags)                                                        \
    A(gf_fd_t *, fd)                                                         \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_open(A)                                                  \
    A(gf_fd_t *, fd)                                                         \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_opendir(A)                                               \
    A(gf_loc_t *, loc)                                                       \
    A(gf_fd_t *, fd)                                                         \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_opendir(A)                                               \
    A(gf_fd_t *, fd)                                                         \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_readdir(A)                                               \
    A(gf_fd_t *, fd)                                                         \
    A(size_t, size)                                                          \
    A(off_t, offset)                                                         \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_readdir(A)                                               \
    A(gf_dirents_t *, entries)                                               \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_readdirp(A)                                              \
    A(gf_fd_t *, fd)                                                         \
    A(size_t, size)                                                          \
    A(off_t, offset)                                                         \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_readdirp(A)                                              \
    A(gf_dirents_t *, entries)                                               \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_readv(A)                                                 \
    A(gf_fd_t *, fd)                                                         \
    A(size_t, size)                                                          \
    A(off_t, offset)                                                         \
    A(uint32_t, flags)                                                       \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_readv(A)                                                 \
    A(struct iovec *, vector)                                                \
    A(int32_t, count)                                                        \
    A(gf_iatt_t *, stbuf)                                                    \
    A(gf_iobref_t *, iobref)                                                 \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_writev(A)                                                \
    A(gf_fd_t *, fd)                                                         \
    A(struct iovec *, vector)                                                \
    A(int32_t, count)                                                        \
    A(off_t, offset)                                                         \
    A(uint32_t, flags)                                                       \
    A(gf_iobref_t *, iobref)                                                 \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_writev(A)                                                \
    A(gf_iatt_t *, prebuf)                                                   \
    A(gf_iatt_t *, postbuf)                                                  \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_flush(A)                                                 \
    A(gf_fd_t *, fd)                                                         \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_flush(A)                                                 \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_fsync(A)                                                 \
    A(gf_fd_t *, fd)                                                         \
    A(int32_t, datasync)                                                     \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_fsync(A)                                                 \
    A(gf_iatt_t *, prebuf)                                                   \
    A(gf_iatt_t *, postbuf)                                                  \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_release(A)                                               \
    A(gf_fd_t *, fd)                                                         \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_release(A)                                               \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_releasedir(A)                                            \
    A(gf_fd_t *, fd)                                                         \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_releasedir(A)                                            \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_mkdir(A)                                                 \
    A(gf_loc_t *, loc)                                                       \
    A(uint32_t, mode)                                                        \
    A(uint32_t, umask)                                                       \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_mkdir(A)                                                 \
    A(gf_inode_t *, inode)                                                   \
    A(gf_iatt_t *, buf)                                                      \
    A(gf_iatt_t *, preparent)                                                \
    A(gf_iatt_t *, postparent)                                               \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_unlink(A)                                                \
    A(gf_loc_t *, loc)                                                       \
    A(int32_t, xflags)                                                       \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_unlink(A)                                                \
    A(gf_iatt_t *, preparent)                                                \
    A(gf_iatt_t *, postparent)                                               \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_rmdir(A)                                                 \
    A(gf_loc_t *, loc)                                                       \
    A(int32_t, xflags)                                                       \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_rmdir(A)                                                 \
    A(gf_iatt_t *, preparent)                                                \
    A(gf_iatt_t *, postparent)                                               \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_rename(A)                                                \
    A(gf_loc_t *, oldloc)                                                    \
    A(gf_loc_t *, newloc)                                                    \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_rename(A)                                                \
    A(gf_iatt_t *, buf)                                                      \
    A(gf_iatt_t *, preoldparent)                                             \
    A(gf_iatt_t *, postoldparent)                                            \
    A(gf_iatt_t *, prenewparent)                                             \
    A(gf_iatt_t *, postnewparent)                                            \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_truncate(A)                                              \
    A(gf_loc_t *, loc)                                                       \
    A(off_t, offset)                                                         \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_truncate(A)                                              \
    A(gf_iatt_t *, prebuf)                                                   \
    A(gf_iatt_t *, postbuf)                                                  \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_ftruncate(A)                                             \
    A(gf_fd_t *, fd)                                                         \
    A(off_t, offset)                                                         \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_ftruncate(A)                                             \
    A(gf_iatt_t *, prebuf)                                                   \
    A(gf_iatt_t *, postbuf)                                                  \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_setattr(A)                                               \
    A(gf_loc_t *, loc)                                                       \
    A(gf_iatt_t *, stbuf)                                                    \
    A(int32_t, valid)                                                        \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_setattr(A)                                               \
    A(gf_iatt_t *, statpre)                                                  \
    A(gf_iatt_t *, statpost)                                                 \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_fsetattr(A)                                              \
    A(gf_fd_t *, fd)                                                         \
    A(gf_iatt_t *, stbuf)                                                    \
    A(int32_t, valid)                                                        \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_fsetattr(A)                                              \
    A(gf_iatt_t *, statpre)                                                  \
    A(gf_iatt_t *, statpost)                                                 \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_getxattr(A)                                              \
    A(gf_loc_t *, loc)                                                       \
    A(const char *, name)                                                    \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_getxattr(A)                                              \
    A(gf_dict_t *, dict)                                                     \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_fgetxattr(A)                                             \
    A(gf_fd_t *, fd)                                                         \
    A(const char *, name)                                                    \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_fgetxattr(A)                                             \
    A(gf_dict_t *, dict)                                                     \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_setxattr(A)                                              \
    A(gf_loc_t *, loc)                                                       \
    A(gf_dict_t *, dict)                                                     \
    A(int32_t, flags)                                                        \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_setxattr(A)                                              \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_fsetxattr(A)                                             \
    A(gf_fd_t *, fd)                                                         \
    A(gf_dict_t *, dict)                                                     \
    A(int32_t, flags)                                                        \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_fsetxattr(A)                                             \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_removexattr(A)                                           \
    A(gf_loc_t *, loc)                                                       \
    A(const char *, name)                                                    \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_removexattr(A)                                           \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_fremovexattr(A)                                          \
    A(gf_fd_t *, fd)                                                         \
    A(const char *, name)                                                    \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_fremovexattr(A)                                          \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_access(A)                                                \
    A(gf_loc_t *, loc)                                                       \
    A(int32_t, mask)                                                         \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_access(A)                                                \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_symlink(A)                                               \
    A(const char *, linkname)                                                \
    A(gf_loc_t *, loc)                                                       \
    A(uint32_t, umask)                                                       \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_symlink(A)                                               \
    A(gf_inode_t *, inode)                                                   \
    A(gf_iatt_t *, buf)                                                      \
    A(gf_iatt_t *, preparent)                                                \
    A(gf_iatt_t *, postparent)                                               \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_readlink(A)                                              \
    A(gf_loc_t *, loc)                                                       \
    A(size_t, size)                                                          \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_readlink(A)                                              \
    A(const char *, path)                                                    \
    A(gf_iatt_t *, buf)                                                      \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_link(A)                                                  \
    A(gf_loc_t *, oldloc)                                                    \
    A(gf_loc_t *, newloc)                                                    \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_link(A)                                                  \
    A(gf_inode_t *, inode)                                                   \
    A(gf_iatt_t *, buf)                                                      \
    A(gf_iatt_t *, preparent)                                                \
    A(gf_iatt_t *, postparent)                                               \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_mknod(A)                                                 \
    A(gf_loc_t *, loc)                                                       \
    A(uint32_t, mode)                                                        \
    A(uint64_t, rdev)                                                        \
    A(uint32_t, umask)                                                       \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_mknod(A)                                                 \
    A(gf_inode_t *, inode)                                                   \
    A(gf_iatt_t *, buf)                                                      \
    A(gf_iatt_t *, preparent)                                                \
    A(gf_iatt_t *, postparent)                                               \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_lk(A)                                                    \
    A(gf_fd_t *, fd)                                                         \
    A(int32_t, cmd)                                                          \
    A(gf_flock_t *, flock)                                                   \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_lk(A)                                                    \
    A(gf_flock_t *, flock)                                                   \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_inodelk(A)                                               \
    A(const char *, volume)                                                  \
    A(gf_loc_t *, loc)                                                       \
    A(int32_t, cmd)                                                          \
    A(gf_flock_t *, flock)                                                   \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_inodelk(A)                                               \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_finodelk(A)                                              \
    A(const char *, volume)                                                  \
    A(gf_fd_t *, fd)                                                         \
    A(int32_t, cmd)                                                          \
    A(gf_flock_t *, flock)                                                   \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_finodelk(A)                                              \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_entrylk(A)                                               \
    A(const char *, volume)                                                  \
    A(gf_loc_t *, loc)                                                       \
    A(const char *, basename)                                                \
    A(int32_t, cmd)                                                          \
    A(int32_t, type)                                                         \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_entrylk(A)                                               \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_fentrylk(A)                                              \
    A(const char *, volume)                                                  \
    A(gf_fd_t *, fd)                                                         \
    A(const char *, basename)                                                \
    A(int32_t, cmd)                                                          \
    A(int32_t, type)                                                         \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_fentrylk(A)                                              \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_xattrop(A)                                               \
    A(gf_loc_t *, loc)                                                       \
    A(int32_t, optype)                                                       \
    A(gf_dict_t *, dict)                                                     \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_xattrop(A)                                               \
    A(gf_dict_t *, dict)                                                     \
    A(gf_dict_t *, xdata)

#define GF_FOP_ARGS_fxattrop(A)                                              \
    A(gf_fd_t *, fd)                                                         \
    A(int32_t, optype)                                                       \
    A(gf_dict_t *, dict)                                                     \
    A(gf_dict_t *, xdata)
#define GF_FOP_CBKS_fxattrop(A)                                              \
    A(gf_dict_t *, dict)                                                     \
    A(gf_dict_t *, xdata)

/* clang-format on */

/* cmd and type of entrylk and fentrylk, numbered as upstream's (and the
 * wire's) entrylk_cmd and entrylk_type. A NULL basename locks the whole
 * directory. lk, inodelk and finodelk take F_GETLK, F_SETLK or F_SETLKW
 * and a gf_flock_t of F_RDLCK, F_WRLCK or F_UNLCK from <fcntl.h>. */
enum {
    GF_ENTRYLK_LOCK = 0,
    GF_ENTRYLK_UNLOCK = 1,
    GF_ENTRYLK_LOCK_NB = 2,
};
enum {
    GF_ENTRYLK_RDLCK = 0,
    GF_ENTRYLK_WRLCK = 1,
};

#endif /* GF_FOP_TABLE_H */
