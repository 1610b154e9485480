/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/spawn/exec-interpreter.c: what execve()'s ENOENT of a file that
 * exists means, on files made here (the host's own root stands in for the
 * container's). */
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec-interpreter.h"
#include "test.h"

static char dir[64];

static void dir_new(void) {
        snprintf(dir, sizeof dir, "/tmp/test-exec-interpreter.XXXXXX");
        ASSERT_NOT_NULL(mkdtemp(dir));
}

static void dir_free(void) {
        char *cmd = NULL;
        ASSERT_TRUE(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
        ASSERT_EQ(system(cmd), 0);
        free(cmd);
}

static char *file(const char *name, const void *data, size_t size) {
        char *p = NULL;
        ASSERT_TRUE(asprintf(&p, "%s/%s", dir, name) > 0);
        int fd = open(p, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0755);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, data, size), (ssize_t) size);
        close(fd);
        return p;
}

static char *script(const char *name, const char *text) {
        return file(name, text, strlen(text));
}

/* A minimal ELF program of our class with PT_INTERP set to interp. */
static char *elf(const char *name, const char *interp) {
        struct {
                ElfW(Ehdr) eh;
                ElfW(Phdr) ph;
                char interp[64];
        } e = {};
        memcpy(e.eh.e_ident, ELFMAG, SELFMAG);
        e.eh.e_ident[EI_CLASS] = sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32;
        e.eh.e_ident[EI_DATA] = ELFDATA2LSB;
        e.eh.e_ident[EI_VERSION] = EV_CURRENT;
        e.eh.e_type = ET_EXEC;
        e.eh.e_phoff = offsetof(__typeof__(e), ph);
        e.eh.e_phentsize = sizeof e.ph;
        e.eh.e_phnum = 1;
        e.ph.p_type = PT_INTERP;
        e.ph.p_offset = offsetof(__typeof__(e), interp);
        e.ph.p_filesz = strlen(interp) + 1;
        strcpy(e.interp, interp);
        return file(name, &e, sizeof e);
}

TEST(names_what_is_missing) {
        char why[384], text[384];
        char *p;

        dir_new();

        p = script("x.sh", "#!/nonexistent/interp -x\necho hi\n");
        ASSERT_EQ(exec_missing_interpreter(p, why, sizeof why), 1);
        ASSERT_STREQ(why, "its interpreter /nonexistent/interp does not exist in the container");
        free(p);
        p = script("tab.sh", "#! \t/nonexistent/other\n");
        ASSERT_EQ(exec_missing_interpreter(p, why, sizeof why), 1);
        ASSERT_STREQ(why, "its interpreter /nonexistent/other does not exist in the container");
        free(p);

        char *loaderless = elf("dyn", "/nonexistent/ld.so");
        ASSERT_EQ(exec_missing_interpreter(loaderless, why, sizeof why), 1);
        ASSERT_STREQ(why, "its ELF interpreter /nonexistent/ld.so (the dynamic loader) does not exist in the container");

        /* A script whose interpreter exists but lacks its own loader. */
        snprintf(text, sizeof text, "#!%s\n", loaderless);
        p = script("y.sh", text);
        ASSERT_EQ(exec_missing_interpreter(p, why, sizeof why), 1);
        snprintf(text, sizeof text, "its interpreter %s needs the ELF interpreter /nonexistent/ld.so, which "
                 "does not exist in the container", loaderless);
        ASSERT_STREQ(why, text);
        free(p);
        free(loaderless);
        dir_free();
}

TEST(nothing_to_say) {
        char why[384] = "untouched";
        char *p;

        dir_new();
        p = script("ok.sh", "#!/bin/sh\n");
        ASSERT_EQ(exec_missing_interpreter(p, why, sizeof why), 0);
        free(p);
        p = script("empty.sh", "#!\n");
        ASSERT_EQ(exec_missing_interpreter(p, why, sizeof why), 0);
        free(p);
        p = script("text", "not a program\n");
        ASSERT_EQ(exec_missing_interpreter(p, why, sizeof why), 0);
        free(p);
        p = elf("loader-here", "/bin/sh");
        ASSERT_EQ(exec_missing_interpreter(p, why, sizeof why), 0);
        free(p);
        ASSERT_EQ(exec_missing_interpreter("/dev/null", why, sizeof why), 0);
        ASSERT_STREQ(why, "untouched");
        ASSERT_ERROR(exec_missing_interpreter("/nonexistent/program", why, sizeof why), ENOENT);
        dir_free();
}

/* A name not found: the $PATH it was looked up in, which Environment=PATH=
 * may have replaced, said as the lookup read it. */
TEST(not_found_in_path) {
        char why[384], *longpath;

        exec_not_found_in_path("/nonexist", why, sizeof why);
        ASSERT_STREQ(why, "not found in the container's $PATH (/nonexist)");
        exec_not_found_in_path("/usr/bin::/bin", why, sizeof why);
        ASSERT_STREQ(why, "not found in the container's $PATH (/usr/bin::/bin)");
        /* Unset (UnsetEnvironment=PATH): the default the lookup used. */
        exec_not_found_in_path(NULL, why, sizeof why);
        ASSERT_STREQ(why, "not found in the container (no $PATH: looked up in "
                     "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)");
        exec_not_found_in_path("", why, sizeof why);
        ASSERT_STREQ(why, "not found in the container ($PATH is empty)");
        /* Relative entries are skipped, and said to be. */
        exec_not_found_in_path("bin:/usr/bin", why, sizeof why);
        ASSERT_STREQ(why, "not found in the container's $PATH (bin:/usr/bin), whose relative entries are not "
                     "searched");
        exec_not_found_in_path("/bin:.", why, sizeof why);
        ASSERT_CONTAINS(why, "whose relative entries are not searched");
        /* A long one is cut, visibly, within the message's room. */
        longpath = malloc(1001);
        ASSERT_NOT_NULL(longpath);
        memset(longpath, 'x', 1000);
        longpath[0] = '/';
        longpath[1000] = 0;
        exec_not_found_in_path(longpath, why, sizeof why);
        ASSERT_TRUE(strlen(why) < 350);
        ASSERT_CONTAINS(why, "xxx...)");
        free(longpath);
}

/* Nothing on the way to what the kernel runs may be a /proc magic link: a
 * link to /proc/self/exe (the exec'ing process's binary: cell's own), a
 * "#!" line naming one, at any depth the kernel follows, or an ELF
 * interpreter that is one. Plain links and loops are the exec's to judge. */
TEST(magic_links_refused) {
        char why[512] = "untouched", text[384], *p, *q, *link1, *loop;

        dir_new();
        ASSERT_TRUE(asprintf(&link1, "%s/x", dir) > 0);
        ASSERT_OK(symlink("/proc/self/exe", link1));
        ASSERT_ERROR(exec_check_magic_links(link1, why, sizeof why), ELOOP);
        ASSERT_STREQ(why, "a /proc magic link on the way (as /proc/self/exe, which would run cell's own binary "
                     "in the container): refused");
        /* Through a directory link too: /proc/self/root/... */
        ASSERT_ERROR(exec_check_magic_links("/proc/self/root/bin/sh", why, sizeof why), ELOOP);

        p = script("evil.sh", "#! /proc/self/exe --version\n");
        ASSERT_ERROR(exec_check_magic_links(p, why, sizeof why), ELOOP);
        ASSERT_STREQ(why, "its interpreter /proc/self/exe: a /proc magic link on the way (as /proc/self/exe, "
                     "which would run cell's own binary in the container): refused");
        /* Two scripts deep: the kernel follows the second's line too. */
        snprintf(text, sizeof text, "#!%s\n", p);
        q = script("outer.sh", text);
        ASSERT_ERROR(exec_check_magic_links(q, why, sizeof why), ELOOP);
        ASSERT_CONTAINS(why, "its interpreter /proc/self/exe:");
        free(q);
        free(p);
        p = elf("dyn-evil", "/proc/self/exe");
        ASSERT_ERROR(exec_check_magic_links(p, why, sizeof why), ELOOP);
        ASSERT_CONTAINS(why, "its ELF interpreter /proc/self/exe:");
        free(p);

        /* What is fine stays fine: a plain link, a script, a program, a
         * loop of plain links and a missing file (the exec's messages). */
        p = script("ok.sh", "#!/bin/sh\n");
        ASSERT_EQ(exec_check_magic_links(p, why, sizeof why), 0);
        free(p);
        ASSERT_EQ(exec_check_magic_links("/bin/sh", why, sizeof why), 0);
        p = elf("dyn-ok", "/bin/sh");
        ASSERT_EQ(exec_check_magic_links(p, why, sizeof why), 0);
        free(p);
        ASSERT_TRUE(asprintf(&loop, "%s/loop", dir) > 0);
        ASSERT_OK(symlink(loop, loop));
        ASSERT_EQ(exec_check_magic_links(loop, why, sizeof why), 0);
        ASSERT_EQ(exec_check_magic_links("/nonexistent/program", why, sizeof why), 0);
        free(loop);
        free(link1);
        dir_free();
}
