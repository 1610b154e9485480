/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* rtnetlink with libmnl, shared by netif.c, netif-addr.c and netif-zone.c; not for
 * other files (they use netif.h). */

#include <libmnl/libmnl.h>
#include <net/if.h>
#include <stdint.h>

#include "netif.h"

static inline void mnl_socket_closep(struct mnl_socket **nl) {
        if (*nl)
                (void) mnl_socket_close(*nl);
}

/* An rtnetlink socket (SOCK_CLOEXEC) in the calling thread's network namespace. */
int netif_open(struct mnl_socket **ret);
/* Sends one request with NLM_F_ACK and reads the kernel's answer: 0 or the
 * -errno it reported; cb (if any) sees each message of the answer (each
 * message of a dump, with NLM_F_DUMP). */
int netif_query(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
int netif_request(struct mnl_socket *nl, struct nlmsghdr *nlh);
/* An RTM_*LINK message for the link of index (0: none, or by IFLA_IFNAME)
 * in buf (MNL_SOCKET_BUFFER_SIZE bytes). */
struct nlmsghdr *link_message(char *buf, uint16_t type, uint16_t flags, int index);
/* IFF_UP on the link of index. */
int link_set_up(struct mnl_socket *nl, unsigned index);
/* Opens rtnetlink into *ret_nl and brings link index (ifname, for the
 * messages) up: the first steps of netif_configure().
 * Messages begin with what ("MACVLAN=eth0: bringing mv-eth0 up: ..."). */
int link_open_up(const char *what, const char *ifname, unsigned index, struct mnl_socket **ret_nl, SpawnError *err);
/* The link of index (or, with index 0, of name) in nl's namespace: its
 * current name in ret->name and what identifies it; -ENODEV: none. */
int link_get(struct mnl_socket *nl, int index, const char *name, NetifMoved *ret);
/* The same from one message of a link dump: 1 with *ret filled for an
 * RTM_NEWLINK, 0 for another message, -EBADMSG for a malformed one. */
int link_parse(const struct nlmsghdr *nlh, NetifMoved *ret);

/* The first ipvlan in nl's namespace on the link of index parent there
 * that is not in L2 mode: 1 and its name and mode (IPVLAN_MODE_L3, ...) in
 * ret_name and *ret_mode; 0 when there is none; else -errno. The kernel
 * has one mode for all ipvlans of a parent, which each new one sets. */
int netif_ipvlan_other_mode(struct mnl_socket *nl, unsigned parent, char ret_name[static IFNAMSIZ],
                            uint16_t *ret_mode);

/* systemd-nspawn's lock around its zones' bridges, at path (an OFD write
 * lock, as nspawn's F_OFD_SETLKW, on a file of root's alone, made if
 * missing), waited for timeout_sec at most (-EWOULDBLOCK after); a file its
 * last holder removed as it let go is made anew. 0 and the fd in *ret_fd,
 * or -EBADF there when the file cannot be made (no such directory, a
 * read-only or not our one: no nspawn of ours takes it there either); else
 * -errno. */
int netif_nspawn_zone_lock(const char *path, unsigned timeout_sec, int *ret_fd);
/* Removes path and closes fd (nothing with fd < 0), as nspawn lets go of it. */
void netif_nspawn_zone_unlock(const char *path, int fd);
