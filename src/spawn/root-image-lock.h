/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Image=: the image's locks in ROOT_IMAGE_LOCK_DIR (root-image.h), as
 * systemd-nspawn locks an image: any number of read-only containers, or
 * one that writes to it. For root-image.c alone. */

#include <sys/stat.h>

/* The lock of what fd (st, opened and probed) is, flock'ed with op
 * (LOCK_SH read-only, LOCK_EX written), into *ret_fd; and where it is a
 * part of something else cell also takes as Image= -- a partition device
 * of its disk, a loop device that starts past the start of its file --
 * that whole's lock, held shared, into *ret_whole_fd (else -EBADF): a
 * start of the whole that writes it waits for no part of it to be in use,
 * nor a part's for the whole to be written. Returns 0; -EWOULDBLOCK when
 * the lock is held against op; -EBUSY when the whole is written by
 * another container (ret_whole, of size, then names it); -errno. */
int image_lock(int fd, const struct stat *st, int op, int *ret_fd, int *ret_whole_fd, char *ret_whole,
               size_t size);
