/*
 * manual.c - the manual page and the bash completion script, made from the
 * command table (commands.c), the commands' own options (args.c), the
 * option table (options.c) and the screens' key tables (tui/keys.c, and
 * the view's in tui/logview.c), so that none can drift from what the
 * program takes; and the datasets' names that the script asks the program
 * for as it completes (--list-datasets).  See cli.h.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tui/keys.h"
#include "../tui/logview.h"
#include "cli.h"
#include "gradtop/data/dataset.h"
#include "gradtop/run/presets.h"

#ifndef GRADTOP_VERSION
#define GRADTOP_VERSION "0.0.0"
#endif

/* Writes s as roff text: backslashes and minus signs escaped, and a line
 * that would start with a control character ('.' or '\'') guarded. */
static void roff(FILE *f, const char *s)
{
    bool line_start = true;
    for (; *s; s++) {
        if (line_start && (*s == '.' || *s == '\'')) fputs("\\&", f);
        line_start = *s == '\n';
        if (*s == '\\')
            fputs("\\e", f);
        else if (*s == '-')
            fputs("\\-", f);
        else
            fputc(*s, f);
    }
}

/* A .TP entry: head in font ('B' bold, 'I' italics), then text and end
 * ("" or "."), both as roff text. */
static void tp_entry(FILE *f, char font, const char *head, const char *text, const char *end)
{
    fprintf(f, ".TP\n.%c ", font);
    roff(f, head);
    fputc('\n', f);
    roff(f, text);
    fprintf(f, "%s\n", end);
}

/* "train, race and the interactive mode": the commands in bits. */
static void command_list(unsigned bits, char *buf, size_t cap)
{
    size_t count = 0, k = 0, n = 0;
    for (size_t i = 0; i < cli_command_count; i++) count += (bits & cli_commands[i].bit) != 0;
    buf[0] = '\0';
    for (size_t i = 0; i < cli_command_count && n < cap; i++) {
        if (!(bits & cli_commands[i].bit)) continue;
        const char *sep = ++k == 1 ? "" : k == count ? " and " : ", ";
        const char *name = cli_commands[i].name ? cli_commands[i].name : "the interactive mode";
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", sep, name);
    }
}

static const char *const group_names[] = {"DATA OPTIONS", "MODEL OPTIONS", "TRAINING OPTIONS",
                                          "OUTPUT OPTIONS", "SWEEP OPTIONS"};

/* One .TP entry per key of a key table. */
static void key_rows(FILE *f, const KeyBinding *t, int n)
{
    for (int i = 0; i < n; i++) tp_entry(f, 'B', t[i].label, t[i].help, "");
}

/* The .TP head of an option's entry: "-o, --output FILE" in bold and
 * italics (alias and value may be NULL). */
static void option_head(FILE *f, const char *alias, const char *name, const char *value)
{
    fputs(".TP\n", f);
    if (alias) {
        fputs("\\fB\\-", f);
        roff(f, alias);
        fputs("\\fR, ", f);
    }
    fputs("\\fB\\-\\-", f);
    roff(f, name);
    fputs("\\fR", f);
    if (value && value[0]) {
        fputs(" \\fI", f);
        roff(f, value);
        fputs("\\fR", f);
    }
    fputc('\n', f);
}

void cli_man(FILE *f)
{
    fprintf(f, ".TH GRADTOP 1 \"\" \"gradtop %s\" \"User Commands\"\n", GRADTOP_VERSION);
    fputs(".SH NAME\ngradtop \\- train neural networks live in the terminal\n", f);
    fputs(".SH SYNOPSIS\n", f);
    for (size_t i = 0; i < cli_command_count; i++) {
        fputs(".B ", f);
        roff(f, cli_commands[i].synopsis);
        fputs("\n.br\n", f);
    }
    fputs(".SH DESCRIPTION\n", f);
    roff(f, "gradtop trains a multilayer perceptron on a dataset (a CSV file, an IDX file, a name "
            "under datasets/, or a built-in set) while it plots loss and accuracy in the "
            "terminal. The user can pause, step, change hyperparameters mid-run and stop early. "
            "The headless commands use the same engine and write the same run files.\n");
    fputs(".PP\n", f);
    roff(f, cli_syntax_note);
    fputs("\n", f);
    fputs(".SH COMMANDS\n", f);
    for (size_t i = 0; i < cli_command_count; i++) {
        const CliCommand *c = &cli_commands[i];
        tp_entry(f, 'B', c->synopsis, c->what, "");
        if (c->details) {
            /* the command's own help text, kept as written */
            char *text = NULL;
            size_t len = 0;
            FILE *mem = open_memstream(&text, &len);
            if (mem) {
                c->details(mem);
                fclose(mem);
                fputs(".IP\n.nf\n", f);
                roff(f, text);
                fputs(".fi\n", f);
            }
            free(text);
        }
    }
    fputs(".SH COMMAND OPTIONS\n", f);
    for (size_t i = 0; i < cli_option_count; i++) {
        const CliOption *o = &cli_options[i];
        char who[200];
        command_list(o->commands, who, sizeof who);
        option_head(f, o->alias, o->name, o->arg);
        roff(f, o->help);
        fputs(" (", f);
        roff(f, who);
        fputs(")\n", f);
    }
    for (int g = 0; g <= OPTGROUP_SWEEP; g++) {
        fprintf(f, ".SH %s\n", group_names[g]);
        for (size_t i = 0; i < option_count; i++) {
            const OptionSpec *s = &option_table[i];
            if ((int)s->group != g) continue;
            char word[160], def[200], range[256], who[200];
            cli_value_word(s, word, sizeof word);
            cli_option_default(s, def, sizeof def, range, sizeof range);
            command_list(cli_option_commands(s), who, sizeof who);
            option_head(f, NULL, s->name, word);
            roff(f, s->help);
            fputs(".\n", f);
            if (s->kind == OPTKIND_BOOL) {
                char off[160];
                cli_flag_off(s, off, sizeof off);
                fprintf(f, "Default %s; \\fB", def);
                roff(f, off);
                fputs("\\fR turns it off.\n", f);
            } else if (def[0]) {
                bool quoted = s->kind == OPTKIND_CHAR;
                fputs(quoted ? "Default \"" : "Default ", f);
                roff(f, def);
                fputs(quoted ? "\"" : "", f);
                if (range[0]) {
                    fputs("; ", f);
                    roff(f, range);
                }
                fputs(".\n", f);
            }
            if (s->applies) {
                fputs("Only for ", f);
                roff(f, s->applies);
                fputs(".\n", f);
            }
            if (option_data(s) != OPTDATA_ANY) {
                fputs("Only for ", f);
                roff(f, option_data_name(option_data(s)));
                roff(f, "; refused for other data, in a --config file unless at its default.\n");
            }
            fputs("Taken by ", f);
            roff(f, who);
            fputs(".\n", f);
        }
    }
    fputs(".SH GENERAL OPTIONS\n", f);
    for (size_t i = 0; i < cli_general_count; i++) {
        const CliGeneral *g = &cli_general[i];
        option_head(f, g->alias, g->name, NULL);
        roff(f, g->help);
        fputs(".\n", f);
    }
    fputs(".SH GENERATED SETS\n", f);
    roff(f, "The generated 2-D sets have defaults of their own, which train, race, gradcheck and "
            "the setup screen use wherever the command line and --config say nothing (the rate "
            "is Adam's; another optimizer keeps its own):\n");
    for (size_t i = 0; i < preset_count; i++) {
        char what[256];
        preset_describe(&presets[i], what, sizeof what);
        tp_entry(f, 'B', presets[i].dataset, what, "");
    }
    fputs(".SH DASHBOARD KEYS\n", f);
    key_rows(f, key_table, key_count);
    key_rows(f, net_key_table, net_key_count);
    fputs(".SH SWEEP SCREEN KEYS\n", f);
    roff(f, "gradtop sweep on a terminal shows a leaderboard of the trials, their curves, a "
            "scatter per searched parameter and the events; without one it prints a line per "
            "event. Up/down, pgup/pgdn and home/end move the cursor, the trial p, s, + and "
            "enter act on; it stays on the first row, the leader, until it is moved or its trial "
            "acted on, then follows its trial as the rows move. The charts' y axes fit the best "
            "three quarters of the trials (of a loss, at most those within 100 times the best, on "
            "a log axis when it spans ten times its low end); the others are drawn on the edge, "
            "as arrows on the scatters.\n");
    key_rows(f, sweep_key_table, sweep_key_count);
    fputs(".SH VIEW KEYS\n", f);
    roff(f, "gradtop view lists the runs under LOGDIR (a sweep's trials among them), one column "
            "per option that differs between them, and charts the runs chosen, each in its own "
            "colour (without colour, its own letter, in the list and at its curves' ends); it "
            "reads them again every half second. A run's status is its journal's "
            "(running while its files change, interrupted once they stop without a result); a "
            "run of event files alone reads growing while they change, else unknown, as event "
            "files do not say whether or how their run ended.\n");
    const char *label, *help;
    for (int i = 0; logview_key_row(i, &label, &help); i++) tp_entry(f, 'B', label, help, "");
    /* docs/files.md's tables, shortly: e2e_cli checks that each file
     * named there is named here */
    static const char *const files[][2] = {
        {"RUNDIR/",
         "a run's directory, LOGDIR/YYYYMMDD-HHMMSS-DATASET[-NAME]/ (LOGDIR is --logdir, "
         "runs/ by default)"},
        {"RUNDIR/config.txt", "every option of the run, loadable with --config"},
        {"RUNDIR/metrics.csv", "one row per epoch"},
        {"RUNDIR/events.out.tfevents.TIMESTAMP.HOST", "the same scalars for TensorBoard"},
        {"RUNDIR/journal.txt", "what happened and when"},
        {"RUNDIR/model.gtm", "the kept weights, versioned and checksummed, written atomically"},
        {"RUNDIR/checkpoint.gtm",
         "what train --resume goes on from: the weights and optimizer state of the latest "
         "epoch written, the data order, the random generators, early stopping, the "
         "schedule and the hyperparameters in force then (changes made while it trained "
         "included); written atomically"},
        {"SWEEPDIR/", "a sweep's directory, LOGDIR/YYYYMMDD-HHMMSS-DATASET-sweep[-NAME]/, with a "
                      "run directory per trial (...-DATASET-trial-NNN)"},
        {"SWEEPDIR/space.txt",
         "the sweep's options as key = value lines: sweep --config "
         "space.txt repeats the sweep, and sweep --resume reads it (refusing sweep "
         "settings the trials' journals say they were not made with)"},
        {"SWEEPDIR/trials.csv", "a row per trial started: its status, rung, epochs, figures, "
                                "parameters and run directory"},
        {"SWEEPDIR/best.txt",
         "the best trial's options (and dataset): train --config best.txt trains it again"},
    };
    fputs(".SH FILES\n", f);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        tp_entry(f, 'I', files[i][0], files[i][1], "");
    fputs(".PP\n", f);
    roff(f, "docs/files.md in gradtop's source describes each file, byte by byte.\n");
    fputs(".SH EXIT STATUS\n", f);
    for (size_t i = 0; i < cli_exit_count; i++) {
        char code[16];
        snprintf(code, sizeof code, "%d", cli_exits[i].code);
        tp_entry(f, 'B', code, cli_exits[i].meaning, "");
    }
    static const char *const environment[][2] = {
        {"NO_COLOR", "when set, the screens draw without colour"},
        {"TERM", "the screens need a terminal that can move the cursor: one the system does not "
                 "know, or TERM=dumb, is refused with exit status 2 (gradtop train needs none)"},
        {"LANG, LC_ALL, LC_CTYPE",
         "under a UTF-8 locale the screens draw braille charts and arrows, under any other "
         "ASCII"},
    };
    fputs(".SH ENVIRONMENT\n", f);
    for (size_t i = 0; i < sizeof environment / sizeof environment[0]; i++)
        tp_entry(f, 'B', environment[i][0], environment[i][1], ".");
    fputs(".SH EXAMPLES\n.nf\n", f);
    roff(f, "gradtop iris\n"
            "gradtop train iris --lr 0.01 --epochs 200\n"
            "gradtop race digits\n"
            "gradtop sweep digits --space 'lr=loguniform(1e-4,1e-1)' --scheduler asha\n"
            "gradtop eval --model runs/RUN/model.gtm datasets/iris.csv\n"
            "gradtop view runs\n");
    fputs(".fi\n", f);
}

bool cli_list_datasets(FILE *f)
{
    int n = dataset_list_available(cli_exe_dir(), NULL, 0);
    char(*names)[128] = malloc((size_t)(n > 0 ? n : 1) * sizeof *names);
    if (!names) {
        fprintf(stderr, "gradtop: --list-datasets: out of memory\n");
        return false;
    }
    int now = dataset_list_available(cli_exe_dir(), names, n); /* more, if one came since */
    for (int i = 0; i < n && i < now; i++) {
        /* a name with a control character would break the line it is
         * on, or send the terminal a sequence: no one types it anyway */
        bool plain = true;
        for (const unsigned char *c = (const unsigned char *)names[i]; *c; c++)
            plain = plain && *c >= 0x20 && *c != 0x7f;
        if (plain) fprintf(f, "%s\n", names[i]);
    }
    free(names);
    return true;
}

/* The built-in datasets' names, each after sep: the data layer's list,
 * what the script offers when the program cannot be asked. */
static void builtin_datasets(FILE *f, const char *sep)
{
    const char *name;
    for (int i = 0; (name = dataset_builtin_name(i)); i++) fprintf(f, "%s%s", i ? sep : "", name);
}

void cli_bash_completion(FILE *f)
{
    fputs("# bash completion for gradtop, made by `gradtop --bash-completion`\n", f);
    /* The datasets' names come from the program being completed, as it
     * finds them from where it is (beside it, its PREFIX/share, ./datasets)
     * and now: the script is made at build time.  They are matched by hand,
     * not by compgen -W, which would expand a file's name ($(...) in it) as
     * shell words. */
    fputs("# _gradtop_datasets CUR: the names of datasets that start with CUR, from\n"
          "# the program itself (gradtop --list-datasets), into COMPREPLY\n"
          "_gradtop_datasets() {\n"
          "    local prog=${COMP_WORDS[0]} names name\n"
          "    [[ $prog == \"~/\"* ]] && prog=$HOME/${prog#\"~/\"}\n"
          "    names=$(command \"$prog\" --list-datasets 2>/dev/null) || names='",
          f);
    builtin_datasets(f, "\n");
    fputs("'\n"
          "    while IFS= read -r name; do\n"
          "        [[ -n $name && $name == \"$1\"* ]] && COMPREPLY+=(\"$name\")\n"
          "    done <<<\"$names\"\n"
          "}\n",
          f);
    fputs("_gradtop() {\n"
          "    local cur prev words cword\n"
          "    _init_completion 2>/dev/null || {\n"
          "        cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}\n"
          "        words=(\"${COMP_WORDS[@]}\"); cword=$COMP_CWORD\n"
          "    }\n"
          "    local cmd=\n"
          "    [ \"$cword\" -gt 1 ] && cmd=${words[1]}\n"
          "    case $cmd in\n",
          f);
    /* the options each command takes */
    for (size_t i = 0; i < cli_command_count; i++) {
        const CliCommand *c = &cli_commands[i];
        fprintf(f, "    %s) local opts=\"", c->name ? c->name : "*");
        for (size_t k = 0, n = 0; k < cli_general_count; k++)
            if (!cli_general[k].alone || !c->name)
                fprintf(f, "%s--%s", n++ ? " " : "", cli_general[k].name);
        for (size_t k = 0; k < cli_option_count; k++)
            if (cli_options[k].commands & c->bit) fprintf(f, " --%s", cli_options[k].name);
        for (size_t k = 0; k < option_count; k++) {
            const OptionSpec *s = &option_table[k];
            if (!(cli_option_commands(s) & c->bit)) continue;
            fprintf(f, " --%s", s->name);
            char off[160];
            cli_flag_off(s, off, sizeof off);
            /* --no-log=false is an option with its value: no word to offer */
            if (s->kind == OPTKIND_BOOL && !strchr(off, '=')) fprintf(f, " %s", off);
        }
        fputs("\" ;;\n", f);
    }
    fputs("    esac\n"
          "    case $prev in\n",
          f);
    /* an enum's names after its option */
    for (size_t k = 0; k < option_count; k++) {
        const OptionSpec *s = &option_table[k];
        if (s->kind != OPTKIND_ENUM) continue;
        fprintf(f, "    --%s) COMPREPLY=($(compgen -W \"", s->name);
        for (int n = 0; s->names[n]; n++) fprintf(f, "%s%s", n ? " " : "", s->names[n]);
        fputs("\" -- \"$cur\")); return ;;\n", f);
    }
    /* and a command's own option whose value is one of a few words */
    for (size_t k = 0; k < cli_option_count; k++) {
        const CliOption *c = &cli_options[k];
        if (!c->arg || !strchr(c->arg, '|')) continue;
        fprintf(f, "    --%s) COMPREPLY=($(compgen -W \"", c->name);
        for (const char *a = c->arg; *a; a++) fputc(*a == '|' ? ' ' : *a, f);
        fputs("\" -- \"$cur\")); return ;;\n", f);
    }
    char names[200];
    cli_command_names(names, sizeof names, " ");
    /* files' names read a line each (mapfile), not as the words of an
     * unquoted $(...), which would split "my data.csv" at its blank and
     * expand a file named * to every file */
    fprintf(f,
            "    --model|--resume|--output|-o|--config|--labels|--logdir)\n"
            "        mapfile -t COMPREPLY < <(compgen -f -- \"$cur\"); return ;;\n"
            "    --test)\n"
            "        mapfile -t COMPREPLY < <(compgen -f -- \"$cur\"); _gradtop_datasets \"$cur\"\n"
            "        return ;;\n"
            "    esac\n"
            "    if [[ $cur == -* ]]; then\n"
            "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\")); return\n"
            "    fi\n"
            "    if [ \"$cmd\" = help ]; then\n"
            "        [ \"$cword\" -eq 2 ] && COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))\n"
            "        return\n"
            "    fi\n"
            "    if [ \"$cmd\" = view ]; then\n"
            "        mapfile -t COMPREPLY < <(compgen -d -- \"$cur\"); return\n"
            "    fi\n"
            "    mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
            "    [ \"$cword\" -eq 1 ] && COMPREPLY+=($(compgen -W \"%s\" -- \"$cur\"))\n"
            "    _gradtop_datasets \"$cur\"\n"
            "}\n"
            /* filenames: readline quotes what it puts on the line (a
             * dataset or file named "a b" or "q$(touch x)"), so that the
             * line runs with that name rather than as shell words */
            "complete -o filenames -F _gradtop gradtop\n",
            names, names);
}
