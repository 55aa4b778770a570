/*
 * main.c - gradtop's entry point: picks the command from the command table
 * and hands over.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gradtop/core/sysmem.h"
#include "gradtop/nn/gemm.h"
#include "output.h"

#ifndef GRADTOP_VERSION
#define GRADTOP_VERSION "0.0.0"
#endif

/* OpenBLAS starts its own threads before main, and each maps a 128 MiB
 * work buffer, retrying forever when the mapping fails: under a tight
 * memory limit (ulimit -v, -d) the process would spin, and hang at exit
 * joining them.  gradtop multiplies on its own threads with OpenBLAS
 * single-threaded (team.h), so under a limit it starts over with
 * OPENBLAS_NUM_THREADS=1, which starts none of those threads.  Without a
 * limit their buffers cost only address space, so nothing is done. */
static void single_blas_thread(char **argv)
{
    const char *n = getenv("OPENBLAS_NUM_THREADS");
    if ((n && !strcmp(n, "1")) || !sysmem_limited()) return;
    if (setenv("OPENBLAS_NUM_THREADS", "1", 1) != 0) return;
    execv("/proc/self/exe", argv);
    /* no exec (no /proc): go on as before, the memory checks still apply */
}

/* A standard descriptor the caller closed (`<&- >&-`, a daemon's child)
 * is held on /dev/null, read-only: otherwise the next file opened takes
 * its number, and standard output would write into it (the signal watch's
 * pipe, which took such writes for signals, or a run file).  Read-only, a
 * write to it still fails (EBADF) as one to the closed descriptor did, so
 * lost output is still said and is still exit 1. */
static void hold_closed_standard_fds(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
        int held = open("/dev/null", O_RDONLY); /* the lowest free number: fd */
        if (held >= 0 && held != fd) close(held);
    }
}

int main(int argc, char **argv)
{
    hold_closed_standard_fds();
    single_blas_thread(argv);
    gemm_single_thread();
    /* the manual and the completion script, made at build time, and the
     * datasets' names, which the script asks for as it completes */
    if (argc == 2 && !strcmp(argv[1], "--man")) {
        cli_man(stdout);
        return output_finish_stdout();
    }
    if (argc == 2 && !strcmp(argv[1], "--bash-completion")) {
        cli_bash_completion(stdout);
        return output_finish_stdout();
    }
    if (argc == 2 && !strcmp(argv[1], "--list-datasets")) {
        if (!cli_list_datasets(stdout)) return EXIT_RUNTIME;
        return output_finish_stdout();
    }
    const CliCommand *c = argc > 1 ? cli_command_named(argv[1]) : NULL;
    int first = c ? 2 : 1;
    if (!c) c = cli_command_named(NULL);
    Options o;
    CliArgs a;
    int rc = cli_parse(argc - first, argv + first, c->name, &o, &a);
    if (rc) return rc;
    if (a.version) {
        printf("gradtop %s\n", GRADTOP_VERSION);
        return output_finish_stdout();
    }
    if (a.help) {
        cli_usage(stdout, c->name);
        return output_finish_stdout();
    }
    /* inspect, eval and predict end through output_finish_stdout: lost
     * output is an I/O error */
    return c->run(&o, &a);
}
