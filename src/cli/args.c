/*
 * args.c - command-line parsing over the option table.  See cli.h.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gradtop/data/dataset.h"
#include "gradtop/run/presets.h"

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

static unsigned command_bit(const char *command)
{
    const CliCommand *c = cli_command_named(command);
    return c ? c->bit : 0;
}

/* What trains: every option of the table applies. */
#define TRAINING (CMD_INTERACTIVE | CMD_TRAIN | CMD_RACE | CMD_SWEEP)
/* What reads a dataset: eval and predict read it with the model's stored
 * options, which these override; inspect shows it as these read it. */
#define READING (TRAINING | CMD_GRADCHECK | CMD_INSPECT | CMD_EVAL | CMD_PREDICT)

/* The commands that take a table option besides the training ones (which
 * take all).  Any other option is for TRAINING only. */
static const struct {
    const char *name;
    unsigned commands;
} option_commands[] = {
    {"label", READING},
    {"labels", READING},
    {"delimiter", READING},
    {"missing", READING},
    {"samples", READING},
    {"noise", READING},
    /* eval and predict apply the model's own */
    {"features", TRAINING | CMD_GRADCHECK},
    /* a generated set's points; eval --part re-creates the split from it */
    {"seed", READING},
    {"val-split", TRAINING | CMD_GRADCHECK | CMD_EVAL},
    /* gradcheck's network sees the data as training does */
    {"normalize", TRAINING | CMD_GRADCHECK},
    {"layers", TRAINING | CMD_GRADCHECK},
    {"activation", TRAINING | CMD_GRADCHECK},
    {"loss", TRAINING | CMD_GRADCHECK},
    {"batch-size", TRAINING | CMD_GRADCHECK}, /* the rows of its one batch */
    {"l1", TRAINING | CMD_GRADCHECK},
    {"l2", TRAINING | CMD_GRADCHECK},
    {"logdir", TRAINING | CMD_VIEW},
    /* eval and predict take their options from the model file */
    {"config", TRAINING | CMD_GRADCHECK | CMD_INSPECT},
    {"start", CMD_INTERACTIVE},
    {"paused", CMD_INTERACTIVE | CMD_RACE | CMD_SWEEP},
    /* a sweep's epochs are --max-epochs; its trials pace themselves */
    {"epochs", CMD_INTERACTIVE | CMD_TRAIN | CMD_RACE},
    {"pace", CMD_INTERACTIVE | CMD_TRAIN | CMD_RACE},
    /* each of a sweep's trials trains on one thread, --parallel at once */
    {"threads", CMD_INTERACTIVE | CMD_TRAIN | CMD_RACE},
};

unsigned cli_option_commands(const OptionSpec *s)
{
    if (s->group == OPTGROUP_SWEEP) return CMD_SWEEP;
    for (size_t i = 0; i < sizeof option_commands / sizeof option_commands[0]; i++)
        if (!strcmp(option_commands[i].name, s->name)) return option_commands[i].commands;
    return TRAINING;
}

const CliOption cli_options[] = {
    {"model", NULL, offsetof(CliArgs, model), CMD_EVAL | CMD_PREDICT, "FILE",
     "the saved model (a run's model.gtm); required"},
    {"part", NULL, offsetof(CliArgs, part), CMD_EVAL, "all|train|val",
     "rows to score: all, or the run's own training or validation part [default all]"},
    {"output", "o", offsetof(CliArgs, output), CMD_PREDICT, "FILE",
     "write the predictions to FILE (replaced whole) instead of standard output"},
    {"resume", NULL, offsetof(CliArgs, resume), CMD_TRAIN, "RUNDIR",
     "continue that run from its model and optimizer state, appending to its files"},
    {"resume", NULL, offsetof(CliArgs, resume), CMD_SWEEP, "SWEEPDIR",
     "continue that sweep with its own options: interrupted trials from their checkpoints"},
    {"racers", NULL, offsetof(CliArgs, racers), CMD_RACE, "SPEC",
     "racers separated by ';', each OPTIMIZER[:KEY=VALUE,...] (see above)"},
};

const size_t cli_option_count = sizeof cli_options / sizeof cli_options[0];

const char cli_syntax_note[] =
    "An option's value is the next word or follows '=' (--lr=0.01); '--' ends the options, so "
    "that a name beginning with '-' can follow.";

/* The option called name that cmd takes, else the first so called (for
 * the message refusing it), else NULL: two commands may each have their
 * own --resume. */
static const CliOption *command_option(const char *name, unsigned cmd)
{
    const CliOption *first = NULL;
    for (size_t i = 0; i < cli_option_count; i++) {
        const CliOption *c = &cli_options[i];
        if (strcmp(name, c->name) && !(c->alias && !strcmp(name, c->alias))) continue;
        if (c->commands & cmd) return c;
        if (!first) first = c;
    }
    return first;
}

/* Why the command has no use for the option, when there is more to say
 * than who takes it: "" or "; ...". */
static void refusal_hint(char *buf, size_t cap, const char *command, unsigned cmd,
                         const char *shown, bool own)
{
    buf[0] = '\0';
    if (cmd == CMD_INTERACTIVE) return;
    if (cmd == CMD_TRAIN && !strcmp(shown, "--model"))
        snprintf(buf, cap, "; train starts from scratch (train --resume RUNDIR continues a run)");
    else if (cmd == CMD_SWEEP && !strcmp(shown, "--epochs"))
        snprintf(buf, cap, "; a sweep's trials train at most --max-epochs");
    else if (cmd == CMD_SWEEP && !strcmp(shown, "--threads"))
        snprintf(buf, cap,
                 "; a sweep's trials train on one thread each, --parallel of them at once");
    else if (cmd == CMD_TRAIN && !strcmp(shown, "--paused"))
        snprintf(
            buf, cap,
            "; train is headless (gradtop --start DATASET --paused opens the dashboard paused)");
    else if (cmd == CMD_VIEW)
        snprintf(buf, cap, "; view takes only LOGDIR (or --logdir)");
    else if (own && (!strcmp(shown, "-o") || !strcmp(shown, "--output")))
        snprintf(buf, cap, "; %s prints to standard output (redirect it: > FILE)", command);
    else if (own)
        return;
    else if (cmd == CMD_EVAL || cmd == CMD_PREDICT)
        snprintf(buf, cap,
                 "; %s takes the network and the options it was trained with from the model file",
                 command);
    else if (cmd == CMD_GRADCHECK)
        snprintf(buf, cap, "; gradcheck checks the initial weights' gradient, without training");
    else if (cmd == CMD_INSPECT)
        snprintf(buf, cap, "; inspect shows the data as read, before any training");
}

/* Refuses an option the command does not take (own: one of
 * cli_options), naming the commands that do: a usage error, since
 * ignoring it would run something else than what was asked for. */
static int refuse(const char *command, unsigned cmd, const char *shown, unsigned takes, bool own)
{
    size_t count = 0, k = 0, n = 0;
    for (size_t i = 0; i < cli_command_count; i++) count += (takes & cli_commands[i].bit) != 0;
    char who[160] = "";
    for (size_t i = 0; i < cli_command_count && n < sizeof who; i++) {
        if (!(takes & cli_commands[i].bit)) continue;
        const char *sep = ++k == 1 ? "" : k == count ? " and " : ", ";
        const char *name = cli_commands[i].name ? cli_commands[i].name : "the interactive mode";
        n += (size_t)snprintf(who + n, sizeof who - n, "%s%s", sep, name);
    }
    char hint[160];
    refusal_hint(hint, sizeof hint, command, cmd, shown, own);
    fprintf(stderr, "gradtop%s%s: %s is for %s%s\n", command ? " " : "", command ? command : "",
            shown, who, hint);
    return EXIT_USAGE;
}

typedef struct {
    const OptionSpec *spec;
    const char *value;
} Pending;

/* Whether dataset names nothing there is (a typo, a file gone): the
 * loader says so, and suggests names, where a refusal of an option for
 * the kind of data the name suggests would call it CSV text. */
static bool dataset_absent(const char *dataset)
{
    char path[PATH_MAX];
    return !dataset_is_generated_name(dataset) && !dataset_is_builtin_idx_name(dataset) &&
           !dataset_named_file(dataset, cli_exe_dir(), path, sizeof path) &&
           access(dataset, F_OK) != 0;
}

int cli_parse(int argc, char **argv, const char *command, Options *o, CliArgs *a)
{
    memset(a, 0, sizeof *a);
    a->command = command;
    unsigned cmd = command_bit(command);
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
                else if (!command) {
                    char names[200];
                    cli_command_names(names, sizeof names, ", ");
                    fprintf(stderr,
                            "gradtop: unexpected '%s' after '%s': one DATASET at most (if '%s' "
                            "was meant as a command: %s)\n",
                            arg, a->positional[0], a->positional[0], names);
                } else
                    fprintf(stderr, "gradtop %s: unexpected '%s' after '%s': one %s at most\n",
                            command, arg, a->positional[0],
                            !strcmp(command, "view")   ? "LOGDIR"
                            : !strcmp(command, "help") ? "COMMAND"
                                                       : "DATASET");
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
        const CliOption *copt = command_option(name, cmd);
        if (copt) {
            char shown[132];
            snprintf(shown, sizeof shown, "%s%s", arg[1] == '-' ? "--" : "-", name);
            if (!(copt->commands & cmd)) {
                unsigned takes = 0; /* every command with an option of that name */
                for (size_t k = 0; k < cli_option_count; k++)
                    if (!strcmp(cli_options[k].name, copt->name)) takes |= cli_options[k].commands;
                return refuse(command, cmd, shown, takes, true);
            }
            const char **slot = (const char **)(void *)((char *)a + copt->slot);
            if (!value) {
                if (i + 1 >= argc) {
                    fprintf(stderr, "gradtop: %s needs a value\n", arg);
                    return EXIT_USAGE;
                }
                value = argv[++i];
                after_value = true;
            }
            /* A file given as "" names none: the loaders said ": No such
             * file".  (train and sweep say so of --resume themselves.) */
            if (!*value && copt->arg && !strcmp(copt->arg, "FILE")) {
                fprintf(stderr, "gradtop: %s: an empty name (expected %s)\n", shown, copt->arg);
                return EXIT_USAGE;
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
        for (size_t k = 0; !spec && k < cli_general_count; k++)
            if (cli_general[k].alone && !strcmp(name, cli_general[k].name)) {
                fprintf(stderr,
                        "gradtop: --%s goes alone, without a command or other arguments "
                        "(gradtop --%s)\n",
                        name, name);
                return EXIT_USAGE;
            }
        if (!spec) {
            fprintf(stderr, "gradtop: unknown option '--%s' (see gradtop %s%s--help)\n", name,
                    command ? command : "", command ? " " : "");
            return EXIT_USAGE;
        }
        if (!(cli_option_commands(spec) & cmd)) {
            char shown[136];
            snprintf(shown, sizeof shown, "--%s%s", negated ? "no-" : "", spec->name);
            return refuse(command, cmd, shown, cli_option_commands(spec), false);
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
            if (!*value) {
                fprintf(stderr, "gradtop: --config: an empty name (expected a file)\n");
                return EXIT_USAGE;
            }
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
        if (options_load_file_marking(o, config, locked, a->given, a->config_place, &err)) {
            fprintf(stderr, "gradtop: %s\n", err.msg);
            return err.code == ERROR_RUNTIME ? EXIT_RUNTIME : EXIT_USAGE;
        }
    }
    for (int k = 0; k < np; k++) {
        if (options_set(o, pend[k].spec, pend[k].value, NULL, &err)) {
            fprintf(stderr, "gradtop: %s\n", err.msg);
            return EXIT_USAGE;
        }
        a->locked[pend[k].spec - option_table] = true;
        a->given[pend[k].spec - option_table] = true;
    }
    if (a->n_positional > 0) {
        size_t len = strlen(a->positional[0]);
        if (len >= sizeof o->dataset) {
            /* the argument is view's LOGDIR and help's COMMAND */
            const char *what = !command                   ? "DATASET"
                               : !strcmp(command, "view") ? "LOGDIR"
                               : !strcmp(command, "help") ? "COMMAND"
                                                          : "DATASET";
            fprintf(stderr, "gradtop%s%s: %s too long: %zu bytes (at most %zu)\n",
                    command ? " " : "", command ? command : "", what, len, sizeof o->dataset - 1);
            return EXIT_USAGE;
        }
        snprintf(o->dataset, sizeof o->dataset, "%s", a->positional[0]);
        a->locked[option_count] = a->given[option_count] = true;
    }
    /* What trains (and gradcheck, whose network is the one train would
     * build) takes a generated set's own defaults where the user said
     * nothing. */
    if (cmd & (TRAINING | CMD_GRADCHECK)) preset_switch(o, "", o->dataset, a->given);
    if (options_validate(o, &err)) {
        fprintf(stderr, "gradtop: %s\n", err.msg);
        return EXIT_USAGE;
    }
    /* An option of one kind of dataset given for another would go unread
     * (--noise for iris, --label for IDX images): refused, on the command
     * line whatever its value, in the --config file at its line unless
     * it holds the default, which a run's config.txt, a sweep's best.txt
     * and space.txt record for the options that do not apply to it.
     * What a run directory records is not checked here: train --resume
     * and sweep --resume read it as it is. */
    if (o->dataset[0] && !dataset_absent(o->dataset) &&
        options_check_data(o, dataset_kind(o->dataset, cli_exe_dir()), a->locked, config,
                           a->config_place, NULL, &err)) {
        fprintf(stderr, "gradtop: %s\n", err.msg);
        return err.code == ERROR_RUNTIME ? EXIT_RUNTIME : EXIT_USAGE;
    }
    return EXIT_OK;
}

void cli_value_word(const OptionSpec *s, char *buf, size_t cap)
{
    buf[0] = '\0';
    switch (s->kind) {
    case OPTKIND_BOOL: return;
    case OPTKIND_DOUBLE: snprintf(buf, cap, "F"); return;
    case OPTKIND_INT:
    case OPTKIND_U64: snprintf(buf, cap, "N"); return;
    case OPTKIND_LAYERS: snprintf(buf, cap, "N,N,..."); return;
    case OPTKIND_PACE: snprintf(buf, cap, "max|Ne|Nb"); return;
    case OPTKIND_FEATURES: snprintf(buf, cap, "F,F,..."); return;
    case OPTKIND_STRING:
    case OPTKIND_CHAR: snprintf(buf, cap, "S"); return;
    case OPTKIND_ENUM: {
        size_t n = 0;
        for (int k = 0; s->names[k] && n < cap; k++)
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", k ? "|" : "", s->names[k]);
        return;
    }
    }
}

void cli_option_default(const OptionSpec *s, char *def, size_t def_cap, char *range,
                        size_t range_cap)
{
    def[0] = range[0] = '\0';
    /* --config's "default" is no file: nothing to say */
    if (!strcmp(s->name, "config")) return;
    options_default_text(s, def, def_cap);
    /* a flag's range is true|false, a name's or a text's is in its help */
    if (!def[0] || s->kind == OPTKIND_BOOL || s->kind == OPTKIND_ENUM ||
        s->kind == OPTKIND_STRING || s->kind == OPTKIND_CHAR)
        return;
    options_range(s, range, range_cap);
}

void cli_flag_off(const OptionSpec *s, char *buf, size_t cap)
{
    /* --no-no-log works too, but reads as a slip */
    if (!strncmp(s->name, "no-", 3))
        snprintf(buf, cap, "--%s=false", s->name);
    else
        snprintf(buf, cap, "--no-%s", s->name);
}

static const char *const group_titles[] = {"Data", "Model", "Training", "Output", "Sweep"};

void cli_hint(FILE *f, const char *command)
{
    const CliCommand *c = command ? cli_command_named(command) : NULL;
    if (c) fprintf(f, "usage: %s\n", c->synopsis);
    fprintf(f, "(gradtop %s --help lists every option)\n", command ? command : "");
}

/* One line of an option's help: "  --lr F     learning rate [default ...]". */
static void usage_line(FILE *f, const char *left, const char *help)
{
    fprintf(f, "  %-34s %s", left, help);
}

void cli_usage(FILE *f, const char *command)
{
    unsigned cmd = command_bit(command);
    const CliCommand *self = cli_command_named(command);
    if (self) {
        fprintf(f, "usage: %s\n%s\n", self->synopsis, self->what);
        if (self->details) {
            fputc('\n', f);
            self->details(f);
        }
    }
    if (!command) {
        fprintf(f, "\ncommands:\n");
        int width = 0;
        for (size_t i = 0; i < cli_command_count; i++)
            if (cli_commands[i].name && (int)strlen(cli_commands[i].synopsis) > width)
                width = (int)strlen(cli_commands[i].synopsis);
        for (size_t i = 0; i < cli_command_count; i++)
            if (cli_commands[i].name)
                fprintf(f, "  %-*s  %s\n", width, cli_commands[i].synopsis, cli_commands[i].what);
    }
    if (cmd & CMD_VIEW)
        fprintf(f, "\nLOGDIR: a directory of runs, as train writes them (default: --logdir, or "
                   "runs/).\n");
    else if (!(cmd & CMD_HELP))
        fprintf(f,
                "\nDATASET: a CSV file, an IDX file (…-images-idx3-ubyte[.gz]), a name under "
                "datasets/,\n  or a built-in: fashion-mnist, fashion-mnist-test, spiral, circles, "
                "xor, gauss, moons.\n");
    if (cmd & (TRAINING | CMD_GRADCHECK)) {
        fprintf(f, "\nThe generated sets have defaults of their own, which options given here or "
                   "in --config\noverride:\n");
        for (size_t i = 0; i < preset_count; i++) {
            char what[256];
            preset_describe(&presets[i], what, sizeof what);
            fprintf(f, "  %-8s %s\n", presets[i].dataset, what);
        }
    }
    bool header = false;
    for (size_t i = 0; i < cli_option_count; i++) {
        const CliOption *c = &cli_options[i];
        if (!(c->commands & cmd)) continue;
        if (!header) fprintf(f, "\nCommand options:\n");
        header = true;
        char left[160];
        if (c->alias)
            snprintf(left, sizeof left, "-%s, --%s %s", c->alias, c->name, c->arg);
        else
            snprintf(left, sizeof left, "--%s %s", c->name, c->arg);
        usage_line(f, left, c->help);
        fputc('\n', f);
    }
    bool any_bool = false;
    char no_no[200] = ""; /* "; --no-log takes --no-log=false" */
    for (int g = 0; g <= OPTGROUP_SWEEP; g++) {
        header = false;
        for (size_t i = 0; i < option_count; i++) {
            const OptionSpec *s = &option_table[i];
            if ((int)s->group != g || !(cli_option_commands(s) & cmd)) continue;
            if (!header) fprintf(f, "\n%s options:\n", group_titles[g]);
            header = true;
            any_bool |= s->kind == OPTKIND_BOOL;
            if (s->kind == OPTKIND_BOOL && !strncmp(s->name, "no-", 3)) {
                char off[160];
                size_t n = strlen(no_no);
                cli_flag_off(s, off, sizeof off);
                snprintf(no_no + n, sizeof no_no - n, "; --%s takes %s", s->name, off);
            }
            char word[160], def[200], range[256], left[200];
            cli_value_word(s, word, sizeof word);
            cli_option_default(s, def, sizeof def, range, sizeof range);
            snprintf(left, sizeof left, "--%s%s%s", s->name, word[0] ? " " : "", word);
            /* eval and predict read the data as the run did: a new run's
             * default, in the help's words or in brackets, is not theirs */
            bool stored = (cmd & (CMD_EVAL | CMD_PREDICT)) != 0;
            const char *cut = stored ? strstr(s->help, " (default:") : NULL;
            char help[256];
            size_t len = cut ? (size_t)(cut - s->help) : strlen(s->help);
            if (len >= sizeof help) len = sizeof help - 1;
            memcpy(help, s->help, len);
            help[len] = '\0';
            usage_line(f, left, help);
            if (stored)
                fprintf(f, " [the model's unless given%s%s]", range[0] ? "; " : "", range);
            else if (s->kind == OPTKIND_BOOL)
                fprintf(f, " [%s]", def);
            else if (def[0])
                fprintf(f, " [default %s%s%s]", def, range[0] ? "; " : "", range);
            if (s->applies) fprintf(f, " (%s)", s->applies);
            fputc('\n', f);
        }
    }
    fprintf(f, "\nGeneral options:\n");
    for (size_t i = 0; i < cli_general_count; i++) {
        const CliGeneral *g = &cli_general[i];
        if (g->alone && command) continue;
        char left[160];
        snprintf(left, sizeof left, "%s%s%s--%s", g->alias ? "-" : "", g->alias ? g->alias : "",
                 g->alias ? ", " : "", g->name);
        usage_line(f, left, g->help);
        fputc('\n', f);
    }
    if (any_bool)
        fprintf(f,
                "\nBoolean options take --no-NAME to turn them off (e.g. --no-restore-best)%s.\n",
                no_no);
    fprintf(f, "%s%s\n", any_bool ? "" : "\n", cli_syntax_note);
    fprintf(f, "\nExit codes:\n");
    for (size_t i = 0; i < cli_exit_count; i++)
        fprintf(f, "  %-4d %s\n", cli_exits[i].code, cli_exits[i].meaning);
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
