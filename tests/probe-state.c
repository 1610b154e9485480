/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Part of the probe (probe.c): process state that execve keeps, each read
 * from where the kernel keeps it. "sigblk" is SigBlk: of /proc/self/status
 * (the blocked mask, hex), "session_leader" and "group_leader" whether
 * getsid()/getpgid() are our PID, "tty_nr" field 7 of /proc/self/stat (0:
 * no controlling terminal), "oom_score_adj" as /proc/self/oom_score_adj
 * says, "timerslack_ns" PR_GET_TIMERSLACK, "securebits" PR_GET_SECUREBITS,
 * "dumpable" PR_GET_DUMPABLE, "loginuid" and "sessionid" the audit
 * login UID and session (4294967295: unset). */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "probe-state.h"

/* A small file's first line, or "" on error. */
static void read_line(const char *path, char *buf, size_t size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;

        if (fd >= 0)
                close(fd);
        buf[n > 0 ? n : 0] = 0;
        buf[strcspn(buf, "\n")] = 0;
}

static void status_value(const char *name, char *buf, size_t size) {
        static char status[8192];
        size_t l = strlen(name);
        const char *p;

        int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, status, sizeof status - 1) : -1;

        if (fd >= 0)
                close(fd);
        status[n > 0 ? n : 0] = 0;
        buf[0] = 0;
        for (p = status; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
                if (strncmp(p, name, l) == 0 && p[l] == ':') {
                        p += l + 1;
                        p += strspn(p, " \t");
                        snprintf(buf, size, "%.*s", (int) strcspn(p, "\n"), p);
                        return;
                }
}

/* Field 7 of /proc/self/stat, counted after the ")" that ends the command name. */
static long stat_tty_nr(void) {
        char buf[1024], *p;

        read_line("/proc/self/stat", buf, sizeof buf);
        p = strrchr(buf, ')');
        /* ") S" is field 3: four more to the 7th. */
        for (int field = 2; p && field < 7; field++)
                p = strchr(p + 1, ' ');
        return p ? strtol(p + 1, NULL, 10) : -1;
}

void probe_state_json(void) {
        char sigblk[64], oom[32], loginuid[32], sessionid[32];

        status_value("SigBlk", sigblk, sizeof sigblk);
        read_line("/proc/self/oom_score_adj", oom, sizeof oom);
        read_line("/proc/self/loginuid", loginuid, sizeof loginuid);
        read_line("/proc/self/sessionid", sessionid, sizeof sessionid);
        printf("{\"sigblk\": \"%s\", \"session_leader\": %s, \"group_leader\": %s, \"tty_nr\": %ld, "
               "\"oom_score_adj\": %s, \"timerslack_ns\": %d, \"securebits\": %d, \"dumpable\": %d, "
               "\"loginuid\": %s, \"sessionid\": %s}",
               sigblk, getsid(0) == getpid() ? "true" : "false", getpgid(0) == getpid() ? "true" : "false",
               stat_tty_nr(), oom[0] ? oom : "null", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0),
               prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), prctl(PR_GET_DUMPABLE, 0, 0, 0, 0),
               loginuid[0] ? loginuid : "null", sessionid[0] ? sessionid : "null");
}
