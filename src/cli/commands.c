/*
 * commands.c - the command table: what each command is called, its
 * synopsis, and the function that runs it.  See cli.h.
 */
#include <stdio.h>
#include <string.h>

#include "../tui/tui.h"
#include "../tui/logview.h"
#include "cli.h"
#include "output.h"

static int run_interactive(const Options *o, const CliArgs *a)
{
    return tui_main(o, o->start, cli_exe_dir(), a->locked, a->given);
}

static int run_view(const Options *o, const CliArgs *a)
{
    return logview_main(o, a->n_positional, a->positional);
}

/* gradtop help [COMMAND]: what --help prints, as a command word too, so
 * that `gradtop help` is not taken for a dataset called help. */
static int run_help(const Options *o, const CliArgs *a)
{
    const char *name = a->n_positional ? a->positional[0] : NULL;
    if (name && !cli_command_named(name)) {
        char names[200];
        cli_command_names(names, sizeof names, ", ");
        fprintf(stderr, "gradtop help: no command '%s' (the commands: %s)\n", name, names);
        return EXIT_USAGE;
    }
    cli_usage(stdout, name);
    return output_finish_stdout();
}

static void help_details(FILE *f)
{
    fprintf(f, "help is a command word, as train is: a dataset named help is given by its\n"
               "path (gradtop ./help, gradtop datasets/help.csv).\n");
}

/* eval and predict: the options of the run that made the model. */
static void stored_details(FILE *f)
{
    fprintf(f, "The data options default to those the run was trained with, which the model\n"
               "stores: an option given here overrides the model's.\n");
}

const CliCommand cli_commands[] = {
    {"train", CMD_TRAIN, "gradtop train [OPTIONS] DATASET | --resume RUNDIR",
     "Train headless: a line per epoch, then a result: line; writes a run directory.", cmd_train,
     NULL},
    {"race", CMD_RACE, "gradtop race [OPTIONS] [--racers SPEC] DATASET",
     "2 to 4 optimizers from the same weights and batches, on one chart.", cmd_race, race_details},
    {"gradcheck", CMD_GRADCHECK, "gradtop gradcheck [OPTIONS] DATASET",
     "Backprop against central finite differences, per layer; exit 0 when they agree.",
     cmd_gradcheck, NULL},
    {"inspect", CMD_INSPECT, "gradtop inspect [OPTIONS] DATASET",
     "What the loader sees: rows, features, label, task, classes, feature statistics.", cmd_inspect,
     NULL},
    {"eval", CMD_EVAL, "gradtop eval --model FILE DATASET [--part all|train|val]",
     "Loss and metrics of a saved model; --part val re-creates the run's own split.", cmd_eval,
     stored_details},
    {"predict", CMD_PREDICT, "gradtop predict --model FILE DATASET [-o OUT.csv]",
     "Predictions, one row per input row.", cmd_predict, stored_details},
    {"sweep", CMD_SWEEP, "gradtop sweep [OPTIONS] --space SPEC DATASET | --resume SWEEPDIR",
     "A hyperparameter search: many trials at once, each a run directory; a result: line.",
     cmd_sweep, NULL},
    {"view", CMD_VIEW, "gradtop view [LOGDIR]", "The dashboard over runs on disk (default runs/).",
     run_view, NULL},
    {"help", CMD_HELP, "gradtop help [COMMAND]",
     "The usage, as --help prints it: gradtop's, or COMMAND's.", run_help, help_details},
    {NULL, CMD_INTERACTIVE, "gradtop [OPTIONS] [DATASET]",
     "The setup screen, prefilled from OPTIONS; --start goes straight to the dashboard.",
     run_interactive, NULL},
};
const size_t cli_command_count = sizeof cli_commands / sizeof cli_commands[0];

const CliGeneral cli_general[] = {
    {"help", "h", false, "print the usage; after a command (train --help), that command's"},
    {"version", "V", false, "print gradtop's version"},
    {"man", NULL, true,
     "print the manual page, in roff (make writes build/gradtop.1 from it); alone, without a "
     "command"},
    {"bash-completion", NULL, true,
     "print a bash completion script (make install installs it); alone, without a command"},
    {"list-datasets", NULL, true,
     "print the names a DATASET may be, one a line: datasets/*.csv beside the program, in "
     "PREFIX/share/gradtop and in the working directory, and the built-in sets (the bash "
     "completion offers them); alone, without a command"},
};
const size_t cli_general_count = sizeof cli_general / sizeof cli_general[0];

const CliExit cli_exits[] = {
    {EXIT_OK, "finished: completed or stopped early"},
    {EXIT_RUNTIME, "a runtime failure (I/O error, out of memory); for gradcheck, a gradient "
                   "mismatch; standard output that cannot be written (full disk, closed pipe) is "
                   "one too, before 3, 130 and 131"},
    {EXIT_USAGE, "usage error or invalid input; the message names the file and line (and "
                 "column), or the option and its accepted range"},
    {EXIT_DIVERGED, "training diverged (loss became NaN or infinite): in a race, any racer; in a "
                    "sweep, when no trial is left with a best epoch; the last finite weights are "
                    "kept"},
    {EXIT_INTERRUPTED, "interrupted: SIGINT; in train, predict -o and a headless race or sweep, "
                       "SIGTERM and SIGHUP too (on a screen those two exit 143 and 129, 128 + the "
                       "signal); the current batch finishes, run files are complete"},
    {EXIT_QUIT, "quit: SIGQUIT (ctrl-\\), headless or on a screen, ends as 130 does (never with "
                "a core dump)"},
};
const size_t cli_exit_count = sizeof cli_exits / sizeof cli_exits[0];

const CliCommand *cli_command_named(const char *name)
{
    for (size_t i = 0; i < cli_command_count; i++) {
        const char *n = cli_commands[i].name;
        if (name ? n && !strcmp(n, name) : !n) return &cli_commands[i];
    }
    return NULL;
}

int cli_refuse_headless_paused(const char *command, const Options *o, const CliArgs *a)
{
    const OptionSpec *s = options_find("paused");
    if (!o->paused || !s || !a->locked[s - option_table]) return EXIT_OK;
    fprintf(stderr,
            "gradtop %s: --paused needs the %s screen to resume from, but standard input and "
            "output are not both a terminal (run it in one, or leave --paused out to run it "
            "headless)\n",
            command, command);
    return EXIT_USAGE;
}

void cli_command_names(char *buf, size_t cap, const char *sep)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < cli_command_count && n < cap; i++)
        if (cli_commands[i].name)
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? sep : "", cli_commands[i].name);
}
