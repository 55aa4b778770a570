/*
 * main.c - gradtop's entry point: picks the command and hands over.
 */
#include <stdio.h>
#include <string.h>

#include "../tui/race.h"
#include "../tui/tui.h"
#include "../tui/view.h"
#include "cli.h"
#include "output.h"

#ifndef GRADTOP_VERSION
#define GRADTOP_VERSION "0.0.0"
#endif

/* `gradtop race`: --racers is its own option; the rest parse as usual. */
static int race_command(int argc, char **argv)
{
    const char *racers = NULL;
    char *rest[256];
    int n = 0;
    for (int i = 0; i < argc && n < 255; i++) {
        if (!strcmp(argv[i], "--racers")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "gradtop race: --racers needs a value\n");
                return EXIT_USAGE;
            }
            racers = argv[++i];
        } else if (!strncmp(argv[i], "--racers=", 9)) {
            racers = argv[i] + 9;
        } else {
            rest[n++] = argv[i];
        }
    }
    rest[n] = NULL;
    Options o;
    CliArgs a;
    int rc = cli_parse(n, rest, "race", &o, &a);
    if (rc) return rc;
    if (a.help) {
        race_usage(stdout);
        return output_finish_stdout();
    }
    return race_main(&o, racers, cli_exe_dir());
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "race")) return race_command(argc - 2, argv + 2);
    static const char *const commands[] = {"train",   "inspect", "gradcheck", "eval",
                                           "predict", "view",    NULL};
    const char *command = NULL;
    int first = 1;
    if (argc > 1) {
        for (int i = 0; commands[i]; i++)
            if (!strcmp(argv[1], commands[i])) command = commands[i];
        if (command) first = 2;
    }
    Options o;
    CliArgs a;
    int rc = cli_parse(argc - first, argv + first, command, &o, &a);
    if (rc) return rc;
    if (a.version) {
        printf("gradtop %s\n", GRADTOP_VERSION);
        return output_finish_stdout();
    }
    if (a.help) {
        cli_usage(stdout, command);
        return output_finish_stdout();
    }
    if (!command) return tui_main(&o, o.start, cli_exe_dir(), a.locked);
    if (!strcmp(command, "train")) return cmd_train(&o, &a);
    if (!strcmp(command, "gradcheck")) return cmd_gradcheck(&o, &a);
    if (!strcmp(command, "view")) return view_main(&o, a.n_positional, a.positional);
    /* each ends through output_finish_stdout: lost output is an I/O error */
    if (!strcmp(command, "inspect")) return cmd_inspect(&o, &a);
    if (!strcmp(command, "eval")) return cmd_eval(&o, &a);
    return cmd_predict(&o, &a);
}
