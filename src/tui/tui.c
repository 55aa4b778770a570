/*
 * tui.c - interactive mode: setup screen, then the dashboard.  See tui.h.
 */
#include "tui.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crt.h"
#include "dashboard.h"
#include "race.h"
#include "run.h"
#include "setup.h"
#include "sweepview.h"
#include "text.h"

/* Which rows the setup form marks "(command line)": those set on the
 * command line that still hold its value in o (a value changed since,
 * live or in the form, is no longer the command line's).  Into marks,
 * option_count entries; NULL when there is no command line to compare. */
static const bool *still_given(const Options *cmdline, const bool *locked, const Options *o,
                               bool *marks)
{
    if (!locked || !marks) return locked;
    for (size_t i = 0; i < option_count; i++) {
        char a[OPTIONS_PATH], b[OPTIONS_PATH];
        options_format(cmdline, &option_table[i], a, sizeof a);
        options_format(o, &option_table[i], b, sizeof b);
        marks[i] = locked[i] && strcmp(a, b) == 0;
    }
    return marks;
}

static int exit_code_for(ErrorCode rc)
{
    return rc == ERROR_RUNTIME ? 1 : 2;
}

/* A one-line "loading" screen while the data loads (large sets take a
 * moment). */
static void draw_loading(const Options *o)
{
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    erase();
    char m[OPTIONS_PATH + 64];
    snprintf(m, sizeof m, "loading %s...", o->dataset);
    crt_set(stdscr, ROLE_DIM);
    crt_puts(stdscr, rows / 2, 2, cols - 4, m);
    crt_set(stdscr, ROLE_NORMAL);
    wnoutrefresh(stdscr);
    doupdate();
}

int tui_main(const Options *opt, bool start, const char *exe_dir, const bool *locked,
             const bool *given)
{
    /* The user's locale for characters (braille needs UTF-8), but numbers
     * always read and print with a '.', whatever the locale. */
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");

    Error err;
    error_clear(&err);
    if (options_validate(opt, &err)) {
        fprintf(stderr, "gradtop: %s\n", err.msg);
        return 2;
    }
    if (start && !opt->dataset[0]) {
        fprintf(stderr, "gradtop: --start needs a DATASET (for example: gradtop --start iris)\n");
        return 2;
    }
    char why[256];
    if (!crt_have_terminal(why, sizeof why)) {
        fprintf(stderr, "gradtop: %s\n", why);
        return 2;
    }
    crt_signals_install();
    Run run;
    run_init(&run, opt, exe_dir);
    /* With --start, problems with the data are plain messages before the
     * screen changes; nothing is written (no run directory) until the
     * terminal is ours. */
    if (start && run_open(&run, &err)) {
        fprintf(stderr, "gradtop: %s\n", err.msg);
        run_close(&run);
        return exit_code_for(err.code);
    }
    if (!crt_init(why, sizeof why)) {
        fprintf(stderr, "gradtop: %s\n", why);
        run_close(&run);
        return 2;
    }
    if (start && run_start(&run, &err)) {
        crt_done();
        fprintf(stderr, "gradtop: %s\n", err.msg);
        run_close(&run);
        return exit_code_for(err.code);
    }

    int code = 0;
    char message[1100] = "";
    char racers[1024] = "";
    SetupResult mode = SETUP_START;
    bool *marks = calloc(option_count, sizeof *marks);
    for (;;) {
        while (!start) {
            int sig = 0;
            SetupResult sr = setup_run(&run.opt, exe_dir, still_given(opt, locked, &run.opt, marks),
                                       given, message, &sig, racers, sizeof racers, mode);
            mode = SETUP_START;
            if (sr == SETUP_RACE || sr == SETUP_SWEEP) {
                /* the race and the sweep have screens of their own, which
                 * start curses again */
                Options ro = run.opt;
                crt_done();
                run_close(&run);
                char refused[sizeof message] = "";
                int rc = sr == SETUP_RACE
                             ? race_main(&ro, racers, exe_dir, refused, sizeof refused)
                             : sweepview_main(&ro, NULL, exe_dir, refused, sizeof refused);
                /* one that could not start (a --test set that does not
                 * load, which the preview does not read; a racer's network
                 * too large, found once the screen is open) or whose files
                 * failed as it ran (a full disk): back to the form, which
                 * says why, as after a single run's */
                run_init(&run, &ro, exe_dir);
                if (!refused[0] || !crt_init(why, sizeof why)) {
                    if (refused[0]) fprintf(stderr, "gradtop: %s\n", refused);
                    run_close(&run);
                    free(marks);
                    return rc;
                }
                text_copy(message, sizeof message, refused);
                mode = sr; /* the form opens in the mode that could not start */
                continue;
            }
            if (sr == SETUP_QUIT || sr == SETUP_SIGNAL) {
                crt_done();
                run_close(&run);
                free(marks);
                return sr == SETUP_QUIT ? 0 : 128 + sig;
            }
            draw_loading(&run.opt);
            if (run_open(&run, &err) || run_start(&run, &err)) {
                snprintf(message, sizeof message, "%s", err.msg);
                continue;
            }
            break;
        }
        bool to_setup = false;
        code = dashboard_run(&run, &to_setup);
        if (!to_setup) break;
        /* Back to the setup form with the run's settings, the changes made
         * live included (run_end puts them in run.opt).  The run ends and
         * its directory is finished, so the next run on the same data draws
         * it as an earlier run; the data is loaded again for the settings
         * chosen next. */
        run_end(&run);
        Options next = run.opt;
        message[0] = '\0';
        /* said on stderr, which curses holds until the terminal is back */
        if (run.core->log_error[0]) {
            snprintf(message, sizeof message, "%s", run.core->log_error);
            fprintf(stderr, "gradtop: %s\n", run.core->log_error);
        } else if (run.core->log_path[0]) {
            fprintf(stderr, "gradtop: run saved in %s\n", run.core->log_path);
        }
        run_close(&run);
        run_init(&run, &next, exe_dir);
        start = false;
    }
    /* Stopping the trainer may take a batch; the screen goes first so the
     * terminal is back at once. */
    crt_done();
    char log_path[sizeof run.core->log_path];
    snprintf(log_path, sizeof log_path, "%s", run.core->log_path);
    run_close(&run);
    if (run.core->log_error[0]) {
        fprintf(stderr, "gradtop: %s\n", run.core->log_error);
        if (code == 0) code = 1;
    } else if (log_path[0]) {
        fprintf(stderr, "gradtop: run saved in %s\n", log_path);
    }
    free(marks);
    return code;
}
