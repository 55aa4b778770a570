/*
 * cli.h - the command-line front end: argument parsing shared by every
 * command, and one function per command.  Runs on the main thread; the only
 * part of gradtop besides the TUI that prints.
 */
#ifndef GRADTOP_CLI_H
#define GRADTOP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "gradtop/run/options.h"

/* The exit codes (README.md "Exit codes"). */
enum {
    EXIT_OK = 0,
    EXIT_RUNTIME = 1,
    EXIT_USAGE = 2,
    EXIT_DIVERGED = 3,
    EXIT_INTERRUPTED = 130, /* 128 + SIGINT */
    EXIT_QUIT = 131         /* 128 + SIGQUIT */
};
/* What each means: --help and the man page print this table, and
 * README.md's says the same words. */
typedef struct {
    int code;
    const char *meaning;
} CliExit;
extern const CliExit cli_exits[];
extern const size_t cli_exit_count;

/* The commands as bits, for which of them take an option. */
enum {
    CMD_INTERACTIVE = 1 << 0,
    CMD_TRAIN = 1 << 1,
    CMD_RACE = 1 << 2,
    CMD_GRADCHECK = 1 << 3,
    CMD_INSPECT = 1 << 4,
    CMD_EVAL = 1 << 5,
    CMD_PREDICT = 1 << 6,
    CMD_VIEW = 1 << 7,
    CMD_SWEEP = 1 << 8,
    CMD_HELP = 1 << 9,
};

/* What a command line said besides the training options. */
typedef struct {
    const char *command; /* NULL for the interactive mode */
    const char *model;   /* --model FILE */
    const char *output;  /* -o / --output FILE */
    const char *resume;  /* --resume RUNDIR */
    const char *part;    /* eval: --part all|train|val */
    const char *racers;  /* race: --racers SPEC */
    bool help;
    bool version;
    int n_positional;
    const char *positional[8];
    bool locked[256]; /* options given on the command line (option_table rows, then dataset) */
    bool given[256];  /* given on the command line or in the --config file: a dataset's own
                       * defaults (presets.h) leave them alone */
    OptionsPlace config_place[256]; /* where the --config file gave each (line 0: it did not) */
} CliArgs;

/* Options of single commands, outside the option table. */
typedef struct {
    const char *name, *alias; /* "output", "o" (alias: one dash) */
    size_t slot;              /* offsetof the const char * in CliArgs */
    unsigned commands;
    const char *arg, *help;
} CliOption;
extern const CliOption cli_options[];
extern const size_t cli_option_count;
/* How cli_parse reads the words, for --help and the manual page. */
extern const char cli_syntax_note[];
/* The commands (CMD_ bits) that take the option-table row s. */
unsigned cli_option_commands(const OptionSpec *s);

/*
 * Parses argv after the command word into o (defaults, then --config FILE,
 * then the command line, which wins, then for the commands that train the
 * dataset's own defaults where neither said otherwise) and a.  The dataset is the first
 * positional argument.  An option the command does not take is refused,
 * naming the commands that do; so is a data file's option for data that
 * has no use for it (--label for a generated set, --missing for IDX
 * images).  Prints the error and returns EXIT_USAGE on
 * bad input (EXIT_RUNTIME when the config file cannot be read).
 */
int cli_parse(int argc, char **argv, const char *command, Options *o, CliArgs *a);

/* Re-applies to run the options the command line gave (a->locked), so
 * they win over a run's stored ones; prints the error and returns
 * EXIT_USAGE on failure. */
int cli_overlay(Options *run, const Options *cli, const CliArgs *a);

/* The directory holding the running program (for datasets/ beside it). */
const char *cli_exe_dir(void);

void cli_usage(FILE *f, const char *command);

/* What --help and the man page both say of an option-table row, so that
 * the two cannot differ.  cli_value_word: the placeholder of its value (F,
 * N, S, N,N,..., an enum's names; "" for a flag).  cli_option_default: its
 * default (def, "" when it has none to show) and, for a number, a list or
 * a pace, the range it accepts, in the words of the message that refuses a
 * value out of it (range, "" when not shown). */
void cli_value_word(const OptionSpec *s, char *buf, size_t cap);
void cli_option_default(const OptionSpec *s, char *def, size_t def_cap, char *range,
                        size_t range_cap);
/* How a flag is turned off on the command line: --no-NAME, or for a flag
 * whose name starts with no- already (--no-log), --NAME=false. */
void cli_flag_off(const OptionSpec *s, char *buf, size_t cap);
/* The command's one-line synopsis and where to find the rest: for errors. */
void cli_hint(FILE *f, const char *command);

/*
 * The commands, in the order messages and --help list them, the
 * interactive mode (name NULL) last: main() dispatches from this table, and
 * --help, the man page and the shell completion are made from it and from
 * the option table.
 */
typedef struct {
    const char *name; /* NULL: the interactive mode */
    unsigned bit;
    const char *synopsis, *what;
    int (*run)(const Options *o, const CliArgs *a);
    void (*details)(FILE *f); /* more for COMMAND --help and the man page, or NULL */
} CliCommand;
extern const CliCommand cli_commands[];
extern const size_t cli_command_count;
/* The command named name (NULL: the interactive mode), or NULL. */
const CliCommand *cli_command_named(const char *name);
/* The commands' names, separated by sep: "train, race, ..., help". */
void cli_command_names(char *buf, size_t cap, const char *sep);
/* race and sweep without their screen (standard input and output not
 * both a terminal): --paused given on the command line would have nothing
 * to resume the run from; refused with a message to stderr (EXIT_USAGE),
 * else EXIT_OK. */
int cli_refuse_headless_paused(const char *command, const Options *o, const CliArgs *a);

/* The options that print something and exit, outside both option
 * tables: --help, the man page and the completion list them from here. */
typedef struct {
    const char *name, *alias; /* "version", "V" (alias: one dash) */
    bool alone;               /* only as gradtop's one argument: no command */
    const char *help;
} CliGeneral;
extern const CliGeneral cli_general[];
extern const size_t cli_general_count;

/* The manual page gradtop.1, in roff, made from the command and option
 * tables. */
void cli_man(FILE *f);
/* A bash completion script for gradtop, made from the same tables. */
void cli_bash_completion(FILE *f);
/* The names a DATASET may be given by, one a line, as dataset_load finds
 * them from where the program is (gradtop --list-datasets, which the
 * completion script runs).  False, said on stderr, when out of memory. */
bool cli_list_datasets(FILE *f);

int cmd_train(const Options *o, const CliArgs *a);
int cmd_inspect(const Options *o, const CliArgs *a);
int cmd_gradcheck(const Options *o, const CliArgs *a);
/* The race screen on a terminal, else the headless race (cmd_race.c). */
int cmd_race(const Options *o, const CliArgs *a);
/* What race --help and the man page say of race besides its options. */
void race_details(FILE *f);
int cmd_eval(const Options *o, const CliArgs *a);
int cmd_predict(const Options *o, const CliArgs *a);
int cmd_sweep(const Options *o, const CliArgs *a);

#endif
