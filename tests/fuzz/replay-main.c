/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Replays inputs through a fuzz target's LLVMFuzzerTestOneInput() without
 * libFuzzer: the meson tests feed it every seed and every regression input,
 * in the normal build and under ASan+UBSan.
 *
 *   replay [--match GLOB]... PATH...
 *
 * A PATH that is a directory is walked (hidden files skipped); once a
 * --match was given, only the files whose name matches one of the globs
 * given so far are taken from the directories that follow (files named
 * directly are always taken). Prints one line per input; a crash is the
 * test failing. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "macros.h"
#include "strv.h"

static char **arg_match;
static unsigned n_inputs;

static int replay_file(const char *path) {
        _cleanup_free_ char *data = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t size = 0, allocated = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                fprintf(stderr, "%s: %m\n", path);
                return -errno;
        }
        for (;;) {
                ssize_t n;

                if (allocated - size < 4096) {
                        char *p = realloc(data, allocated + 65536);

                        if (!p)
                                return -ENOMEM;
                        data = p;
                        allocated += 65536;
                }
                n = read(fd, data + size, allocated - size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        fprintf(stderr, "%s: %m\n", path);
                        return -errno;
                }
                if (n == 0)
                        break;
                size += (size_t) n;
        }

        printf("replay %s (%zu bytes)\n", path, size);
        fflush(stdout);
        (void) LLVMFuzzerTestOneInput((const uint8_t *) data, size);
        n_inputs++;
        return 0;
}

static bool name_matches(const char *path) {
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

        if (!arg_match)
                return true;
        STRV_FOREACH(g, arg_match)
                if (fnmatch(*g, base, 0) == 0)
                        return true;
        return false;
}

static int walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        /* Hidden files (".keep" holds an empty regressions/ dir in git) are not inputs. */
        if (type != FTW_F || !S_ISREG(st->st_mode) || path[ftw->base] == '.' || !name_matches(path))
                return 0;
        return replay_file(path) < 0 ? 1 : 0;
}

int main(int argc, char *argv[]) {
        int r;

        for (int i = 1; i < argc; i++) {
                struct stat st;

                if (streq(argv[i], "--match") && i + 1 < argc) {
                        if (strv_extend(&arg_match, argv[++i]) < 0)
                                return EXIT_FAILURE;
                        continue;
                }
                if (stat(argv[i], &st) < 0) {
                        fprintf(stderr, "%s: %m\n", argv[i]);
                        return EXIT_FAILURE;
                }
                if (S_ISDIR(st.st_mode))
                        r = nftw(argv[i], walk_one, 16, FTW_PHYS);
                else
                        r = replay_file(argv[i]);
                if (r != 0)
                        return EXIT_FAILURE;
        }
        strv_free(arg_match);

        printf("%u inputs replayed\n", n_inputs);
        return n_inputs > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
