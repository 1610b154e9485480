/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cell exec runs from a sealed copy of its own binary (as runc does against
 * CVE-2019-5736): its command is exec'd from a process whose /proc/PID/exe,
 * until that exec, is cell's binary. A container of the host's root (no
 * PrivateUsers=) whose processes swap a path between cell's check of it
 * (exec_check_magic_links()) and the exec could have the kernel run that
 * binary in the container and reopen it for writing. A copy in a sealed
 * memfd is no file of the host's: a write to it is refused (EPERM). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec-sealed.h"
#include "log.h"
#include "macros.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define SEALED_ENV "CELL_EXEC_SEALED_COPY"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static int sealed_copy(void) {
        _cleanup_close_ int src = -EBADF, fd = -EBADF;
        struct stat st;
        off_t off = 0;

        src = open("/proc/self/exe", O_RDONLY|O_CLOEXEC);
        if (src < 0 || fstat(src, &st) < 0)
                return negative_errno();
        /* MFD_EXEC: executable where vm.memfd_noexec makes memfds not so by
         * default (Linux 6.3); older kernels know no such flag. */
        fd = memfd_create("cell", MFD_CLOEXEC|MFD_ALLOW_SEALING|MFD_EXEC);
        if (fd < 0 && errno == EINVAL)
                fd = memfd_create("cell", MFD_CLOEXEC|MFD_ALLOW_SEALING);
        if (fd < 0)
                return negative_errno();
        while (off < st.st_size) {
                ssize_t n = sendfile(fd, src, &off, (size_t) (st.st_size - off));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        return -EIO;
        }
        if (fcntl(fd, F_ADD_SEALS, SEALS) < 0)
                return negative_errno();
        return TAKE_FD(fd);
}

int exec_run_sealed(int argc, char *argv[]) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char **args = NULL;
        int r;

        /* The copy knows itself by the variable set for it, taken out of the
         * environment at once, before any of it reaches the command. */
        if (getenv(SEALED_ENV)) {
                (void) unsetenv(SEALED_ENV);
                /* comm was the fd's number ("3"): "cell" again, as ps shows it. */
                (void) prctl(PR_SET_NAME, "cell");
                return 0;
        }
        fd = sealed_copy();
        if (fd < 0)
                return fd;
        /* argv is the verb's ("cell exec" first): the name we were run by (as
         * ps and pgrep -f show it), "exec" and the rest. */
        args = calloc((size_t) argc + 2, sizeof(char *));
        if (!args)
                return -ENOMEM;
        args[0] = program_invocation_name;
        args[1] = (char *) "exec";
        for (int i = 1; i < argc; i++)
                args[i + 1] = argv[i];
        if (setenv(SEALED_ENV, "1", 1) < 0)
                return negative_errno();
        fexecve(fd, args, environ);
        r = negative_errno();
        (void) unsetenv(SEALED_ENV);
        return r;
}
