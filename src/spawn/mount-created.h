/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What a start makes for the container -- its mount points, and what else
 * cell makes for it -- in the order it makes it, written to a record as it
 * goes, so that a start that fails (or a child killed halfway, through the
 * supervisor) can remove it again. Returns are 0 / an fd or -errno; nothing
 * logs. */

#include "mount-util.h"

typedef enum MountTargetType {
        MOUNT_TARGET_ANY,       /* must exist, any type; never created */
        MOUNT_TARGET_DIR,       /* a directory, created if missing */
        MOUNT_TARGET_FILE,      /* a non-directory, created as an empty regular file if missing */
} MountTargetType;

/* Like mount_resolve(), but creates the missing components inside the root
 * (directories 0755, the last one as type says) relative to the resolved
 * parent fds, then checks the type of what it found. Returns an O_PATH fd;
 * -ENOTDIR / -EISDIR when an existing object has the wrong type. */
int mount_target_ensure(int root_fd, const char *path, MountTargetType type, uint64_t extra_resolve);

/* What a start made, in the order it made it: so that a start that fails
 * can remove it again. Mount points (mount_target_ensure_recorded()), and
 * what else cell makes for the start: Volatile=state's /var, an Overlay=
 * upper and work directory, a new /etc/resolv.conf or /etc/localtime. */
typedef struct MountCreatedEntry {
        char *path;             /* inside the root, or on the host, as walked */
        bool host;              /* on the host: an Overlay= upper and work directory */
        /* Read back from a record (mount-record.h) written by a process
         * killed while it made this one: maybe made, its inode unknown. */
        bool pending;
        uint64_t since_nsec;    /* pending: when it was about to be made (CLOCK_REALTIME_COARSE) */
        mode_t type;            /* S_IFDIR, S_IFREG or S_IFLNK */
        uint64_t mnt_id;        /* the mount it was made on */
        uint32_t dev_major, dev_minor;
        uint64_t ino;           /* what it was: removed only if it still is */
        uint64_t size;          /* a file's or link's, as made (pending: at most) ... */
        struct statx_timestamp mtime;   /* ... and when: not written since */
} MountCreatedEntry;

typedef struct MountCreated {
        MountCreatedEntry *entries;
        size_t n;
        bool host;              /* what is added now is on the host (the caller says) */
        /* Not owned: the record each entry is written to as it is made
         * (mount-record.h), for the supervisor; -EBADF: none. */
        int record_fd;
        /* The mounts of new, empty tmpfs instances this process attached in
         * the container's tree (mount_created_fresh()): what is made on
         * them is gone with the container's mount namespace, never in the
         * image or on the host, so it is neither recorded nor listed. */
        uint64_t fresh_mnt_ids[8];
        size_t n_fresh;
} MountCreated;

/* The slot of an object made on a fresh mount: nothing to record. */
#define MOUNT_SLOT_FRESH INT64_C(-2)

#define MOUNT_CREATED_NULL ((MountCreated) { .record_fd = -EBADF })

/* mount_target_ensure(), recording in *created (NULL: nothing) every
 * component it made. */
int mount_target_ensure_recorded(int root_fd, const char *path, MountTargetType type, uint64_t extra_resolve,
                                 MountCreated *created);

/* mnt_id is the mount of a new tmpfs this process made and attached in the
 * container's tree (past the first few, it is recorded as any other). */
void mount_created_fresh(MountCreated *created, uint64_t mnt_id);
/* Whether parent_fd lies on one of those (never for what is on the host). */
bool mount_created_on_fresh(const MountCreated *created, int parent_fd);

/* Before name is made below parent_fd: its entry in created's record
 * (path, type and at most size as mount_record_announce() takes them),
 * *ret_slot its place (-1: no record, or created NULL; MOUNT_SLOT_FRESH:
 * parent_fd is on a fresh mount, and the object is neither recorded nor
 * listed). A failure leaves nothing made: the caller does not make it. */
int mount_created_announce(MountCreated *created, int parent_fd, const char *path, mode_t type, uint64_t size,
                           int64_t *ret_slot);
/* Records name below parent_fd, as it is now, as made by the start, and
 * completes the entry of slot in the record (-1: none); path is where it
 * is inside the root, or on the host with created->host (from the fds
 * that undo is given). created NULL: nothing. */
int mount_created_add(MountCreated *created, int64_t slot, int parent_fd, const char *name, const char *path);
/* The object of slot was not made (it was there, or the making failed). */
void mount_created_drop(MountCreated *created, int64_t slot);

/* For the removal, after ReadOnly= sealed the root: every mount an entry
 * in the root was made on was writable then, and is made writable again
 * (only that mount, not what is below it). */
void mount_created_unseal(const MountCreated *created, int root_fd);

/* After a failure, in the builder's private mount namespace: removes the
 * entries, those in the root from root_fd, those on the host from host_fd
 * (-EBADF: they stay), the last made first (so below before above), each after
 * detaching what is mounted on it (nothing but our own mounts can be: the
 * namespace is private and the entry new), and only while it is still the
 * object made: a directory that is empty, a file or link of the size and
 * modification time it was made with. A pending entry, whose inode is not
 * known, only while it looks made by this start: of its type, on its
 * parent's file system, born (or changed) since it was announced, a
 * directory empty, a file or link no bigger than announced. Best effort:
 * what cannot go stays. Frees them, and clears created's record: nothing
 * is left for the supervisor to take back. Works from each parent as the
 * cwd, and restores it. */
void mount_created_undo(MountCreated *created, int root_fd, int host_fd);
void mount_created_done(MountCreated *created);
