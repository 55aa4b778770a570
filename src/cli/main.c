/*
 * main.c - gradtop's entry point: picks the command from the command table
 * and hands over.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "output.h"

#ifndef GRADTOP_VERSION
#define GRADTOP_VERSION "0.0.0"
#endif

int main(int argc, char **argv)
{
    /* the manual and the completion script, made at build time */
    if (argc == 2 && !strcmp(argv[1], "--man")) {
        cli_man(stdout);
        return output_finish_stdout();
    }
    if (argc == 2 && !strcmp(argv[1], "--bash-completion")) {
        cli_bash_completion(stdout);
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
