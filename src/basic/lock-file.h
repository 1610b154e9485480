/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Files held with flock(LOCK_EX) to claim a name among running cells (a
 * PrivateUsers=pick range in /run/cell/uid, a cgroupfs cell's name in
 * /run/cell/lock, a Port='s host port in /run/cell/port). The lock, not the file, is the truth: a file left by a
 * killed holder is taken over. A clean release removes the file while still
 * holding the lock; a taker checks after flock() that the file it locked is
 * still the one at its name, so a removal between its open() and its flock()
 * cannot give one name two holders. */

/* dir, and its parent, made 0755 where missing (only root writes there),
 * then opened O_PATH|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC into *ret_fd. */
int lock_dir_open(const char *dir, int *ret_fd);

/* Opens dir_fd/file O_RDWR|O_CLOEXEC, made 0600 if missing (an older one
 * of group or other access made 0600 now; a symlink there is refused):
 * whoever can open a lock file can flock() it and keep every cell from
 * it. 0 and the fd into *ret_fd, else -errno. */
int lock_file_open(int dir_fd, const char *file, int *ret_fd);

/* Takes dir_fd/file (opened by lock_file_open()):
 * 1 and the fd (O_CLOEXEC) into *ret_fd, with text written as the file's
 * contents, for a human and a message (the lock is what counts); 0 when
 * another process holds it; else -errno. */
int lock_file_take(int dir_fd, const char *file, const char *text, int *ret_fd);

/* As lock_file_take(), and when it returns 1, ret_previous (size > 0
 * bytes) holds what the file held before text replaced it, NUL-terminated
 * (cut to fit; "" for a new file): what the last holder, gone now, left
 * there (a Port='s lock, port-lock.h); untouched otherwise. text NULL:
 * the file is left as it was, for the caller to write through the fd. */
int lock_file_take_previous(int dir_fd, const char *file, const char *text, char *ret_previous, size_t size,
                            int *ret_fd);

/* What the holder of dir_fd/file wrote there (lock_file_take()'s text),
 * NUL-terminated in buf (n > 0 bytes, cut to fit): "" when it cannot be
 * read, or the holder has not written it yet (it writes after its flock()).
 * Only the file itself is opened (O_NOFOLLOW), never where a planted link
 * points. For the message of a start that another holder refused. */
void lock_file_read_text(int dir_fd, const char *file, char *buf, size_t n);

/* The places' shared locks (src/spawn/shared-lock.h), one file per
 * directory containers share, named after its identity. */
#define CELL_PLACE_LOCK_DIR "/run/cell/place-lock"
/* PrivateUsers=pick's slots (src/spawn/uid-range.h): LOCK_EX by the cell
 * that picked one, LOCK_SH by those whose fixed range overlaps it. */
#define CELL_UID_LOCK_DIR "/run/cell/uid"
/* Image='s locks (src/spawn/root-image.h): LOCK_SH by each container that
 * reads the image, LOCK_EX by the one that writes it. */
#define CELL_IMAGE_LOCK_DIR "/run/cell/image-lock"
/* MACVLAN='s addresses on their parents (src/spawn/netif-lock.h): LOCK_EX
 * by the cell whose macvlan has it. */
#define CELL_MACVLAN_LOCK_DIR "/run/cell/macvlan"

/* "inode-DEV:INO": the name of a lock file of what (dev, ino) is, the
 * same for every path that leads to it (the places', Image='s). */
void lock_file_inode_name(char *buf, size_t size, dev_t dev, ino_t ino);

/* Whether fd is still the file at dir_fd/file (not removed, or replaced,
 * since it was opened): what a taker checks after its flock(). */
bool lock_file_is_current(int dir_fd, const char *file, int fd);

/* Closes fd, a lock file held shared (LOCK_SH) by any number of holders
 * (the places' locks, src/spawn/shared-lock.h); the last holder removes it:
 * if no one else holds it (LOCK_EX|LOCK_NB succeeds), it is unlinked first,
 * when it is still the file at its name in dir. Takers check that after
 * their flock() (lock_file_is_current()) and open it again if not. */
void lock_file_release_shared(int fd, const char *dir);
/* The same, for a file of any of dirs (NULL-terminated): cell-monitor's,
 * which holds the places', the UID slots' and the images' alike. A lock
 * file of none of them is only closed. */
void lock_file_release_shared_any(int fd, const char *const *dirs);

/* flock(fd, op | LOCK_NB), tried again every 10 ms while another open file
 * holds a conflicting lock, timeout_msec at most: -EWOULDBLOCK then, another
 * -errno at once. Not a blocking wait: a holder that hangs (stopped, under a
 * debugger) must not hang every other taker, unsaid. */
int lock_fd_wait(int fd, int op, unsigned timeout_msec);
/* The same for an OFD write lock on the whole file (F_OFD_SETLK), as
 * systemd's make_lock_file() takes it. */
int lock_fd_wait_ofd(int fd, unsigned timeout_msec);

/* Whether process pid holds an flock() on the file (dev, ino): one of its
 * open files (/proc/PID/fd) is that file and holds the lock
 * (/proc/PID/fdinfo/FD lists it). The lock, not the PID its file holds,
 * tells who holds it. Side-effect free, unlike a try of the lock itself,
 * which a start of that moment would take for a holder. */
bool lock_file_held_by(pid_t pid, dev_t dev, ino_t ino);

/* The lock files in dir_fd (opened by lock_dir_open()) that no one holds:
 * what holders that were killed (SIGKILL) left, which no release removed.
 * Each is removed as a last holder removes its own (lock_file_release_shared()):
 * under LOCK_EX|LOCK_NB of ours, only while it is still the file at its
 * name; a file that anyone holds fails the try at once and stays. A taker
 * of a free file at that moment waits while the file is removed, and
 * then locks it anew, as after a last holder's removal. At most max_tries
 * files are tried: where there are more, those from the start-th on (modulo
 * their number, in the directory's order), so that each call costs little
 * on a host with thousands of them (4 us a try here, ten times that where a
 * system call is dear) and calls with varying starts try them all. For
 * directories whose takers check lock_file_is_current() after their
 * flock() and whose files mean nothing once free (the places'), not for
 * those whose files carry what a next holder reads (the ports'). The
 * number removed, or -errno. */
int lock_dir_sweep(int dir_fd, size_t max_tries, size_t start);
