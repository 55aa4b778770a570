/*
 * args.c - command-line parsing over the option table.  See cli.h.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static char exe_dir[PATH_MAX];

const char *cli_exe_dir(void)
{
    if (!exe_dir[0]) {
        ssize_t n = readlink("/proc/self/exe", exe_dir, sizeof exe_dir - 1);
        if (n <= 0) return NULL;
        exe_dir[n] = '\0';
        char *slash = strrchr(exe_dir, '/');
        if (slash) *slash = '\0';
    }
    return exe_dir;
}

/* Command-specific options that are not training options. */
static const char **command_slot(CliArgs *a, const char *name)
{
    if (!strcmp(name, "model")) return &a->model;
    if (!strcmp(name, "output") || !strcmp(name, "o")) return &a->output;
    if (!strcmp(name, "resume")) return &a->resume;
    if (!strcmp(name, "part")) return &a->part;
    return NULL;
}

typedef struct {
    const OptionSpec *spec;
    const char *value;
} Pending;

int cli_parse(int argc, char **argv, const char *command, Options *o, CliArgs *a)
{
    memset(a, 0, sizeof *a);
    a->command = command;
    options_default(o);
    static Pending pend[512];
    int np = 0;
    const char *config = NULL;
    bool only_positional = false;
    bool after_value = false; /* the last argument was an option's separate value */
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (only_positional || arg[0] != '-' || arg[1] == '\0') {
            /* Every command takes one DATASET (or LOGDIR) at most. */
            if (a->n_positional == 1) {
                if (after_value)
                    fprintf(stderr,
                            "gradtop: unexpected '%s' after %s %s: an option takes one value "
                            "(a list is one comma-separated value, e.g. --layers 64,32)\n",
                            arg, argv[i - 2], argv[i - 1]);
                else if (!command)
                    fprintf(stderr,
                            "gradtop: unexpected '%s' after '%s': one DATASET at most (if '%s' "
                            "was meant as a command: train, inspect, gradcheck, eval, predict, "
                            "view, race)\n",
                            arg, a->positional[0], a->positional[0]);
                else
                    fprintf(stderr, "gradtop %s: unexpected '%s' after '%s': one %s at most\n",
                            command, arg, a->positional[0],
                            strcmp(command, "view") ? "DATASET" : "LOGDIR");
                return EXIT_USAGE;
            }
            a->positional[a->n_positional++] = arg;
            after_value = false;
            continue;
        }
        after_value = false;
        if (!strcmp(arg, "--")) {
            only_positional = true;
            continue;
        }
        if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            a->help = true;
            continue;
        }
        if (!strcmp(arg, "--version") || !strcmp(arg, "-V")) {
            a->version = true;
            continue;
        }
        char name[128];
        const char *value = NULL;
        const char *body = arg[1] == '-' ? arg + 2 : arg + 1;
        const char *eq = strchr(body, '=');
        size_t len = eq ? (size_t)(eq - body) : strlen(body);
        if (len >= sizeof name) {
            fprintf(stderr, "gradtop: unknown option '%.60s'\n", arg);
            return EXIT_USAGE;
        }
        memcpy(name, body, len);
        name[len] = '\0';
        if (eq) value = eq + 1;
        const char **slot = command_slot(a, name);
        if (slot) {
            if (!value) {
                if (i + 1 >= argc) {
                    fprintf(stderr, "gradtop: %s needs a value\n", arg);
                    return EXIT_USAGE;
                }
                value = argv[++i];
                after_value = true;
            }
            *slot = value;
            continue;
        }
        if (arg[1] != '-') {
            fprintf(stderr, "gradtop: unknown option '%s' (see gradtop %s--help)\n", arg,
                    command ? command : "");
            return EXIT_USAGE;
        }
        const OptionSpec *spec = options_find(name);
        bool negated = false;
        if (!spec && !strncmp(name, "no-", 3)) {
            spec = options_find(name + 3);
            if (spec && spec->kind != OPTKIND_BOOL) spec = NULL;
            negated = spec != NULL;
        }
        if (!spec) {
            fprintf(stderr, "gradtop: unknown option '--%s' (see gradtop %s%s--help)\n", name,
                    command ? command : "", command ? " " : "");
            return EXIT_USAGE;
        }
        if (spec->kind == OPTKIND_BOOL && !value) {
            value = negated ? "false" : "true";
        } else if (negated) {
            fprintf(stderr, "gradtop: --no-%s takes no value\n", spec->name);
            return EXIT_USAGE;
        } else if (!value) {
            if (i + 1 >= argc) {
                fprintf(stderr, "gradtop: --%s needs a value\n", spec->name);
                return EXIT_USAGE;
            }
            value = argv[++i];
            after_value = true;
        }
        if (!strcmp(spec->name, "config")) {
            config = value;
        }
        if (np == 512) {
            fprintf(stderr, "gradtop: too many options\n");
            return EXIT_USAGE;
        }
        pend[np++] = (Pending){spec, value};
    }
    if (a->help || a->version) return EXIT_OK;
    Error err = {0};
    if (config) {
        bool locked[256] = {false};
        if (options_load_file(o, config, locked, &err)) {
            fprintf(stderr, "gradtop: %s\n", err.msg);
            return EXIT_USAGE;
        }
    }
    for (int k = 0; k < np; k++) {
        if (options_set(o, pend[k].spec, pend[k].value, NULL, &err)) {
            fprintf(stderr, "gradtop: %s\n", err.msg);
            return EXIT_USAGE;
        }
        a->locked[pend[k].spec - option_table] = true;
    }
    if (a->n_positional > 0) {
        if (strlen(a->positional[0]) >= sizeof o->dataset) {
            fprintf(stderr, "gradtop: dataset path too long\n");
            return EXIT_USAGE;
        }
        snprintf(o->dataset, sizeof o->dataset, "%s", a->positional[0]);
        a->locked[option_count] = true;
    }
    if (options_validate(o, &err)) {
        fprintf(stderr, "gradtop: %s\n", err.msg);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static const char *const group_titles[] = {"Data", "Model", "Training", "Output"};

static const struct {
    const char *name, *synopsis, *what;
} cmds[] = {
    {NULL, "gradtop [OPTIONS] [DATASET]",
     "The setup screen, prefilled from OPTIONS; --start goes straight to the dashboard."},
    {"train", "gradtop train [OPTIONS] DATASET | --resume RUNDIR",
     "Train headless: a line per epoch, then a result: line; writes a run directory."},
    {"inspect", "gradtop inspect [OPTIONS] DATASET",
     "What the loader sees: rows, features, label, task, classes, feature statistics."},
    {"gradcheck", "gradtop gradcheck [OPTIONS] DATASET",
     "Backprop against central finite differences, per layer; exit 0 when they agree."},
    {"eval", "gradtop eval --model FILE DATASET [--part all|train|val]",
     "Loss and metrics of a saved model; --part val re-creates the run's own split."},
    {"predict", "gradtop predict --model FILE DATASET [-o OUT.csv]",
     "Predictions, one row per input row."},
    {"view", "gradtop view [LOGDIR]", "The dashboard over runs on disk (default runs/)."},
    {"race", "gradtop race [OPTIONS] [--racers SPEC] DATASET",
     "2 to 4 optimizers from the same weights and batches, on one chart."},
};

void cli_hint(FILE *f, const char *command)
{
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (cmds[i].name && command && !strcmp(cmds[i].name, command))
            fprintf(f, "usage: %s\n", cmds[i].synopsis);
    fprintf(f, "(gradtop %s --help lists every option)\n", command ? command : "");
}

void cli_usage(FILE *f, const char *command)
{
    const char *what = NULL;
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        if ((command == NULL) != (cmds[i].name == NULL)) continue;
        if (command && strcmp(command, cmds[i].name)) continue;
        fprintf(f, "usage: %s\n%s\n", cmds[i].synopsis, cmds[i].what);
        what = cmds[i].what;
    }
    if (!command) {
        fprintf(f, "\ncommands:\n");
        for (size_t i = 1; i < sizeof cmds / sizeof cmds[0]; i++)
            fprintf(f, "  %-52s %s\n", cmds[i].synopsis, cmds[i].what);
    }
    (void)what;
    fprintf(f, "\nDATASET: a CSV file, an IDX file (…-images-idx3-ubyte[.gz]), a name under "
               "datasets/,\n  or a built-in: fashion-mnist, fashion-mnist-test, spiral, circles, "
               "xor, gauss, moons.\n");
    Options d;
    options_default(&d);
    for (int g = 0; g < 4; g++) {
        fprintf(f, "\n%s options:\n", group_titles[g]);
        for (size_t i = 0; i < option_count; i++) {
            const OptionSpec *s = &option_table[i];
            if ((int)s->group != g) continue;
            char def[64], arg[96] = "";
            options_format(&d, s, def, sizeof def);
            if (s->kind == OPTKIND_ENUM) {
                size_t n = 0;
                for (int k = 0; s->names[k] && n < sizeof arg; k++)
                    n += (size_t)snprintf(arg + n, sizeof arg - n, "%s%s", k ? "|" : " ",
                                          s->names[k]);
            } else if (s->kind != OPTKIND_BOOL) {
                snprintf(arg, sizeof arg, " %s",
                         s->kind == OPTKIND_STRING || s->kind == OPTKIND_CHAR ? "S"
                         : s->kind == OPTKIND_LAYERS                          ? "N,N,..."
                         : s->kind == OPTKIND_DOUBLE                          ? "F"
                                                                              : "N");
            }
            char left[160];
            snprintf(left, sizeof left, "--%s%s", s->name, arg);
            fprintf(f, "  %-34s %s", left, s->help);
            if (s->kind == OPTKIND_BOOL)
                fprintf(f, " [%s]", def);
            else if (def[0] && strcmp(s->name, "config"))
                fprintf(f, " [default %s", def);
            if (s->kind != OPTKIND_BOOL && def[0] && strcmp(s->name, "config")) {
                /* a number's range, in the words of the message that
                 * refuses a value out of it */
                if (s->kind == OPTKIND_INT || s->kind == OPTKIND_U64 || s->kind == OPTKIND_DOUBLE ||
                    s->kind == OPTKIND_LAYERS) {
                    char range[256];
                    options_range(s, range, sizeof range);
                    fprintf(f, "; %s", range);
                }
                fputc(']', f);
            }
            if (s->applies) fprintf(f, " (%s)", s->applies);
            fputc('\n', f);
        }
    }
    fprintf(f, "\nBoolean options take --no-NAME to turn them off (e.g. --no-restore-best).\n"
               "Exit codes: 0 done, 1 runtime failure, 2 usage or bad input, 3 diverged, "
               "130 interrupted.\n");
}

int cli_overlay(Options *run, const Options *cli, const CliArgs *a)
{
    Error err = {0};
    for (size_t i = 0; i < option_count; i++) {
        if (!a->locked[i]) continue;
        const OptionSpec *s = &option_table[i];
        char v[OPTIONS_PATH + 8];
        options_format(cli, s, v, sizeof v);
        if (options_set(run, s, v, NULL, &err)) {
            fprintf(stderr, "gradtop: %s\n", err.msg);
            return EXIT_USAGE;
        }
    }
    if (a->locked[option_count]) snprintf(run->dataset, sizeof run->dataset, "%s", cli->dataset);
    return EXIT_OK;
}
