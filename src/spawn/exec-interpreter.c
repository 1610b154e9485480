/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "exec-interpreter.h"
#include "macros.h"
#include "mount-util.h"
#include "plan.h"
#include "spawn-env.h"

/* The kernel reads this much of a file to tell its format (BINPRM_BUF_SIZE). */
#define EXEC_HEAD_MAX 256

static bool missing(const char *path) {
        return access(path, F_OK) < 0 && errno == ENOENT;
}

/* PT_INTERP of an ELF program of our own class into buf; 0 when it has none
 * (static) or is no such program. */
static int elf_interpreter(int fd, char *buf, size_t size) {
        ElfW(Ehdr) eh;
        ElfW(Phdr) ph;

        if (pread(fd, &eh, sizeof eh, 0) != (ssize_t) sizeof eh ||
            memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
            eh.e_ident[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) ||
            eh.e_phentsize != sizeof ph)
                return 0;
        for (unsigned i = 0; i < eh.e_phnum; i++) {
                if (pread(fd, &ph, sizeof ph, (off_t) (eh.e_phoff + (ElfW(Off)) i * sizeof ph)) != (ssize_t) sizeof ph)
                        return 0;
                if (ph.p_type != PT_INTERP)
                        continue;
                if (ph.p_filesz < 2 || ph.p_filesz > size ||
                    pread(fd, buf, ph.p_filesz, (off_t) ph.p_offset) != (ssize_t) ph.p_filesz ||
                    buf[ph.p_filesz - 1] != 0)
                        return 0;
                return 1;
        }
        return 0;
}

/* The interpreter of fd's "#!" line, in head (EXEC_HEAD_MAX + 1 bytes); NULL
 * when it has none. As the kernel: blanks after "#!", then the path up to a
 * blank or the line's end. */
static char *script_interpreter(int fd, char *head) {
        ssize_t n = pread(fd, head, EXEC_HEAD_MAX, 0);
        char *interp;

        if (n < 2 || head[0] != '#' || head[1] != '!')
                return NULL;
        head[n] = 0;
        interp = head + 2 + strspn(head + 2, " \t");
        interp[strcspn(interp, " \t\n")] = 0;
        return *interp ? interp : NULL;
}

/* The program's ELF interpreter when it is missing, into buf. */
static int missing_elf_interpreter(const char *path, char *buf, size_t size) {
        _cleanup_close_ int fd = open(path, O_RDONLY|O_CLOEXEC|O_NOCTTY|O_NONBLOCK);

        if (fd < 0)
                return negative_errno();
        return elf_interpreter(fd, buf, size) > 0 && missing(buf);
}

int exec_missing_interpreter(const char *path, char *ret, size_t size) {
        _cleanup_close_ int fd = -EBADF;
        char head[EXEC_HEAD_MAX + 1], loader[PATH_MAX];
        struct stat st;

        fd = open(path, O_RDONLY|O_CLOEXEC|O_NOCTTY|O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return 0;

        if (elf_interpreter(fd, loader, sizeof loader) > 0) {
                if (!missing(loader))
                        return 0;
                (void) snprintf(ret, size, "its ELF interpreter %s (the dynamic loader) does not exist in "
                                "the container", loader);
                return 1;
        }

        char *interp = script_interpreter(fd, head);
        if (!interp)
                return 0;
        if (missing(interp)) {
                (void) snprintf(ret, size, "its interpreter %s does not exist in the container", interp);
                return 1;
        }
        if (missing_elf_interpreter(interp, loader, sizeof loader) > 0) {
                (void) snprintf(ret, size, "its interpreter %s needs the ELF interpreter %s, which does not "
                                "exist in the container", interp, loader);
                return 1;
        }
        return 0;
}

/* The kernel follows at most this many "#!" lines (BINPRM_MAX_RECURSION). */
#define EXEC_SCRIPT_DEPTH_MAX 4

/* path, as the kernel would open it to run it, without a /proc "magic"
 * link on the way: -ELOOP (into ret) when one is there. */
static int open_no_magic(const char *path, const char *role, char *ret, size_t size) {
        int fd = mount_openat2(AT_FDCWD, path, O_RDONLY|O_NOCTTY|O_NONBLOCK, RESOLVE_NO_MAGICLINKS);
        _cleanup_close_ int any = -EBADF;

        if (fd != -ELOOP)
                return fd;
        /* ELOOP is also a loop of plain links: the kernel's execve says so itself. */
        any = open(path, O_PATH|O_CLOEXEC);
        if (any < 0)
                return -ENOENT;
        /* role "": the file itself; else "its interpreter PATH: ". */
        (void) snprintf(ret, size, "%s%s%s" PLAN_EXEC_MAGIC_LINK_REFUSED, role, *role ? path : "",
                        *role ? ": " : "");
        return -ELOOP;
}

int exec_check_magic_links(const char *path, char *ret, size_t size) {
        char cur[PATH_MAX], loader[PATH_MAX], head[EXEC_HEAD_MAX + 1];

        if (strlen(path) >= sizeof cur)
                return 0;
        strcpy(cur, path);
        for (unsigned depth = 0; depth <= EXEC_SCRIPT_DEPTH_MAX; depth++) {
                _cleanup_close_ int fd = -EBADF;

                fd = open_no_magic(cur, depth == 0 ? "" : "its interpreter ", ret, size);
                if (fd == -ELOOP)
                        return fd;
                if (fd == -ENOSYS)
                        return 0;       /* no openat2 (before Linux 5.6): nothing to check with */
                if (fd < 0)
                        return 0;       /* the exec names what is wrong (or it may open what we cannot) */

                if (elf_interpreter(fd, loader, sizeof loader) > 0) {
                        _cleanup_close_ int lfd = open_no_magic(loader, "its ELF interpreter ", ret, size);

                        return lfd == -ELOOP ? lfd : 0;
                }
                /* The kernel runs the interpreter of the "#!" line by its path: one more to check. */
                const char *interp = script_interpreter(fd, head);
                if (!interp)
                        return 0;
                strcpy(cur, interp);
        }
        return 0;
}

/* At most this much of a $PATH is shown: the message has room for 512 bytes. */
#define EXEC_PATH_SHOWN_MAX 300

void exec_not_found_in_path(const char *path, char *ret, size_t size) {
        bool relative = false;

        if (!path) {
                (void) snprintf(ret, size, "not found in the container (no $PATH: looked up in %s)",
                                SPAWN_DEFAULT_PATH);
                return;
        }
        if (!*path) {
                (void) snprintf(ret, size, "not found in the container ($PATH is empty)");
                return;
        }
        /* spawn_find_exec() skips them: they would be looked up from cell's cwd. */
        for (const char *e = path; *e; e += strcspn(e, ":"), e += *e == ':')
                if (*e != ':' && *e != '/')
                        relative = true;
        (void) snprintf(ret, size, "not found in the container's $PATH (%.*s%s)%s", EXEC_PATH_SHOWN_MAX, path,
                        strlen(path) > EXEC_PATH_SHOWN_MAX ? "..." : "",
                        relative ? ", whose relative entries are not searched" : "");
}
