/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "macros.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);
DEFINE_TRIVIAL_CLEANUP_FUNC(FILE *, fclose);

/* fflush(f), then whether anything written to f failed: 0, or the -errno
 * of the failure (-ENOSPC of a full disk; -EIO where none was said), as
 * systemd's fflush_and_check(). */
int fflush_and_check(FILE *f);

/* After a part of a long output to f: *error, while still 0, takes the
 * errno of the write that failed, if one did (ferror()), while errno still
 * holds it. ferror() alone does not tell the cause, and by the final flush
 * it may be gone: a buffer that failed as it filled up is dropped, and
 * fflush() then has nothing to write and succeeds. */
void file_note_write_error(FILE *f, int *error);

/* fflush_and_check(f), but an error file_note_write_error() noted wins:
 * 0, or the -errno of the first write that failed. */
int fflush_and_check_noted(FILE *f, int error);

/* A DIR of dirfd/path ("." for dirfd's own directory) with an fd of its own
 * (O_CLOEXEC): the caller keeps dirfd. NULL with errno set. */
DIR *opendir_at(int dirfd, const char *path);

/* The null device (1:3), under whatever name: systemd's mask, and what
 * a service's StandardInput=null is. */
bool stat_is_null_device(const struct stat *st);

/* fd moved to 3 or above (O_CLOEXEC; the original closed), where a closed fd
 * 0, 1 or 2 would have put it: a child's dup2() onto those then always
 * makes a copy, and none becomes a stdio fd of that number by accident.
 * fd itself when it is one already or negative; -errno. */
int fd_above_stdio(int fd);

/* Ours alone: owned by our euid, and neither group nor others may write it.
 * What a cache of ours trusts (a file of its, its directory). */
bool stat_ours_alone(const struct stat *st);

/* The same file: device and inode. */
static inline bool stat_same_inode(const struct stat *a, const struct stat *b) {
        return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* "/dev/NAME" of the block device d, from the DEVNAME of its sysfs uevent
 * (the kernel's name for its node); "" where sysfs has none, or buf is
 * too small. */
void block_device_node(dev_t d, char *buf, size_t n);

/* The filesystem magic (statfs f_type) of what fd refers to. */
int fs_magic_of(int fd, int64_t *ret);

/* Whether path is prefix or lies below it, component by component ("/a/b"
 * is below "/a" and "/a/", not "/ab"; any prefix is below "/"). */
bool path_is_below(const char *path, const char *prefix);

/* The next component of *path (its length in *ret_n), *path moved past it;
 * "//" and "." are none, as in systemd's path_find_first_component(). NULL
 * at the end. */
const char *path_next_component(const char **path, size_t *ret_n);

/* FNV-1a, 64 bits: for naming a file after what it holds (a cache), never
 * for trusting what a file of that name holds. */
uint64_t hash_fnv1a64(const void *p, size_t n) _pure_;

/* Opens path for reading a text file that must end: a regular file of at
 * most max bytes, or the null device (systemd's mask, read as empty; its
 * *ret_size is 0). O_NONBLOCK, so that a FIFO cannot hang the open() (it is
 * refused), O_NOCTTY, O_CLOEXEC. -EISDIR for a directory, -EBADFD for any
 * other kind of file (a device or FIFO may never end, or block), -EFBIG when
 * larger; else the -errno of open()/fstat(). */
int open_text_file(const char *path, uint64_t max, int *ret_fd, uint64_t *ret_size);

/* How read_full_fd() keeps what it reads. */
typedef enum ReadFullFlags {
        /* Every copy erased before its memory is freed (a credential, a
         * unit that may hold one): grown by malloc()+copy+erase, never
         * realloc(), which would leave the old block behind unerased; the
         * buffer is kept at the file's size. */
        READ_FULL_SECRET      = 1 << 0,
        /* The null device reads as empty (systemd's mask, as
         * open_text_file()); else it is refused as any device. */
        READ_FULL_NULL_DEVICE = 1 << 1,
} ReadFullFlags;

/* The whole of fd, opened already (read from its current offset): a
 * regular file of at most max bytes, however much its size says (procfs
 * says 0) or it grows while read. fstat()ed before the first read(), so a
 * FIFO or device is never read (it may never end, or block): -EISDIR for a
 * directory, -EBADFD for any other kind of file, -EFBIG beyond max (by its
 * size, or once max + 1 bytes came); else fstat()'s or read()'s -errno, or
 * -ENOMEM. *ret is NUL-terminated (never NULL: "" for an empty file),
 * *ret_size its bytes before the NUL; with READ_FULL_SECRET the caller
 * erases *ret_size + 1 bytes before free() (all that was ever written). */
int read_full_fd(int fd, size_t max, ReadFullFlags flags, char **ret, size_t *ret_size);

/* The same for dir_fd/path, opened O_RDONLY|O_NONBLOCK|O_NOCTTY|O_CLOEXEC
 * and open_flags (O_NOFOLLOW: -ELOOP for a link). O_NONBLOCK: a FIFO cannot
 * hang the open() (it is refused after it); a socket fails to open
 * (-ENXIO); else open()'s -errno. */
int read_full_file_at(int dir_fd, const char *path, int open_flags, size_t max, ReadFullFlags flags, char **ret,
                      size_t *ret_size);

/* All size bytes of data to fd, write() again after a short one or EINTR;
 * -errno of the write that failed, -EIO for one that wrote nothing. */
int write_all(int fd, const void *data, size_t size);
/* The same with pwrite(), at offset. */
int pwrite_all(int fd, const void *data, size_t size, off_t offset);

/* The temporary name write_file_atomic_at() gives name in its directory,
 * ".#NAME.cell-new": one per target, never per writer, so that a writer
 * killed before its rename leaves one file there at most, which the next
 * write replaces. -ENAMETOOLONG when buf (or a file name) is too short. */
int atomic_tmp_name(const char *name, char *buf, size_t n);

/* dir_fd/name holds the size bytes of data, whole or not at all (systemd's
 * WRITE_STRING_FILE_ATOMIC, without the fsync): written into a new inode
 * without a name (O_TMPFILE), linked at the temporary name only once
 * whole, renamed over name. A temporary file already there (a killed
 * writer's, whole) is replaced. Two writers at once (two instances on one
 * Directory=): the last rename wins, each file whole. like: the new file gets its owner and mode
 * (a file written over keeps them), else mode (umask applies). name itself
 * is replaced, never followed or written into. A file system without
 * O_TMPFILE: written under the temporary name. -EBUSY from the rename when
 * name is a mount point. */
int write_file_atomic_at(int dir_fd, const char *name, const void *data, size_t size, mode_t mode,
                         const struct stat *like);
