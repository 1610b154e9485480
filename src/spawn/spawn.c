/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "netfw.h"
#include "netif.h"
#include "spawn-child.h"
#include "spawn-sched.h"
#include "spawn-tree.h"
#include "spawn-users.h"
#include "spawn.h"

static int message_send(int sock, SpawnMessageType type, uint32_t index, const SpawnError *error, int fd) {
        SpawnMessage m = { .type = type, .index = index };
        struct iovec iov = { .iov_base = &m, .iov_len = sizeof m };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (error)
                m.error = *error;
        if (fd >= 0) {
                struct cmsghdr *c;

                mh.msg_control = &control;
                mh.msg_controllen = sizeof control;
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }

        for (;;) {
                if (sendmsg(sock, &mh, MSG_NOSIGNAL) >= 0)
                        return 0;
                if (errno != EINTR)
                        return -errno;
        }
}

int spawn_message_send(int sock, SpawnMessageType type, const SpawnError *error, int fd) {
        return message_send(sock, type, 0, error, fd);
}

int spawn_message_send_index(int sock, SpawnMessageType type, uint32_t index, int fd) {
        return message_send(sock, type, index, NULL, fd);
}

int spawn_message_recv(int sock, SpawnMessage *ret, int *ret_fd) {
        SpawnMessage m = {};
        struct iovec iov = { .iov_base = &m, .iov_len = sizeof m };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct msghdr mh = {
                .msg_iov = &iov, .msg_iovlen = 1,
                .msg_control = &control, .msg_controllen = sizeof control,
        };
        ssize_t n;
        int fd = -EBADF;

        /* ECONNRESET: the peer went with a message of ours unread. The kernel
         * says so once, ahead of what the peer sent before it went -- its
         * ERROR, the reason it went -- which the next call reads (then EOF). */
        do
                n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && (errno == EINTR || errno == ECONNRESET));
        if (n < 0)
                return -errno;

        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
                    c->cmsg_len == CMSG_LEN(sizeof(int)))
                        memcpy(&fd, CMSG_DATA(c), sizeof(int));

        if (n == 0) {
                safe_close(fd);
                return 0;
        }
        if ((size_t) n != sizeof m || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
                safe_close(fd);
                return -EBADMSG;
        }
        m.error.message[sizeof m.error.message - 1] = 0;
        *ret = m;
        if (ret_fd)
                *ret_fd = fd;
        else
                safe_close(fd);
        return 1;
}

static pid_t spawn_clone(uint64_t flags, int cgroup_fd, int *ret_pidfd, bool *ret_into_cgroup) {
        int pidfd = -EBADF;
        struct clone_args args = {
                .flags = flags | CLONE_PIDFD,
                .pidfd = (uint64_t) (uintptr_t) &pidfd,
                .exit_signal = SIGCHLD,
        };
        long pid;

        if (cgroup_fd >= 0) {
                /* Born inside its cgroup: not a single instruction of the
                 * child runs outside it. */
                args.flags |= CLONE_INTO_CGROUP;
                args.cgroup = (uint64_t) cgroup_fd;
        }

        pid = syscall(SYS_clone3, &args, sizeof args);
        if (pid < 0 && errno == ENOSYS && cgroup_fd < 0) {
                /* No clone3: clone() knows CLONE_PIDFD too (5.2+); the
                 * pidfd comes back through parent_tid. */
                pid = syscall(SYS_clone, (unsigned long) (flags | CLONE_PIDFD | SIGCHLD), NULL, &pidfd, NULL, NULL);
        }
        if (pid < 0)
                return -errno;
        if (pid == 0)
                return 0;

        *ret_pidfd = pidfd;
        *ret_into_cgroup = cgroup_fd >= 0;
        return (pid_t) pid;
}

typedef struct TreeKeeper {
        MountIdmapTrees trees;
        size_t n_mounts;
} TreeKeeper;

static int keep_tree(uint32_t index, int fd, void *userdata) {
        TreeKeeper *k = userdata;
        int copy;

        /* The caller keeps its fd. */
        copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (copy < 0)
                return -errno;
        return spawn_tree_keep(&k->trees, k->n_mounts, index, copy);
}

/* PrivateUsers=: the maps, the idmapped trees, and the builder that makes
 * the tree with them (spawn-tree.c). */
static int spawn_users(Spawn *s, const Plan *p, SpawnError *err) {
        TreeKeeper k = { .trees = MOUNT_IDMAP_TREES_NULL, .n_mounts = p->n_mounts };
        int r;

        r = spawn_users_write_maps(s->pid, p, &s->users, err);
        if (r < 0)
                return r;
        r = spawn_users_make_trees(s->pid, p, keep_tree, &k, err);
        if (r >= 0) {
                k.trees.owner = s->users.base;
                r = spawn_tree_build(p, &k.trees, s->pidfd, s->sync_fd, &s->builder_pidfd, err);
        }
        /* The builder has its copies. */
        spawn_tree_trees_done(&k.trees);
        return r;
}

/* Interface=: each host interface into the container's network namespace,
 * which is held from now on so that they can be moved back out of it
 * (spawn_done(), "cell __finish"), also when the start fails later. */
static int spawn_interfaces(Spawn *s, const Plan *p, SpawnError *err) {
        char path[64];
        int r;

        if (p->n_interfaces == 0)
                return 0;
        s->moved = calloc(p->n_interfaces, sizeof(NetifMoved));
        if (!s->moved)
                return spawn_error(err, ENOMEM, "Interface=");
        /* Our child, not reaped: the PID is still its. */
        (void) snprintf(path, sizeof path, "/proc/%d/ns/net", (int) s->pid);
        s->netns_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (s->netns_fd < 0)
                return spawn_error(err, errno, "Interface=: opening %s", path);
        for (size_t i = 0; i < p->n_interfaces; i++) {
                r = netif_move_in(p->interfaces[i].host, s->netns_fd, &s->moved[s->n_moved], err);
                if (r < 0)
                        return r;
                s->n_moved++;
        }
        return 0;
}

/* VirtualEthernet=: host0 and its host side (ve-NAME, vb-NAME on a
 * bridge), alone, on Bridge=, or on Zone='s bridge (made on demand); with
 * nspawn's MAC addresses when there is a machine ID. */
static int spawn_veth(Spawn *s, const Plan *p, const uint8_t *machine_id, SpawnError *err) {
        uint8_t host_mac[6], peer_mac[6];
        NetifVethPair pair = { .host = p->veth_host, .host_altname = p->veth_host_altname, .peer = "host0" };
        int r;

        if (!p->virtual_ethernet)
                return 0;
        if (machine_id) {
                netif_mac(NETIF_MAC_VETH_HOST, machine_id, p->name, 0, host_mac);
                netif_mac(NETIF_MAC_VETH_CONTAINER, machine_id, p->name, 0, peer_mac);
                pair.host_mac = host_mac;
                pair.peer_mac = peer_mac;
        }
        if (p->zone) {
                /* spawn_done()'s from now on, whatever happens next: it
                 * removes the bridge if it has no port (left) then. */
                s->zone = strdup(p->zone);
                if (!s->zone)
                        return spawn_error(err, ENOMEM, "Zone=");
                r = netif_zone_join(p->zone, &pair, s->pid, err);
        } else if (p->bridge) {
                char what[IFNAMSIZ + 8];

                (void) snprintf(what, sizeof what, "Bridge=%s", p->bridge);
                r = netif_veth_create(what, &pair, s->pid, p->bridge, err);
        } else
                r = netif_veth_create("VirtualEthernet=yes", &pair, s->pid, NULL, err);
        if (r < 0)
                return r;
        /* Remembered by index: the name may be someone else's later. */
        s->veth_index = (int) if_nametoindex(p->veth_host);
        return 0;
}

/* VirtualEthernetExtra=: a pair each, on no bridge, with nspawn's MAC
 * addresses (by the pair's position) when there is a machine ID; each host
 * side is remembered as soon as it is made, for spawn_done(). */
static int spawn_veth_extras(Spawn *s, const Plan *p, const uint8_t *machine_id, SpawnError *err) {
        int r;

        if (p->n_veth_extras == 0)
                return 0;
        s->extras = calloc(p->n_veth_extras, sizeof(NetifVeth));
        if (!s->extras)
                return spawn_error(err, ENOMEM, "VirtualEthernetExtra=");
        for (size_t i = 0; i < p->n_veth_extras; i++) {
                const PlanLink *e = p->veth_extras + i;
                NetifVeth *v = s->extras + s->n_extras;
                NetifVethPair pair = { .host = e->host, .peer = e->name };
                uint8_t host_mac[6], peer_mac[6];
                char what[2 * IFNAMSIZ + 32];

                if (machine_id) {
                        netif_mac(NETIF_MAC_VETH_EXTRA_HOST, machine_id, p->name, i, host_mac);
                        netif_mac(NETIF_MAC_VETH_EXTRA_CONTAINER, machine_id, p->name, i, peer_mac);
                        pair.host_mac = host_mac;
                        pair.peer_mac = peer_mac;
                }
                (void) snprintf(what, sizeof what, "VirtualEthernetExtra=%s:%s", e->host, e->name);
                r = netif_veth_create(what, &pair, s->pid, NULL, err);
                if (r < 0)
                        return r;
                v->index = (int) if_nametoindex(e->host);
                (void) snprintf(v->name, sizeof v->name, "%s", e->host);
                s->n_extras++;
        }
        return 0;
}

/* VirtualEthernet= (Bridge=, Zone=), VirtualEthernetExtra=, Interface=,
 * MACVLAN=, IPVLAN=, Port=: the host's side, in the supervisor's network
 * namespace. The container's side (the links up, Address=, Gateway=) is
 * done by the child, which is in its network namespace already. */
static int spawn_network(Spawn *s, const Plan *p, SpawnError *err) {
        uint8_t machine_id[16];
        bool have_id = false;
        int r;

        /* Every host interface named is there before anything is made or
         * moved: a missing one fails the start with nothing to undo. */
        for (size_t i = 0; i < p->n_interfaces; i++)
                if ((r = netif_check_host("Interface", p->interfaces[i].host, err)) < 0)
                        return r;
        for (size_t i = 0; i < p->n_macvlans; i++)
                if ((r = netif_check_host("MACVLAN", p->macvlans[i].host, err)) < 0)
                        return r;
        for (size_t i = 0; i < p->n_ipvlans; i++)
                if ((r = netif_check_host("IPVLAN", p->ipvlans[i].host, err)) < 0)
                        return r;
        if (p->bridge && (r = netif_check_host("Bridge", p->bridge, err)) < 0)
                return r;

        r = spawn_interfaces(s, p, err);
        if (r < 0)
                return r;
        /* No machine ID: the kernel's random addresses, new at each start. */
        if (p->n_macvlans > 0 || p->virtual_ethernet || p->n_veth_extras > 0)
                have_id = netif_machine_id(machine_id) >= 0;
        /* Made straight in the container's namespace: nothing of them is
         * on the host, and they go away with that namespace. */
        for (size_t i = 0; i < p->n_macvlans; i++) {
                uint8_t mac[6];

                if (have_id)
                        netif_mac(NETIF_MAC_MACVLAN, machine_id, p->name, i, mac);
                r = netif_vlan_create("macvlan", p->macvlans[i].host, p->macvlans[i].name, have_id ? mac : NULL,
                                      s->pid, err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < p->n_ipvlans; i++)
                if ((r = netif_vlan_create("ipvlan", p->ipvlans[i].host, p->ipvlans[i].name, NULL, s->pid, err)) < 0)
                        return r;

        r = spawn_veth(s, p, have_id ? machine_id : NULL, err);
        if (r < 0)
                return r;
        r = spawn_veth_extras(s, p, have_id ? machine_id : NULL, err);
        if (r < 0)
                return r;

        if (p->n_ports == 0)
                return 0;
        s->netfw_table = netfw_table_name(p->name);
        if (!s->netfw_table)
                return spawn_error(err, ENOMEM, "Port=");
        return netfw_ports_add(p, s->netfw_table, err);
}

/* Sending to the child failed: r is -EPIPE (or the like) when it has gone
 * already. Whatever it said before it went -- its ERROR, or the tree
 * builder's that it passed on -- is queued on our end, and is the failure
 * to report: the first error wins, not our send's. */
static int spawn_send_failed(Spawn *s, int r, const char *what, SpawnError *err) {
        SpawnMessage m;

        if (r != -EPIPE && r != -ECONNRESET && r != -ECONNREFUSED && r != -ENOTCONN)
                return spawn_error(err, r, "%s", what);
        /* Its end is closed: this never blocks. */
        r = spawn_message_recv(s->sync_fd, &m, NULL);
        if (r > 0 && m.type == SPAWN_MSG_ERROR) {
                *err = m.error;
                return -(m.error.error ?: EIO);
        }
        return spawn_error(err, ECHILD, "the container's init died during setup");
}

int spawn_start(const SpawnParams *params, Spawn *ret, SpawnError *err) {
        const Plan *p = params->plan;
        _cleanup_(spawn_kill) Spawn s = SPAWN_NULL;
        uint64_t flags;
        int pair[2], r;
        pid_t pid;

        s.plan = p;
        /* The range (and for pick its lock) before clone: a start that
         * cannot get one leaves nothing behind. */
        if (p->namespaces & CLONE_NEWUSER) {
                r = uid_range_acquire(p, NULL, &s.users, err);
                if (r < 0)
                        return r;
        }

        /* SEQPACKET keeps message boundaries, and CLOEXEC turns a successful
         * exec into EOF on the supervisor's side. */
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return spawn_error(err, errno, "creating the sync socket");

        /* CLONE_NEWTIME is not passed to clone: a process cloned into a new
         * time namespace is in it at once, and offsets can only be written
         * before any process entered. The child unshares it itself (see
         * child.c). CLONE_NEWCGROUP waits until the child is in its cgroup. */
        flags = p->namespaces & ~(uint64_t) (CLONE_NEWTIME | CLONE_NEWCGROUP);
        if (spawn_child_unshares_net(p))
                flags &= ~(uint64_t) CLONE_NEWNET;
        if (p->namespaces & CLONE_NEWUSER) {
                /* The child starts in our private mount namespace and copies
                 * it once the builder is done: so its mounts are locked. */
                r = spawn_tree_enter_private(&s.host_mntns, &s.host_cwd, err);
                if (r < 0) {
                        safe_close(pair[0]);
                        safe_close(pair[1]);
                        return r;
                }
                flags &= ~(uint64_t) CLONE_NEWNS;
        }
        pid = spawn_clone(flags, params->cgroup_fd, &s.pidfd, &s.into_cgroup);
        if (pid < 0) {
                safe_close(pair[0]);
                safe_close(pair[1]);
                return spawn_error(err, pid, "clone3 into new namespaces");
        }
        if (pid == 0) {
                safe_close(pair[0]);
                spawn_child(params, pair[1]);
        }

        s.pid = pid;
        s.sync_fd = pair[0];
        safe_close(pair[1]);

        if (p->namespaces & CLONE_NEWUSER) {
                r = spawn_users(&s, p, err);
                if (r < 0)
                        return r;
        }
        r = spawn_network(&s, p, err);
        if (r < 0)
                return r;
        if ((p->namespaces & CLONE_NEWUSER) || plan_network_has_links(p)) {
                r = spawn_message_send(s.sync_fd, SPAWN_MSG_IDMAP_DONE, NULL, -EBADF);
                if (r < 0)
                        return spawn_send_failed(&s, r, "talking to the child", err);
        }

        *ret = s;
        s = SPAWN_NULL;
        return 0;
}

/* Waits for the sync socket or the interrupt fd. */
static int spawn_poll(Spawn *s, int interrupt_fd) {
        struct pollfd fds[2] = {
                { .fd = s->sync_fd, .events = POLLIN },
                { .fd = interrupt_fd, .events = POLLIN },
        };

        for (;;) {
                if (poll(fds, interrupt_fd >= 0 ? 2 : 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (interrupt_fd >= 0 && (fds[1].revents & POLLIN))
                        return -EINTR;
                if (fds[0].revents)
                        return 0;
        }
}

/* One message, turning ERROR and EOF into failures. */
static int spawn_expect(Spawn *s, SpawnMessageType want, int interrupt_fd, int *ret_fd, SpawnError *err) {
        SpawnMessage m;
        int fd = -EBADF, r;

        r = spawn_poll(s, interrupt_fd);
        if (r < 0)
                return r;
        r = spawn_message_recv(s->sync_fd, &m, &fd);
        if (r < 0)
                return spawn_error(err, r, "reading from the child");
        if (r == 0)
                return spawn_error(err, ECHILD, "the container's init died during setup");
        if (m.type == SPAWN_MSG_ERROR) {
                safe_close(fd);
                *err = m.error;
                return -(m.error.error ?: EIO);
        }
        if (m.type != want) {
                safe_close(fd);
                return spawn_error(err, EBADMSG, "unexpected message %u from the child", m.type);
        }
        if (ret_fd)
                *ret_fd = fd;
        else
                safe_close(fd);
        return 0;
}

int spawn_wait_prepared(Spawn *s, int interrupt_fd, int *ret_notify_fd, SpawnError *err) {
        int r;

        r = spawn_expect(s, SPAWN_MSG_PREPARED, interrupt_fd, ret_notify_fd, err);
        /* The child made its copy of the tree before PREPARED (or failed):
         * the builder is done, and the namespace it built in can go. */
        spawn_tree_reap(&s->builder_pidfd, r < 0);
        spawn_tree_leave_private(&s->host_mntns, &s->host_cwd);
        return r;
}

int spawn_release(Spawn *s, SpawnError *err) {
        uint32_t go = 0;
        int r;

        /* The container's root owns its cgroup, so that an init system
         * inside can create and manage its subtree (Delegate=yes). */
        if (s->plan && (s->plan->namespaces & CLONE_NEWUSER)) {
                r = spawn_users_delegate_cgroup(s->pid, s->plan, &s->users, err);
                if (r < 0)
                        return r;
                if (r > 0)
                        go = SPAWN_GO_DELEGATED;
        }
        /* Nice=, CPUScheduling*=, IOScheduling*=, CPUAffinity= from here,
         * with our CAP_SYS_NICE, onto the child in its final cgroup
         * (spawn-sched.h says why). With Init=yes the payload sets
         * reset-on-fork itself: the reaper's fork must not reset it. */
        if (s->plan && plan_sched_any(&s->plan->sched)) {
                r = sched_apply(s->pid, &s->plan->sched, !s->plan->init, err);
                if (r < 0)
                        return r;
        }
        r = spawn_message_send_index(s->sync_fd, SPAWN_MSG_GO, go, -EBADF);
        if (r < 0)
                return spawn_send_failed(s, r, "releasing the child", err);
        return 0;
}

int spawn_wait_exec(Spawn *s, int interrupt_fd, SpawnError *err) {
        SpawnMessage m;
        int r;

        r = spawn_poll(s, interrupt_fd);
        if (r < 0)
                return r;
        r = spawn_message_recv(s->sync_fd, &m, NULL);
        if (r < 0)
                return spawn_error(err, r, "reading from the child");
        if (r > 0) {
                if (m.type != SPAWN_MSG_ERROR)
                        return spawn_error(err, EBADMSG, "unexpected message %u from the child", m.type);
                *err = m.error;
                return -(m.error.error ?: EIO);
        }
        /* EOF: the CLOEXEC end in the child went away with the exec. */
        s->sync_fd = safe_close(s->sync_fd);
        return 0;
}

/* The host side of the veth by its index, if it still is a "ve-" or "vb-"
 * veth of that index (the pair usually went away with the container's
 * namespace already; deleting it here makes "gone when cell returns"
 * exact). */
static void spawn_veth_remove(Spawn *s) {
        NetifVeth v = { .index = s->veth_index };

        if (s->veth_index > 0 && if_indextoname((unsigned) s->veth_index, v.name) &&
            (startswith(v.name, "ve-") || startswith(v.name, "vb-")))
                (void) netif_veth_remove(&v);
        s->veth_index = 0;
}

/* VirtualEthernetExtra=: as the veth's host side. The container side goes
 * with the pair; nothing is moved back. */
static void spawn_veth_extras_remove(Spawn *s) {
        for (size_t i = 0; i < s->n_extras; i++) {
                int r = netif_veth_remove(&s->extras[i]);
                if (r < 0)
                        log_warning_errno(r, "VirtualEthernetExtra=%s: cannot remove it from the host: %m",
                                          s->extras[i].name);
        }
        s->extras = mfree(s->extras);
        s->n_extras = 0;
}

/* Zone=: after the veth's host side is gone, the bridge if that was its
 * last port (another cell of the zone may still be on it, or joining). */
static void spawn_zone_leave(Spawn *s) {
        if (!s->zone)
                return;
        int r = netif_zone_leave(s->zone);
        if (r < 0)
                log_warning_errno(r, "Zone=%s: cannot remove the bridge %s: %m",
                                  startswith(s->zone, "vz-") ?: s->zone, s->zone);
        s->zone = mfree(s->zone);
}

/* Interface=: back into our network namespace before the container's goes
 * away (we hold it: no process of the container is left to), each one if it
 * still is the link that was moved in, then let it go. */
static void spawn_interfaces_return(Spawn *s) {
        for (size_t i = 0; s->netns_fd >= 0 && i < s->n_moved; i++) {
                const NetifMoved *m = &s->moved[i];
                char name[IFNAMSIZ];
                int r;

                r = netif_move_back(s->netns_fd, m, name);
                if (r == -ESTALE)
                        log_warning("Interface=%s: the link at index %d is not the one moved in; left in the container.",
                                    m->name, m->index);
                else if (r == -ENODEV)
                        log_warning("Interface=%s: no link at index %d in the container any more "
                                    "(the payload deleted it or moved it away).", m->name, m->index);
                else if (r > 0)
                        log_warning("Interface=%s: another interface has that name on the host now; "
                                    "moved back as %s.", m->name, name);
                else if (r < 0)
                        log_warning_errno(r, "Interface=%s: cannot move it back out of the container, "
                                          "it goes away with the container's network namespace "
                                          "(a physical one to the initial one): %m", m->name);
        }
        s->netns_fd = safe_close(s->netns_fd);
        s->moved = mfree(s->moved);
        s->n_moved = 0;
}

void spawn_done(Spawn *s) {
        spawn_tree_reap(&s->builder_pidfd, true);
        spawn_tree_leave_private(&s->host_mntns, &s->host_cwd);
        s->sync_fd = safe_close(s->sync_fd);
        s->pidfd = safe_close(s->pidfd);
        s->pid = 0;
        if (s->netfw_table) {
                (void) netfw_table_remove(s->netfw_table);
                s->netfw_table = mfree(s->netfw_table);
        }
        spawn_veth_remove(s);
        spawn_veth_extras_remove(s);
        spawn_zone_leave(s);
        spawn_interfaces_return(s);
        uid_range_release(&s->users);
}

void spawn_kill(Spawn *s) {
        if (s->pidfd >= 0) {
                siginfo_t si = {};

                /* The pidfd names exactly our child, even if the pid was
                 * reused; killing PID 1 of its namespace kills the rest. */
                (void) syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL, 0);
                while (waitid(P_PIDFD, (id_t) s->pidfd, &si, WEXITED) < 0 && errno == EINTR)
                        ;
        }
        spawn_done(s);
}
