/* runlog.c - see runlog.h. */
#include "gradtop/run/rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "gradtop/io/atomicfile.h"
#include "gradtop/run/modelfile.h"
#include "gradtop/io/tfevents.h"

#ifndef GRADTOP_VERSION
#define GRADTOP_VERSION "unknown"
#endif

#define RUNDIR_PATH 4096
#define RUNDIR_MAX_HPARAMS 64
/* The share of the run's time that writing checkpoint.gtm may take. */
#define RUNDIR_CHECKPOINT_SHARE 0.01
/* nosync: a checkpoint.gtm is not written when the run's epochs left, at
 * its last epoch's pace, take less than this (seconds): rundir.h. */
#define RUNDIR_CHECKPOINT_NEAR 1.0

struct RunDir {
    const PreparedData *s;
    Options opt;
    Task task;
    bool has_val, has_test;
    char dir[RUNDIR_PATH];
    char metrics_path[RUNDIR_PATH];
    char journal_path[RUNDIR_PATH];
    char model_path[RUNDIR_PATH];
    char checkpoint_path[RUNDIR_PATH];
    FILE *metrics;
    FILE *journal;
    off_t metrics_end, journal_end; /* their lengths, as append_record knows them */
    TfeWriter *events;
    char *config_text;
    /* the last checkpoint's stored options (NULL: none made yet) and the
     * hyperparameters they were made with: the next checkpoint with the
     * same ones stores the same text, made once */
    char *state_text;
    HyperParams state_hp;
    int spare_fd; /* held for the model's save, which needs a descriptor (-1: none) */
    int lock_fd;  /* the directory, flock'ed while this process writes it (-1: none) */
    int last_epoch;
    long last_step;
    Error err;           /* the first I/O failure */
    atomic_bool failed;  /* err is set: other threads may read it then */
    bool journal_failed; /* a journal line could not be written: no more */
    bool off;            /* rundir_off: nothing more is written */
    bool nosync;         /* rundir_open_nosync: the owner makes the files durable */
    /* nosync: the kept epoch of weights model.gtm does not hold yet (0:
     * none), written with the next checkpoint.gtm; finishing: the last
     * state came, so model.gtm is written at once */
    int model_pending;
    bool finishing;
    void (*on_fail)(void *ctx, const Error *e);
    void *on_fail_ctx;
    /* checkpoint.gtm: the epoch it holds (-1: none written), how long the
     * last write took and when it ended (monotonic seconds) */
    int state_epoch;
    double state_cost, state_end;
    double state_share;
    /* nosync: how near the end (seconds) a state is left to the end's
     * write, and when the last state came (monotonic seconds; at first
     * when the directory was opened) */
    double state_near, state_seen;
};

static double now_seconds(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static void journal_line(RunDir *rl, double t, long step, int epoch, const char *kind,
                         const char *text);

/* Remembers the first failure (later ones are dropped), says so in the
 * journal as a line of kind note (when not NULL and the journal still
 * takes lines) and tells the owner's on_fail. */
static void rl_fail_err(RunDir *rl, const Error *e, const char *note)
{
    if (rl->err.code != ERROR_NONE || e->code == ERROR_NONE) return;
    rl->err = *e;
    atomic_store_explicit(&rl->failed, true, memory_order_release);
    if (note) journal_line(rl, now_seconds(), rl->last_step, rl->last_epoch, note, e->msg);
    if (rl->on_fail) rl->on_fail(rl->on_fail_ctx, &rl->err);
}

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void rl_fail(RunDir *rl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rl_fail(RunDir *rl, const char *fmt, ...)
{
    if (rl->err.code != ERROR_NONE) return;
    Error e = {.code = ERROR_RUNTIME};
    va_list ap;
    va_start(ap, fmt);
    error_setv(&e, ERROR_RUNTIME, fmt, ap);
    va_end(ap);
    rl_fail_err(rl, &e, "write_failed");
}

/* ---- files ----------------------------------------------------------- */

/* Why an operation on a path inside dir (or on dir itself) failed with
 * errno e, into buf: the system's words, or what is wrong with dir when
 * they would mislead: a symbolic link to nothing, a file where a directory
 * should be, or a directory that exists where the system says there is
 * none (mkdir inside /proc or another virtual file system). */
static const char *dir_trouble(const char *dir, int e, char *buf, size_t cap)
{
    struct stat st;
    char target[RUNDIR_PATH];
    ssize_t n;
    bool found = lstat(dir, &st) == 0;
    if (found && S_ISLNK(st.st_mode) && stat(dir, &st) != 0 &&
        (n = readlink(dir, target, sizeof target - 1)) >= 0) {
        target[n] = '\0';
        snprintf(buf, cap, "%s is a symbolic link to %s, which does not exist", dir, target);
    } else if (found && e == ENOTDIR && stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        snprintf(buf, cap, "%s is not a directory", dir);
    } else if (found && e == ENOENT && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(buf, cap, "%s, though %s exists: its file system takes no new directories",
                 strerror(e), dir);
    } else {
        snprintf(buf, cap, "%s", strerror(e));
    }
    return buf;
}

/* mkdir(path) for --logdir failed with errno e: ERROR_RUNTIME naming the
 * option's value, the path and the reason. */
static ErrorCode mkdir_failed(const char *logdir, const char *path, int e, Error *err)
{
    char dir[RUNDIR_PATH], why[2 * RUNDIR_PATH];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        slash[slash == dir] = '\0'; /* "/x" is in "/" */
    dir_trouble(dir, e, why, sizeof why);
    if (strcmp(logdir, path) == 0)
        return error_set(err, ERROR_RUNTIME, "--logdir %s: can't make it: %s", logdir, why);
    return error_set(err, ERROR_RUNTIME, "--logdir %s: can't make %s: %s", logdir, path, why);
}

/* mkdir -p: ERROR_RUNTIME naming path (as given) and the part that cannot
 * be made.  A directory that is there already (a sweep's, for each of its
 * trials) costs one stat, not a mkdir of each part of its path. */
static ErrorCode make_dirs(const char *path, Error *err)
{
    char buf[RUNDIR_PATH];
    size_t n = strlen(path);
    if (n == 0) return error_set(err, ERROR_INPUT, "--logdir: empty directory name");
    if (n >= sizeof buf) return error_set(err, ERROR_INPUT, "%s: path too long", path);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return ERROR_NONE;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return mkdir_failed(path, buf, errno, err);
        buf[i] = c;
    }
    if (stat(path, &st) != 0) {
        char why[2 * RUNDIR_PATH];
        return error_set(err, ERROR_RUNTIME, "--logdir %s: %s", path,
                         dir_trouble(path, errno, why, sizeof why));
    }
    if (!S_ISDIR(st.st_mode))
        return error_set(err, ERROR_RUNTIME, "--logdir %s: not a directory", path);
    return ERROR_NONE;
}

/* Keeps letters, digits, '.', '-' and '_'; anything else becomes '_'. */
static void sanitize(char *dst, size_t cap, const char *src)
{
    size_t n = 0;
    for (; *src && n + 1 < cap; src++) {
        unsigned char c = (unsigned char)*src;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '-' || c == '_';
        dst[n++] = ok ? (char)c : '_';
    }
    dst[n] = '\0';
    if (n == 0 || strcmp(dst, ".") == 0 || strcmp(dst, "..") == 0) snprintf(dst, cap, "run");
}

/* Writes text to path atomically (atomicfile.h), fsynced when sync. */
static int write_atomic(const char *path, const char *text, bool sync)
{
    AtomicFile af;
    int e = atomicfile_open(&af, path);
    if (e) return e;
    af.sync = sync;
    size_t n = strlen(text);
    return atomicfile_commit(&af, fwrite(text, 1, n, af.f) != n ? (errno ? errno : EIO) : 0);
}

/* The PID of NAME.tmp.PID (as write_atomic and modelfile_save name their
 * temporaries), or 0 when name is not one. */
static long temporary_pid(const char *name)
{
    const char *p = NULL;
    for (const char *q = strstr(name, ".tmp."); q; q = strstr(q + 1, ".tmp.")) p = q;
    if (!p || p == name) return 0;
    p += 5;
    long pid = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || pid > 99999999) return 0;
        pid = pid * 10 + (*p - '0');
    }
    return pid;
}

int rundir_remove_stale(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        long pid = temporary_pid(e->d_name);
        if (pid <= 0 || pid == (long)getpid()) continue;
        /* A process that still exists (EPERM: someone else's) may be
         * writing it; only ESRCH says nobody will rename it any more. */
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0) removed++;
    }
    closedir(d);
    return removed;
}

/* Appends text to f, whose buffer is empty (every record is flushed), as
 * one record: written and flushed whole, or cut back to where it began (a
 * full disk takes part of it), so that no reader ever meets half a row or
 * half a line.  *end is the file's length after the last record appended
 * (-1: not known yet, asked of the file): only this stream writes the
 * file (the run directory's lock), so that a record costs no fstat.
 * errno, and false, when it could not be written. */
static bool append_record(FILE *f, off_t *end, const char *text)
{
    struct stat st;
    off_t start = *end >= 0 ? *end : fstat(fileno(f), &st) == 0 ? st.st_size : -1;
    size_t len = strlen(text);
    errno = 0;
    if (fputs(text, f) >= 0 && fflush(f) == 0) {
        *end = start >= 0 ? start + (off_t)len : -1;
        return true;
    }
    int e = errno ? errno : EIO;
    /* drop what stdio still holds, so that closing writes none of it */
    __fpurge(f);
    *end = -1;
    if (start >= 0 && ftruncate(fileno(f), start) == 0 && fseeko(f, start, SEEK_SET) == 0)
        *end = start;
    errno = e;
    return false;
}

static void flush_file(RunDir *rl, FILE *f, const char *path, bool sync)
{
    if (!f) return;
    if (fflush(f) != 0) {
        rl_fail(rl, "%s: %s", path, strerror(errno));
        return;
    }
    if (sync && fsync(fileno(f)) != 0 && errno != EINVAL && errno != EROFS)
        rl_fail(rl, "%s: %s", path, strerror(errno));
}

/* ---- journal --------------------------------------------------------- */

/* Local ISO 8601 time with milliseconds and offset: 2026-11-24T19:30:00.123+01:00. */
static void iso_time(char *buf, size_t cap, double t)
{
    time_t sec = (time_t)floor(t);
    int ms = (int)((t - floor(t)) * 1000.0);
    if (ms > 999) ms = 999;
    if (ms < 0) ms = 0;
    struct tm tm;
    if (!localtime_r(&sec, &tm)) {
        snprintf(buf, cap, "%.3f", t);
        return;
    }
    char date[32], zone[8];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    strftime(zone, sizeof zone, "%z", &tm); /* +0100 */
    if (strlen(zone) == 5)
        snprintf(buf, cap, "%s.%03d%.3s:%.2s", date, ms, zone, zone + 3);
    else
        snprintf(buf, cap, "%s.%03d", date, ms);
}

static const char *event_word(EventKind k)
{
    switch (k) {
    case EVENT_START: return "start";
    case EVENT_PAUSE: return "pause";
    case EVENT_RESUME: return "resume";
    case EVENT_STEP: return "step";
    case EVENT_CHANGE: return "change";
    case EVENT_SCHEDULE: return "schedule";
    case EVENT_EARLY_STOP: return "early_stop";
    case EVENT_DIVERGED: return "diverged";
    case EVENT_STOP: return "stop";
    case EVENT_RESTORE: return "restore";
    case EVENT_END: return "end";
    case EVENT_WARNING: return "warning";
    }
    return "event";
}

/* After another file failed the journal still takes lines (the stop, the
 * end and the result say how the run ended), each whole or not at all. */
static void journal_line(RunDir *rl, double t, long step, int epoch, const char *kind,
                         const char *text)
{
    if (!rl->journal || rl->journal_failed || rl->off) return;
    char when[64];
    iso_time(when, sizeof when, t);
    /* room for the longest text written here: a sweep trial's run line,
     * which holds the sweep's space (sweep_settings_text) */
    char line[OPTIONS_SPACE + 1024];
    int at = snprintf(line, sizeof line, "%s step=%ld epoch=%d %s ", when, step, epoch, kind);
    size_t n = at > 0 && (size_t)at < sizeof line ? (size_t)at : 0;
    /* one line per entry: line breaks inside text would split it */
    for (const char *c = text ? text : ""; *c && n + 2 < sizeof line; c++)
        line[n++] = (*c == '\n' || *c == '\r') ? ' ' : *c;
    line[n++] = '\n';
    line[n] = '\0';
    if (!append_record(rl->journal, &rl->journal_end, line)) {
        rl->journal_failed = true;
        rl_fail(rl, "%s: %s", rl->journal_path, strerror(errno));
    }
}

void rundir_note(RunDir *rl, const char *kind, const char *text)
{
    journal_line(rl, now_seconds(), rl->last_step, rl->last_epoch, kind, text);
}

/* ---- hparams --------------------------------------------------------- */

typedef struct {
    TfeHParam hp[RUNDIR_MAX_HPARAMS];
    char text[RUNDIR_MAX_HPARAMS][256];
    int n;
} HParamSet;

/* Whether s is a hyperparameter of the model or its training, a column
 * of the HParams tab: an option of the run (config.txt's) that changes
 * what it learns, --seed included.  Not the output options (the run's
 * name, the pace on screen), not --threads (how many threads share each
 * step: how fast it trains, not what), and not the options that say which
 * file holds what or how it is read: --test (a set scored after
 * training, by its path), --labels (an IDX file's labels, by path) and
 * --delimiter. */
static bool is_hparam(const OptionSpec *s)
{
    static const char *const not_hparams[] = {"threads", "test", "labels", "delimiter"};
    if (!s->in_config || s->group == OPTGROUP_OUTPUT) return false;
    for (size_t i = 0; i < sizeof not_hparams / sizeof not_hparams[0]; i++)
        if (strcmp(s->name, not_hparams[i]) == 0) return false;
    return true;
}

/* The run's hyperparameters (is_hparam), typed for the HParams
 * dashboard: those that apply to it (an Adam run does not list SGD's
 * momentum, an iris run a generated set's noise), or with every_option
 * all of them. */
static void collect_hparams(HParamSet *set, const Options *o, const char *dataset, DatasetKind kind,
                            bool every_option)
{
    set->n = 0;
    TfeHParam *h = &set->hp[set->n];
    if (snprintf(set->text[set->n], sizeof set->text[0], "%s", dataset) < 0)
        set->text[set->n][0] = '\0';
    *h = (TfeHParam){.name = "dataset",
                     .type = TFE_HPARAM_STRING,
                     .string = set->text[set->n],
                     .differs = options_varied(o, "dataset")};
    set->n++;
    for (size_t i = 0; i < option_count && set->n < RUNDIR_MAX_HPARAMS; i++) {
        const OptionSpec *s = &option_table[i];
        if (!is_hparam(s)) continue;
        if (!every_option &&
            !(option_applies(s, o) && option_data_applies_kind(option_data(s), o->dataset, kind)))
            continue;
        const void *base = (const char *)o + s->offset;
        h = &set->hp[set->n];
        /* an enum's names are all the values it can take */
        *h = (TfeHParam){.name = s->name,
                         .differs = options_varied(o, s->name),
                         .domain = s->kind == OPTKIND_ENUM ? s->names : NULL};
        switch (s->kind) {
        case OPTKIND_INT:
            h->type = TFE_HPARAM_NUMBER;
            h->number = *(const int *)base;
            break;
        case OPTKIND_U64:
            h->type = TFE_HPARAM_NUMBER;
            h->number = (double)*(const uint64_t *)base;
            break;
        case OPTKIND_DOUBLE:
            h->type = TFE_HPARAM_NUMBER;
            h->number = *(const double *)base;
            break;
        case OPTKIND_BOOL:
            h->type = TFE_HPARAM_BOOL;
            h->boolean = *(const bool *)base;
            break;
        default:
            h->type = TFE_HPARAM_STRING;
            options_format(o, s, set->text[set->n], sizeof set->text[0]);
            h->string = set->text[set->n];
            break;
        }
        set->n++;
    }
}

/* The HParams experiment's metrics.  The tab shows a metric's latest
 * scalar in the run, so the epoch's own figures (loss, val_loss, ...),
 * written each epoch, show how a run that is still training (or was
 * killed, or waits at a sweep's rung) stands now; the final/ figures, of
 * the kept weights, come at its end.  TensorBoard takes the experiment
 * from one of the runs it reads and ignores the others', so it names what
 * any run may have: both tasks' figures of every part (a run with --test,
 * or a regression, beside one without; a run lacking a figure leaves its
 * cell empty).  The run's own task comes first, validation first: the tab
 * shows the first few metrics until others are chosen; the rate last. */
#define METRIC_TAGS 21
static int metric_tags(const RunDir *rl, TfeMetric *out, char (*tags)[32])
{
    static const struct {
        const char *prefix;
        TfeDatasetType dataset;
    } parts[] = {{"val_", TFE_DATASET_VALIDATION},
                 {"", TFE_DATASET_TRAINING},
                 {"final/val_", TFE_DATASET_VALIDATION},
                 {"final/", TFE_DATASET_TRAINING},
                 {"final/test_", TFE_DATASET_UNKNOWN}};
    /* the figures of every part: the run's own task's, then the other's */
    static const char *const cls[] = {"loss", "accuracy", NULL, "mae", "r2", NULL};
    static const char *const reg[] = {"loss", "mae", "r2", NULL, "accuracy", NULL};
    const char *const *figures = rl->task == TASK_CLASSIFICATION ? cls : reg;
    int n = 0;
    for (int pass = 0; pass < 2; pass++) {
        const char *const *first = pass == 0 ? figures : figures + (figures == cls ? 3 : 4);
        for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++)
            for (const char *const *f = first; *f; f++) {
                snprintf(tags[n], sizeof tags[n], "%s%s", parts[p].prefix, *f);
                out[n] = (TfeMetric){tags[n], parts[p].dataset};
                n++;
            }
    }
    /* and the rate in force, which a schedule, a PBT exploit or a change
     * on the dashboard moves from the one the session started with */
    out[n++] = (TfeMetric){"learning_rate", TFE_DATASET_TRAINING};
    return n;
}

/* ---- open / close ---------------------------------------------------- */

/* p, when it names a regular file by a relative path, becomes its
 * absolute path (left alone when that does not fit in cap). */
static void absolute_file(char *p, size_t cap)
{
    struct stat st;
    char real[PATH_MAX];
    if (!p[0] || p[0] == '/' || stat(p, &st) != 0 || !S_ISREG(st.st_mode) || !realpath(p, real))
        return;
    size_t n = strlen(real);
    if (n < cap) memcpy(p, real, n + 1);
}

void rundir_absolute_files(Options *o)
{
    absolute_file(o->dataset, sizeof o->dataset);
    absolute_file(o->test, sizeof o->test);
    absolute_file(o->labels, sizeof o->labels);
}

/* The parts of a run directory's name: dataset and name as they go into
 * it (name "" when none). */
static void name_parts(const char *dataset, const char *name, char ds[128], char nm[128])
{
    sanitize(ds, 128, dataset[0] ? dataset : "data");
    nm[0] = '\0';
    if (name[0]) sanitize(nm, 128, name);
}

size_t rundir_name_max(const char *dataset, const char *name)
{
    char ds[128], nm[128];
    name_parts(dataset, name, ds, nm);
    return strlen("YYYYMMDD-HHMMSS-") + strlen(ds) + (nm[0] ? 1 + strlen(nm) : 0) + strlen("-9999");
}

ErrorCode rundir_make_dir(const char *logdir, const char *dataset, const char *name, double t,
                          size_t room, char *out, size_t cap, Error *err)
{
    char ds[128], nm[128], base[RUNDIR_PATH];
    name_parts(dataset, name, ds, nm);
    size_t longest = strlen(logdir) + 1 + rundir_name_max(dataset, name);
    if (longest + room >= RUNDIR_DIR_MAX)
        return error_set(err, ERROR_INPUT,
                         "--logdir: %zu bytes long, and the %s made under it could take %zu, more "
                         "than the %d a run directory's path may: choose a shorter one (%s)",
                         strlen(logdir), room ? "runs" : "run directory", longest + room,
                         RUNDIR_DIR_MAX - 1, logdir);
    ErrorCode rc = make_dirs(logdir, err);
    if (rc) return rc;
    time_t sec = (time_t)t;
    struct tm tm;
    char stamp[32] = "00000000-000000";
    if (localtime_r(&sec, &tm)) strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    int len;
    if (nm[0]) {
        len = snprintf(base, sizeof base, "%s/%s-%s-%s", logdir, stamp, ds, nm);
    } else {
        len = snprintf(base, sizeof base, "%s/%s-%s", logdir, stamp, ds);
    }
    if (len < 0 || (size_t)len + 32 >= sizeof base)
        return error_set(err, ERROR_INPUT, "%s: path too long", logdir);
    for (int k = 1; k < 10000; k++) {
        int m = k == 1 ? snprintf(out, cap, "%s", base) : snprintf(out, cap, "%s-%d", base, k);
        if (m < 0 || (size_t)m >= cap)
            return error_set(err, ERROR_INPUT, "%s: path too long", logdir);
        if (mkdir(out, 0755) == 0) return ERROR_NONE;
        if (errno != EEXIST) return mkdir_failed(logdir, out, errno, err);
    }
    return error_set(err, ERROR_RUNTIME, "%s: too many runs named %s", logdir, base);
}

static ErrorCode make_run_dir(RunDir *rl, const Options *o, const PreparedData *s, double t,
                              Error *err)
{
    return rundir_make_dir(o->logdir, s->all.name, o->name, t, 0, rl->dir, sizeof rl->dir, err);
}

static void metrics_header(RunDir *rl)
{
    const char *h = rl->task == TASK_CLASSIFICATION
                        ? "epoch,step,wall_time,loss,accuracy,val_loss,val_accuracy,lr\n"
                        : "epoch,step,wall_time,loss,mae,r2,val_loss,val_mae,val_r2,lr\n";
    if (!append_record(rl->metrics, &rl->metrics_end, h))
        rl_fail(rl, "%s: %s", rl->metrics_path, strerror(errno));
}

static ErrorCode open_run(RunDir **out, const Options *o, const PreparedData *s, const char *resume,
                          int epoch, long step, bool nosync, Error *err);

/* Locks rl->dir while this process writes it: two writers (a train
 * --resume of a run still training, or two at once) would interleave their
 * rows and cut each other's files back. */
static ErrorCode lock_run_dir(RunDir *rl, Error *err)
{
    return atomicfile_lock_dir(rl->dir,
                               "another gradtop is writing this run; resume it once that one "
                               "has ended",
                               &rl->lock_fd, err);
}

/* Removes a run directory this process has just made, with whatever it
 * holds (only files it wrote): a run that could not open all its files
 * leaves nothing behind.  Its files are closed first, which frees the
 * descriptor the listing needs. */
static void remove_new_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        int fd = dirfd(d);
        struct dirent *ent;
        while ((ent = readdir(d)))
            if (strcmp(ent->d_name, ".") && strcmp(ent->d_name, "..")) unlinkat(fd, ent->d_name, 0);
        closedir(d);
    }
    rmdir(dir);
}

/* Closes a run that failed to open; a new one's directory goes too. */
static ErrorCode abandon_run(RunDir *rl, bool made, ErrorCode rc)
{
    char dir[RUNDIR_PATH];
    snprintf(dir, sizeof dir, "%s", rl->dir);
    rundir_close(rl);
    if (made) remove_new_dir(dir);
    return rc;
}

/* What cutting a run's files back to an epoch removed, for the journal. */
typedef struct {
    int rows;           /* metrics.csv rows kept */
    int cut_rows;       /* and removed */
    int first_cut;      /* the epoch of the first row removed, 0 if none */
    size_t cut_records; /* event records removed */
    int cut_files;      /* event files left with nothing and removed */
    int cut_models;     /* checkpoint.gtm, model.gtm removed: of epochs no longer kept */
} Cut;

/* Reads metrics.csv from f for its rows of epochs 1 .. epoch, in order,
 * counting them (and what follows them) into c: from the first row that is
 * not the next of those (a later epoch, a repeat, a row cut short by a
 * crash), everything is to go.  Returns the offset where the kept rows end
 * (-1 on a read error); *cutting says whether anything follows it. */
static long scan_metrics(FILE *f, int epoch, Cut *c, bool *cutting)
{
    char line[4096];
    long keep = 0;
    bool header = true;
    *cutting = false;
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        bool whole = n > 0 && line[n - 1] == '\n';
        if (header) {
            header = false;
            if (whole && strncmp(line, "epoch,", 6) == 0) {
                keep = ftell(f);
                continue;
            }
            *cutting = true; /* not a gradtop header: written anew */
        }
        char *end;
        long e = strtol(line, &end, 10);
        if (!*cutting && (!whole || end == line || *end != ',' || e != c->rows + 1 || e > epoch))
            *cutting = true;
        if (*cutting) {
            if (!c->first_cut && end != line && *end == ',' && e > 0) c->first_cut = (int)e;
            if (whole || !feof(f)) c->cut_rows++;
            continue;
        }
        c->rows++;
        keep = ftell(f);
    }
    return ferror(f) ? -1 : keep;
}

/* Cuts metrics.csv back to its rows of epochs 1 .. epoch (scan_metrics). */
static ErrorCode cut_metrics(const char *path, int epoch, Cut *c, Error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT) return ERROR_NONE; /* written anew */
        return error_set(err, ERROR_RUNTIME, "%s: %s", path, strerror(errno));
    }
    bool cutting;
    long keep = scan_metrics(f, epoch, c, &cutting);
    fclose(f);
    if (keep < 0) return error_set(err, ERROR_RUNTIME, "%s: read error", path);
    if (cutting && truncate(path, keep) != 0)
        return error_set(err, ERROR_RUNTIME, "%s: %s", path, strerror(errno));
    return ERROR_NONE;
}

/* A run file that exists but is not a regular file is refused by name:
 * opening a named pipe would wait for a writer for good, and a resume
 * cuts and appends to these files, which through a symbolic link would
 * be the file it names, anywhere. */
static ErrorCode check_run_file(const char *path, Error *err)
{
    struct stat st;
    if (lstat(path, &st) != 0 || S_ISREG(st.st_mode)) return ERROR_NONE;
    if (S_ISLNK(st.st_mode))
        return error_set(err, ERROR_INPUT,
                         "%s: a symbolic link, not a regular file (a run's files are): a resume "
                         "would cut and write the file it names",
                         path);
    return error_set(err, ERROR_INPUT, "%s: not a regular file (a run's files are)", path);
}

ErrorCode rundir_check_files(const char *dir, Error *err)
{
    static const struct {
        const char *name;
        bool appended; /* else replaced whole (atomicfile.h) */
    } files[] = {{"metrics.csv", true},
                 {"journal.txt", true},
                 {"config.txt", false},
                 {RUNDIR_MODEL_FILE, false},
                 {"checkpoint.gtm", false}};
    char path[RUNDIR_PATH + 32];
    ErrorCode rc = ERROR_NONE;
    for (size_t k = 0; !rc && k < sizeof files / sizeof files[0]; k++) {
        if (snprintf(path, sizeof path, "%s/%s", dir, files[k].name) >= (int)sizeof path)
            return error_set(err, ERROR_INPUT, "%s: path too long", dir);
        rc = files[k].appended ? check_run_file(path, err) : atomicfile_check_target(path, err);
    }
    return rc;
}

/* Cuts every event file of dir back to step epoch; a file left without a
 * scalar goes (a session that began after the epoch, or was killed before
 * its first one). */
static ErrorCode cut_events(const char *dir, int epoch, Cut *c, Error *err)
{
    DIR *d = opendir(dir);
    if (!d) return error_set(err, ERROR_RUNTIME, "%s: %s", dir, strerror(errno));
    ErrorCode rc = ERROR_NONE;
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (strncmp(e->d_name, "events.out.tfevents.", 20) != 0) continue;
        char path[RUNDIR_PATH + 256];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t kept = 0, removed = 0;
        rc = check_run_file(path, err);
        /* the final/ figures are where a stopped run ended */
        if (!rc) rc = tfevents_cut(path, epoch, "final/", &kept, &removed, err);
        c->cut_records += removed;
        if (!rc && kept == 0 && unlink(path) == 0) c->cut_files++;
    }
    closedir(d);
    return rc;
}

/* The journal's account of a cut. */
static void journal_cut(RunDir *rl, double t, int epoch, long step, const Cut *c)
{
    char text[512];
    int n = epoch == 0 && c->rows == 0
                ? snprintf(text, sizeof text,
                           "starts again from the first epoch: metrics.csv keeps "
                           "no epoch")
                : snprintf(text, sizeof text,
                           "goes on from the end of epoch %d: metrics.csv keeps epochs 1-%d", epoch,
                           c->rows);
    if (c->cut_rows && n > 0 && (size_t)n < sizeof text)
        n += snprintf(text + n, sizeof text - (size_t)n, ", %d later row%s removed (from epoch %d)",
                      c->cut_rows, c->cut_rows == 1 ? "" : "s", c->first_cut);
    if (c->cut_records && n > 0 && (size_t)n < sizeof text)
        n += snprintf(text + n, sizeof text - (size_t)n,
                      "; %zu event record%s after epoch %d removed", c->cut_records,
                      c->cut_records == 1 ? "" : "s", epoch);
    if (c->cut_files && n > 0 && (size_t)n < sizeof text)
        n += snprintf(text + n, sizeof text - (size_t)n, " (%d event file%s left empty, deleted)",
                      c->cut_files, c->cut_files == 1 ? "" : "s");
    if (c->cut_models && n > 0 && (size_t)n < sizeof text)
        snprintf(text + n, sizeof text - (size_t)n,
                 "; the model files an earlier attempt saved removed");
    journal_line(rl, t, step, epoch, "rewind", text);
}

/* What config.txt's comment says of its options. */
static const char started_note[] =
    "# as the run started, but for a generated set's noise and val-split, which are as they\n"
    "# are now; what changed while it trained is in journal.txt\n";

/* config.txt's text for o, with note after its first line (malloc'ed;
 * NULL when out of memory).  Files are named by absolute path, so that
 * --config and --resume work from any directory. */
static char *config_text_of(const Options *o, const char *note)
{
    Options *saved = malloc(sizeof *saved);
    if (!saved) return NULL;
    *saved = *o;
    rundir_absolute_files(saved);
    size_t need = 0, nl_len = strlen(note);
    char *text = options_config_text(saved, &need);
    char *room = text ? realloc(text, need + nl_len + 1) : NULL;
    if (!room) free(text);
    text = room;
    if (text) {
        /* after the first line, options_to_config's own comment */
        char *nl = strchr(text, '\n');
        size_t at = nl ? (size_t)(nl + 1 - text) : 0;
        memmove(text + at + nl_len, text + at, need + 1 - at);
        memcpy(text + at, note, nl_len);
    }
    free(saved);
    return text;
}

void rundir_on_data(RunDir *rl, const PreparedData *s)
{
    rl->s = s;
    rl->opt.noise = s->opt.noise;
    rl->opt.val_split = s->opt.val_split;
    free(rl->state_text); /* made of the options as they were */
    rl->state_text = NULL;
    if (rl->off || rl->err.code != ERROR_NONE) return;
    char *text = config_text_of(&rl->opt, started_note);
    if (!text) {
        rl_fail(rl, "%s/config.txt: out of memory", rl->dir);
        return;
    }
    free(rl->config_text);
    rl->config_text = text; /* model.gtm keeps it too */
    char config_path[RUNDIR_PATH + 16];
    snprintf(config_path, sizeof config_path, "%s/config.txt", rl->dir);
    int e = write_atomic(config_path, rl->config_text, !rl->nosync);
    if (e) rl_fail(rl, "%s: %s", config_path, strerror(e));
}

ErrorCode rundir_open(RunDir **out, const Options *o, const PreparedData *s, Error *err)
{
    return open_run(out, o, s, NULL, 0, 0, false, err);
}

ErrorCode rundir_resume(RunDir **out, const char *dir, int epoch, long step, const Options *o,
                        const PreparedData *s, Error *err)
{
    return open_run(out, o, s, dir, epoch, step, false, err);
}

ErrorCode rundir_open_nosync(RunDir **out, const char *resume_dir, int epoch, long step,
                             const Options *o, const PreparedData *s, Error *err)
{
    return open_run(out, o, s, resume_dir, epoch, step, true, err);
}

/* Opens a new run directory, or with resume an existing one whose files
 * are appended to (and a new event file started beside the old). */
static ErrorCode open_run(RunDir **out, const Options *o, const PreparedData *s, const char *resume,
                          int epoch, long step, bool nosync, Error *err)
{
    *out = NULL;
    RunDir *rl = calloc(1, sizeof *rl);
    if (!rl) return error_set(err, ERROR_RUNTIME, "out of memory");
    rl->spare_fd = -1;
    rl->lock_fd = -1;
    rl->s = s;
    rl->opt = *o;
    rl->task = s->all.task;
    rl->has_val = s->val.n > 0;
    rl->has_test = s->has_test;
    rl->state_epoch = -1;
    rl->state_share = RUNDIR_CHECKPOINT_SHARE;
    rl->state_near = RUNDIR_CHECKPOINT_NEAR;
    rl->state_seen = now_mono();
    rl->nosync = nosync;
    double t = now_seconds();
    ErrorCode rc = ERROR_NONE;
    if (resume) {
        struct stat st;
        if (strlen(resume) + 32 >= sizeof rl->dir)
            rc = error_set(err, ERROR_INPUT, "%s: path too long", resume);
        else if (stat(resume, &st) != 0 || !S_ISDIR(st.st_mode))
            rc = error_set(err, ERROR_INPUT, "%s: not a run directory", resume);
        else
            snprintf(rl->dir, sizeof rl->dir, "%s", resume);
        if (!rc) rc = lock_run_dir(rl, err);
        if (!rc) rundir_remove_stale(rl->dir);
    } else {
        rc = make_run_dir(rl, o, s, t, err);
        if (!rc && (rc = lock_run_dir(rl, err))) {
            remove_new_dir(rl->dir);
        }
    }
    if (rc) {
        if (rl->lock_fd >= 0) close(rl->lock_fd);
        free(rl);
        return rc;
    }
    /* make_run_dir left room for these names */
    if (snprintf(rl->metrics_path, sizeof rl->metrics_path, "%s/metrics.csv", rl->dir) < 0 ||
        snprintf(rl->journal_path, sizeof rl->journal_path, "%s/journal.txt", rl->dir) < 0 ||
        snprintf(rl->model_path, sizeof rl->model_path, "%s/" RUNDIR_MODEL_FILE, rl->dir) < 0 ||
        snprintf(rl->checkpoint_path, sizeof rl->checkpoint_path, "%s/checkpoint.gtm", rl->dir) < 0)
        return abandon_run(rl, !resume,
                           error_set(err, ERROR_RUNTIME, "%s: path too long", o->logdir));

    rl->config_text = config_text_of(o, started_note);
    if (!rl->config_text)
        return abandon_run(rl, !resume, error_set(err, ERROR_RUNTIME, "out of memory"));
    /* A resumed run goes on from its checkpoint's epoch: what the files
     * hold beyond it (the epochs a crash cut off before their checkpoint)
     * is removed, so that every epoch appears once, in order. */
    Cut cut = {0};
    if (resume) {
        rc = rundir_check_files(rl->dir, err);
        if (!rc) rc = cut_metrics(rl->metrics_path, epoch, &cut, err);
        if (!rc) rc = cut_events(rl->dir, epoch, &cut, err);
        /* starting again from the first epoch, the run keeps no weights:
         * a checkpoint.gtm or model.gtm an earlier attempt left (a sweep's
         * trial killed after its first epoch, taken up anew) would have
         * the next resume go on from an epoch the files no longer hold */
        const char *models[2] = {rl->checkpoint_path, rl->model_path};
        for (int k = 0; !rc && epoch == 0 && k < 2; k++) {
            if (unlink(models[k]) == 0)
                cut.cut_models++;
            else if (errno != ENOENT)
                rc = error_set(err, ERROR_RUNTIME, "%s: %s", models[k], strerror(errno));
        }
        if (rc) return abandon_run(rl, false, rc);
        rl->state_epoch = epoch; /* checkpoint.gtm holds it already */
        rl->last_epoch = epoch;  /* for notes before the first epoch */
        rl->last_step = step;
    }
    char config_path[RUNDIR_PATH + 16];
    snprintf(config_path, sizeof config_path, "%s/config.txt", rl->dir);
    int e = write_atomic(config_path, rl->config_text, !nosync);
    if (e)
        return abandon_run(rl, !resume,
                           error_set(err, ERROR_RUNTIME, "%s: %s", config_path, strerror(e)));

    rl->metrics_end = rl->journal_end = -1; /* append_record asks the files */
    rl->metrics = fopen(rl->metrics_path, resume ? "a" : "w");
    if (!rl->metrics) {
        rc = error_set(err, ERROR_RUNTIME, "%s: %s", rl->metrics_path, strerror(errno));
        return abandon_run(rl, !resume, rc);
    }
    rl->journal = fopen(rl->journal_path, resume ? "a" : "w");
    if (!rl->journal) {
        rc = error_set(err, ERROR_RUNTIME, "%s: %s", rl->journal_path, strerror(errno));
        return abandon_run(rl, !resume, rc);
    }
    rc = tfevents_open(&rl->events, rl->dir, t, RUNDIR_EVENTS_WRITER, err);
    if (rc) return abandon_run(rl, !resume, rc);
    tfevents_set_sync(rl->events, !nosync);
    /* the model is saved later, through a temporary file: its descriptor
     * is set aside now, so that a run short of descriptors fails here,
     * before it has begun, rather than at its first save */
    rl->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (rl->spare_fd < 0)
        return abandon_run(rl, !resume,
                           error_set(err, error_code_of_open(errno),
                                     "%s: no descriptor left for saving the model: %s", rl->dir,
                                     strerror(errno)));

    if (ftell(rl->metrics) == 0) metrics_header(rl);

    /* a resumed session starts again after the checkpoint's epoch: a
     * TensorBoard that read what the cut removed drops it */
    Error re = {0};
    if (resume && tfevents_write_restart(rl->events, epoch + 1, t, &re))
        rl_fail_err(rl, &re, "write_failed");

    HParamSet *hs = malloc(sizeof *hs); /* 16 KiB: not on the stack */
    if (hs) {
        TfeMetric tags[METRIC_TAGS];
        char tag_text[METRIC_TAGS][32];
        int nt = metric_tags(rl, tags, tag_text);
        const char *name = s->all.name[0] ? s->all.name : o->dataset;
        Error te = {0};
        /* TensorBoard takes the experiment, the HParams tab's columns,
         * from one of the runs it reads and ignores the others': it names
         * every option, so that a column is there for each run's own
         * (an SGD trial's momentum beside an Adam one's beta1) */
        collect_hparams(hs, o, name, s->all.kind, true);
        ErrorCode rc_hp =
            tfevents_write_hparams_experiment(rl->events, hs->hp, hs->n, tags, nt, t, &te);
        collect_hparams(hs, o, name, s->all.kind, false);
        /* model.gtm by its absolute path: TensorBoard shows it wherever it
         * runs, away from the directory this run was started in */
        char real[PATH_MAX], uri[PATH_MAX + 16];
        const char *model_uri = rl->model_path;
        if (realpath(rl->dir, real)) {
            int len = snprintf(uri, sizeof uri, "%s/" RUNDIR_MODEL_FILE, real);
            if (len > 0 && (size_t)len < sizeof uri) model_uri = uri;
        }
        if (rc_hp || tfevents_write_hparams_start(rl->events, hs->hp, hs->n, model_uri, t, &te) ||
            tfevents_flush(rl->events, &te))
            rl_fail_err(rl, &te, "write_failed");
        free(hs);
    }

    char text[768];
    const Dataset *all = &s->all;
    int len = snprintf(text, sizeof text, "gradtop %s: %s (%s), %zu rows: %zu train, %zu val",
                       GRADTOP_VERSION, o->dataset[0] ? o->dataset : all->source,
                       all->task == TASK_CLASSIFICATION ? "classification" : "regression", all->n,
                       s->train.n, s->val.n);
    if (s->has_test && len > 0 && (size_t)len < sizeof text)
        len += snprintf(text + len, sizeof text - (size_t)len, ", %zu test", s->test.n);
    if (len > 0 && (size_t)len < sizeof text) {
        if (all->task == TASK_CLASSIFICATION)
            snprintf(text + len, sizeof text - (size_t)len, "; %d features, %d classes", all->d,
                     all->n_classes);
        else
            snprintf(text + len, sizeof text - (size_t)len, "; %d features", all->d);
    }
    journal_line(rl, t, step, epoch, resume ? "resume" : "run", text);
    if (resume) journal_cut(rl, t, epoch, step, &cut);

    if (rl->err.code != ERROR_NONE)
        return abandon_run(rl, !resume, error_set(err, rl->err.code, "%s", rl->err.msg));
    *out = rl;
    return ERROR_NONE;
}

const char *rundir_path(const RunDir *rl)
{
    return rl->dir;
}

TrainerHooks rundir_hooks(RunDir *rl)
{
    return (TrainerHooks){.ctx = rl,
                          .on_epoch = rundir_on_epoch,
                          .on_event = rundir_on_event,
                          .on_checkpoint = rundir_on_checkpoint,
                          .on_state = rundir_on_state};
}

ErrorCode rundir_error(const RunDir *rl, Error *err)
{
    /* err is written once, before failed is set */
    if (!atomic_load_explicit(&((RunDir *)rl)->failed, memory_order_acquire)) return ERROR_NONE;
    if (err) *err = rl->err;
    return rl->err.code;
}

void rundir_on_failure(RunDir *rl, void (*fn)(void *ctx, const Error *e), void *ctx)
{
    rl->on_fail = fn;
    rl->on_fail_ctx = ctx;
}

void rundir_off(RunDir *rl, const char *why)
{
    if (rl->off) return;
    journal_line(rl, now_seconds(), rl->last_step, rl->last_epoch, "log_off", why);
    rl->off = true;
}

void rundir_close(RunDir *rl)
{
    if (!rl) return;
    if (rl->metrics && fclose(rl->metrics) != 0)
        rl_fail(rl, "%s: %s", rl->metrics_path, strerror(errno));
    if (rl->journal && fclose(rl->journal) != 0)
        rl_fail(rl, "%s: %s", rl->journal_path, strerror(errno));
    tfevents_close(rl->events, NULL);
    if (rl->spare_fd >= 0) close(rl->spare_fd);
    if (rl->lock_fd >= 0) close(rl->lock_fd); /* and its lock */
    free(rl->config_text);
    free(rl->state_text);
    free(rl);
}

/* ---- resume ---------------------------------------------------------- */

/* The epochs metrics.csv in dir holds, in order from the first (0 when it
 * has none or cannot be read). */
static int metrics_epochs(const char *dir)
{
    char path[RUNDIR_PATH + 32];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    Cut c = {0};
    FILE *f = fopen(path, "rb");
    if (f) {
        bool cutting;
        scan_metrics(f, INT_MAX, &c, &cutting);
        fclose(f);
    }
    return c.rows;
}

/* A run without checkpoint.gtm or model.gtm: one that ended in its first
 * epoch (metrics.csv has none) starts again from it; one with epochs has
 * nothing to resume: its saves failed, as on a full disk, or the files
 * were removed. */
static ErrorCode nothing_to_resume(RunResume *rr, const char *dir, Error *err)
{
    int rows = metrics_epochs(dir);
    if (rows == 0) {
        rr->from_start = true;
        return ERROR_NONE;
    }
    return error_set(err, ERROR_INPUT,
                     "%s: nothing to resume: metrics.csv has %d epoch%s, but there is neither "
                     "checkpoint.gtm nor model.gtm (they could not be written, as journal.txt "
                     "then says, or were removed); start it again with gradtop train --config "
                     "%s/config.txt",
                     dir, rows, rows == 1 ? "" : "s", dir);
}

bool rundir_resume_note(const RunResume *rr, const char *dir, const Options *o, char *buf,
                        size_t cap)
{
    if (cap) buf[0] = '\0';
    if (rr->from_checkpoint || rr->from_start || cap == 0) return false;
    const SavedModel *sm = &rr->state;
    int e = sm->epoch, k = sm->kept_epoch, rows = metrics_epochs(dir);
    /* trainer_load_state takes the state for the optimizer it was saved by */
    bool has_opt = sm->has_opt && sm->opt_kind == o->hp.opt.kind;
    size_t n = (size_t)snprintf(buf, cap,
                                "%s has no checkpoint.gtm (removed, or never written: its writes "
                                "failed, or the run is from before checkpoints), so it goes on "
                                "from model.gtm: ",
                                dir);
    /* model.gtm's optimizer state is the live one when it was saved: at
     * the end of epoch e, whichever weights it kept */
    const char *opt = has_opt ? "" : ", with a fresh optimizer state";
    char state[64];
    snprintf(state, sizeof state, "epoch %d's optimizer state", e);
    if (n < cap && k > 0 && k < e)
        n += (size_t)snprintf(buf + n, cap - n,
                              "the kept weights, of epoch %d, as the end of epoch %d, with %s. "
                              "Lost with the checkpoint: epoch %d's weights, ",
                              k, e, has_opt ? state : "a fresh optimizer state", e);
    else if (n < cap && k > 0)
        n += (size_t)snprintf(buf + n, cap - n,
                              "the weights of epoch %d%s%s. Lost with the checkpoint: ", e,
                              has_opt ? " and their optimizer state" : "", opt);
    else if (n < cap)
        n += (size_t)snprintf(buf + n, cap - n,
                              "the weights it holds (of an epoch it does not record), as the end "
                              "of epoch %d%s. Lost with the checkpoint: ",
                              e, opt);
    if (n < cap && rows == e + 1)
        n += (size_t)snprintf(buf + n, cap - n, "epoch %d (metrics.csv is cut back to epoch %d), ",
                              rows, e);
    else if (n < cap && rows > e + 1)
        n += (size_t)snprintf(buf + n, cap - n,
                              "epochs %d-%d (metrics.csv is cut back to epoch %d), ", e + 1, rows,
                              e);
    /* under --restore-best the best epoch is found again (seed_best) */
    if (n < cap)
        snprintf(buf + n, cap - n,
                 "the data order and the random generators (they start again as in the first "
                 "epoch), %sthe early-stopping patience count (from 0)",
                 rr->earlier.restore_best ? "" : "the best epoch and ");
    return true;
}

/* A config.txt whose network (--layers, --activation, --loss) is not the
 * one the saved file was written with has been edited by hand since: the
 * resume would go on with the saved network while config.txt, rewritten
 * from its own, went on naming another.  Live network edits change the
 * saved shape but neither file's options (journal.txt has them), so the
 * options are compared, not the shape.  A file without its options (or
 * with options this version can't read) can't tell, and is let be. */
static ErrorCode check_network(const RunResume *rr, const char *dir, const char *saved_path,
                               const Options *saved, Error *err)
{
    const SavedModel *sm = &rr->state;
    ErrorCode rc = ERROR_NONE;
    for (size_t i = 0; saved && i < option_count && !rc; i++) {
        const OptionSpec *spec = &option_table[i];
        if (spec->group != OPTGROUP_MODEL) continue;
        char now[OPTIONS_PATH + 8], then[OPTIONS_PATH + 8];
        options_format(&rr->earlier, spec, now, sizeof now);
        options_format(saved, spec, then, sizeof then);
        if (!strcmp(now, then)) continue;
        /* the network as it is, when edits made live moved it away */
        char hidden[OPTIONS_PATH] = "", shape[sizeof hidden + 80] = "";
        const ModelShape *sh = &sm->shape;
        if (!strcmp(spec->name, "layers")) {
            size_t n = 0;
            for (int l = 1; l < sh->n_layers && n < sizeof hidden; l++)
                n += (size_t)snprintf(hidden + n, sizeof hidden - n, "%s%d", l > 1 ? "," : "",
                                      sh->sizes[l]);
            if (strcmp(hidden, then) != 0)
                snprintf(shape, sizeof shape,
                         ", and edited while it trained into layers = %s, as journal.txt says",
                         hidden);
        }
        rc = error_set(err, ERROR_INPUT,
                       "%s/config.txt: %s = %s, but %s was saved with %s = %s%s: config.txt was "
                       "edited by hand, and a resumed run keeps the network it saved; put "
                       "back %s = %s, or start a new run with gradtop train --config "
                       "%s/config.txt",
                       dir, spec->name, now, saved_path, spec->name, then, shape, spec->name, then,
                       dir);
    }
    return rc;
}

/* The options the saved file stores into *out (malloc'ed), NULL when it
 * has none this version can read; ERROR_RUNTIME when out of memory. */
static ErrorCode stored_options(const SavedModel *sm, const char *path, Options **out, Error *err)
{
    *out = NULL;
    if (!sm->config_text || !sm->config_text[0]) return ERROR_NONE;
    Options *o = malloc(sizeof *o);
    if (!o) return error_set(err, ERROR_RUNTIME, "out of memory");
    options_default(o);
    Error ignored = {0};
    if (options_load_text(o, sm->config_text, path, NULL, &ignored) == ERROR_NONE)
        *out = o;
    else
        free(o);
    return ERROR_NONE;
}

/* A checkpoint's stored options are those in force at its epoch (since
 * they were so written): the run goes on with the hyperparameters changed
 * while it trained, as it would have without the interruption.  Older
 * checkpoints store the options the run began with: nothing changes. */
static void adopt_state_hparams(RunResume *rr, const Options *stored)
{
    rr->config_hp = rr->earlier.hp;
    rr->changed_hp = memcmp(&rr->earlier.hp, &stored->hp, sizeof stored->hp) != 0;
    rr->earlier.hp = stored->hp;
}

ErrorCode rundir_resume_load(RunResume *rr, const char *dir, Error *err)
{
    memset(rr, 0, sizeof *rr);
    options_default(&rr->earlier);
    char path[RUNDIR_PATH + 32];
    if (strlen(dir) + 32 >= RUNDIR_PATH)
        return error_set(err, ERROR_INPUT, "%s: path too long", dir);
    snprintf(path, sizeof path, "%s/config.txt", dir);
    ErrorCode rc = options_load_file(&rr->earlier, path, NULL, err);
    if (rc) return rc;
    /* every run's config.txt names its data: one that does not was
     * emptied or cut short, which the resume must say rather than ask
     * for a DATASET the command line may not give */
    if (!rr->earlier.dataset[0])
        return error_set(err, ERROR_INPUT,
                         "%s names no dataset (no 'dataset = ...' line): a run's config.txt "
                         "names its dataset; was it cut short or edited?",
                         path);
    /* checkpoint.gtm holds the last epoch's state; a run from before
     * checkpoints has only model.gtm, its kept weights */
    struct stat st;
    snprintf(path, sizeof path, "%s/checkpoint.gtm", dir);
    rr->from_checkpoint = stat(path, &st) == 0 || errno != ENOENT;
    if (!rr->from_checkpoint) {
        snprintf(path, sizeof path, "%s/model.gtm", dir);
        if (stat(path, &st) != 0 && errno == ENOENT) return nothing_to_resume(rr, dir, err);
    }
    rc = modelfile_load(&rr->state, path, err);
    if (rc) return rc;
    if (rr->from_checkpoint && !rr->state.has_state) {
        modelfile_free(&rr->state);
        return error_set(err, ERROR_INPUT, "%s: no run state in it (not a checkpoint)", path);
    }
    /* a run that restores its best epoch's weights keeps them in its
     * checkpoint whenever they are not the last epoch's */
    const TrainState *rs = &rr->state.state;
    if (rr->from_checkpoint && rr->earlier.restore_best && rs->best_epoch > 0 &&
        rs->best_epoch != rr->state.epoch && rs->n_best == 0) {
        int best = rs->best_epoch, last = rr->state.epoch;
        modelfile_free(&rr->state);
        return error_set(err, ERROR_INPUT,
                         "%s: resume section: the best weights are missing (best epoch %d, "
                         "last %d; %s/config.txt has restore-best = true)",
                         path, best, last, dir);
    }
    /* model.gtm of a run stopped in its first epoch: weights part of the
     * way through it, which a later epoch's checkpoint would not keep */
    if (!rr->from_checkpoint && rr->state.epoch == 0) {
        modelfile_free(&rr->state);
        memset(&rr->state, 0, sizeof rr->state);
        rr->from_start = true;
        return ERROR_NONE; /* trains config.txt's network, as a new run */
    }
    Options *stored;
    rc = stored_options(&rr->state, path, &stored, err);
    if (!rc) rc = check_network(rr, dir, path, stored, err);
    if (!rc && stored && rr->from_checkpoint) adopt_state_hparams(rr, stored);
    free(stored);
    return rc;
}

void rundir_resume_options(const RunResume *rr, Options *o)
{
    /* cosine's "the run's epochs" is the period the run started with: a
     * resume with more epochs goes on along the same curve */
    const Options *e = &rr->earlier;
    if (o->sched.kind == SCHEDULE_COSINE && o->sched.cosine_epochs == 0 &&
        e->sched.kind == SCHEDULE_COSINE)
        o->sched.cosine_epochs = e->sched.cosine_epochs > 0 ? e->sched.cosine_epochs : e->epochs;
}

void rundir_resume_free(RunResume *rr)
{
    modelfile_free(&rr->state);
}

/* ---- hooks ----------------------------------------------------------- */

/* A CSV field: the value, or nothing when absent. */
static void field(char *buf, size_t cap, bool present, double v)
{
    if (present)
        snprintf(buf, cap, ",%.8g", v);
    else
        snprintf(buf, cap, ",");
}

static void scalar(RunDir *rl, const char *tag, int64_t step, double v, double t)
{
    Error e = {0};
    if (rl->err.code == ERROR_NONE && !rl->off &&
        tfevents_write_scalar(rl->events, tag, step, (float)v, t, &e))
        rl_fail_err(rl, &e, "write_failed");
}

/* One part's scalars under a tag prefix ("", "val_", "final/test_"...):
 * the loss, then accuracy or MAE and R², by task. */
static void part_scalars(RunDir *rl, const char *prefix, int64_t step, double t, double loss,
                         double accuracy, double mae, double r2)
{
    char tag[64];
    snprintf(tag, sizeof tag, "%sloss", prefix);
    scalar(rl, tag, step, loss, t);
    if (rl->task == TASK_CLASSIFICATION) {
        snprintf(tag, sizeof tag, "%saccuracy", prefix);
        scalar(rl, tag, step, accuracy, t);
    } else {
        snprintf(tag, sizeof tag, "%smae", prefix);
        scalar(rl, tag, step, mae, t);
        snprintf(tag, sizeof tag, "%sr2", prefix);
        scalar(rl, tag, step, r2, t);
    }
}

void rundir_on_epoch(void *ctx, const EpochMetrics *m)
{
    RunDir *rl = ctx;
    rl->last_epoch = m->epoch;
    rl->last_step = m->step;
    if (rl->err.code != ERROR_NONE || rl->off) return;
    bool cls = rl->task == TASK_CLASSIFICATION;
    char row[512], f[6][48];
    field(f[0], sizeof f[0], true, m->loss);
    field(f[1], sizeof f[1], true, cls ? m->accuracy : m->mae);
    field(f[2], sizeof f[2], !cls, m->r2);
    field(f[3], sizeof f[3], m->has_val, m->val_loss);
    field(f[4], sizeof f[4], m->has_val, cls ? m->val_accuracy : m->val_mae);
    field(f[5], sizeof f[5], m->has_val && !cls, m->val_r2);
    snprintf(row, sizeof row, "%d,%ld,%.3f%s%s%s%s%s%s,%.8g\n", m->epoch, m->step, m->wall_time,
             f[0], f[1], cls ? "" : f[2], f[3], f[4], cls ? "" : f[5], m->lr);
    /* the row goes out whole or not at all, so a reader never sees half of it */
    if (!append_record(rl->metrics, &rl->metrics_end, row)) {
        rl_fail(rl, "%s: %s", rl->metrics_path, strerror(errno));
        return;
    }

    int64_t step = m->epoch;
    double t = m->wall_time;
    part_scalars(rl, "", step, t, m->loss, m->accuracy, m->mae, m->r2);
    if (m->has_val)
        part_scalars(rl, "val_", step, t, m->val_loss, m->val_accuracy, m->val_mae, m->val_r2);
    scalar(rl, "learning_rate", step, m->lr, t);
    Error e = {0};
    if (rl->err.code == ERROR_NONE && tfevents_flush(rl->events, &e))
        rl_fail_err(rl, &e, "write_failed");
}

void rundir_on_event(void *ctx, const TrainEvent *e)
{
    RunDir *rl = ctx;
    journal_line(rl, e->wall_time > 0 ? e->wall_time : now_seconds(), e->step, e->epoch,
                 event_word(e->kind), e->text);
}

/* Saves a model file (model.gtm or checkpoint.gtm) with the run's
 * session and config.txt in info, through the descriptor set aside for
 * saves (open_run); fsynced unless nosync.  A failure (a model that does
 * not fit its data is a bug, not an I/O failure, but either way the run's
 * files must say so) is journaled at step and epoch and remembered. */
static bool save_model_file(RunDir *rl, const char *path, const Model *m, const Optimizer *o,
                            ModelInfo *info, long step, int epoch)
{
    if (!info->config_text) info->config_text = rl->config_text;
    info->no_sync = rl->nosync;
    Error e = {0};
    if (rl->spare_fd >= 0) close(rl->spare_fd);
    ErrorCode saved = modelfile_save(path, m, o, info, &e);
    rl->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (saved == ERROR_NONE) return true;
    journal_line(rl, now_seconds(), step, epoch, "checkpoint_failed", e.msg);
    rl_fail_err(rl, &e, NULL);
    return false;
}

/* model.gtm's stored options: config.txt's, but for l1 and l2, by which
 * eval scores the loss: m's, the penalty its weights were scored with,
 * when a change while the run trained (a PBT exploit, the dashboard's e
 * form) moved it from the one the run began with, so that eval --part val
 * gives back the figures the run reported.  NULL (config.txt's text, for
 * save_model_file) when it has not moved. */
static char *scored_config_text(const RunDir *rl, const Model *m)
{
    if (m->l1 == rl->opt.hp.l1 && m->l2 == rl->opt.hp.l2) return NULL;
    Options *o = malloc(sizeof *o);
    if (!o) return NULL;
    *o = rl->opt;
    o->hp.l1 = m->l1;
    o->hp.l2 = m->l2;
    char *text = config_text_of(
        o, "# as the run started, but for a generated set's noise and val-split, which are as "
           "they\n# are now, and for l1 and l2, those its weights were scored with; what changed "
           "while it\n# trained is in journal.txt\n");
    free(o);
    return text;
}

void rundir_on_checkpoint(void *ctx, const Model *m, const Optimizer *o, int kept_epoch)
{
    RunDir *rl = ctx;
    if (rl->err.code != ERROR_NONE || rl->off) return;
    if (rl->nosync && !rl->finishing) {
        rl->model_pending = kept_epoch; /* with the next checkpoint.gtm (rundir.h) */
        return;
    }
    ModelInfo info;
    modelfile_info_from_session(&info, rl->s);
    info.epoch = rl->last_epoch;
    info.step = rl->last_step;
    info.kept_epoch = kept_epoch;
    char *text = scored_config_text(rl, m);
    info.config_text = text;
    save_model_file(rl, rl->model_path, m, o, &info, rl->last_step, rl->last_epoch);
    free(text);
}

/* nosync: model.gtm in step with the checkpoint.gtm just written, from
 * its state: the best epoch's weights (the epoch's own, with their
 * optimizer state, when it is the best). */
static void save_pending_model(RunDir *rl, const Model *m, const Optimizer *o, const TrainState *s)
{
    Model best = *m;
    if (s->n_best > 0) {
        best.params = s->best_params;
        o = NULL; /* the state is the epoch's, not the best weights' */
    }
    ModelInfo info;
    modelfile_info_from_session(&info, rl->s);
    info.epoch = s->epoch;
    info.step = s->step;
    info.kept_epoch = s->best_epoch > 0 ? s->best_epoch : rl->model_pending;
    char *text = scored_config_text(rl, m);
    info.config_text = text;
    if (save_model_file(rl, rl->model_path, &best, o, &info, s->step, s->epoch))
        rl->model_pending = 0;
    free(text);
}

void rundir_set_checkpoint_share(RunDir *rl, double share)
{
    rl->state_share = share;
}

void rundir_set_checkpoint_near(RunDir *rl, double seconds)
{
    rl->state_near = seconds;
}

/* nosync: whether s, not the last state, comes so near the run's end
 * that the end's own write would replace it soon (the last epoch's at
 * once: the trainer's end hands the same state again, as the last).  Each
 * state written and then replaced costs a file made and one removed, for
 * checkpoint.gtm and for the model.gtm that goes with it; on an ext4
 * without a journal each removal also slows every later file's creation
 * for a minute or more (docs/performance.md). */
static bool near_end(RunDir *rl, const TrainState *s, double now)
{
    double pace = now - rl->state_seen;
    rl->state_seen = now;
    return rl->nosync && rl->state_share < 1 &&
           (double)(rl->opt.epochs - s->epoch) * pace < rl->state_near;
}

void rundir_on_state(void *ctx, const Model *m, const Optimizer *o, const TrainState *s, bool last)
{
    RunDir *rl = ctx;
    if (last) rl->finishing = true;
    if (rl->err.code != ERROR_NONE || rl->off || s->epoch == rl->state_epoch || s->epoch < 1)
        return;
    /* Each write costs at most state_share of the time since the last
     * one: a run of short epochs writes every few of them, one of long
     * epochs every epoch; the last state is always written. */
    double start = now_mono();
    if (!last && near_end(rl, s, start)) return;
    if (!last && rl->state_epoch >= 0 && rl->state_share < 1 &&
        start - rl->state_end < rl->state_cost * (1 / rl->state_share - 1))
        return;
    ModelInfo info;
    modelfile_info_from_session(&info, rl->s);
    info.kept_epoch = s->epoch;
    info.run_state = s;
    /* the options stored with the state are those in force at its epoch:
     * a resume goes on with the rate or batch size changed while it
     * trained, as the run would have (config.txt keeps those it began
     * with, the journal each change) */
    if (!rl->state_text || memcmp(&rl->state_hp, &s->hp, sizeof s->hp) != 0) {
        Options *now = malloc(sizeof *now);
        char *text = NULL;
        if (now) {
            *now = rl->opt;
            now->hp = s->hp;
            text = config_text_of(now, "# in force at the end of this checkpoint's epoch: the "
                                       "changes made while it trained\n# included (journal.txt "
                                       "has each)\n");
            free(now);
        }
        free(rl->state_text);
        rl->state_text = text;
        rl->state_hp = s->hp;
    }
    info.config_text = rl->state_text; /* NULL: the options it began with */
    if (!save_model_file(rl, rl->checkpoint_path, m, o, &info, s->step, s->epoch)) return;
    rl->state_epoch = s->epoch;
    if (!last && rl->model_pending > 0) save_pending_model(rl, m, o, s);
    rl->state_end = now_mono();
    rl->state_cost = rl->state_end - start;
}

/* The HParams session's end status (api.proto's Status), the HParams
 * tab's Status filter.  SUCCESS: the run trained to its end, every epoch
 * or until its early stopping said it was done, so its figures are its
 * final ones.  FAILURE: it diverged, the configuration does not train.
 * UNKNOWN: it was cut short before its end, stopped by a person (key s,
 * SIGINT, a sweep stopped) or pruned by a sweep's rule, and how it would
 * have ended is not known; a run killed before its end, which writes no
 * session end, reads as UNKNOWN too.  RUNNING is never written:
 * TensorBoard keeps a run's first session end. */
static TfeSessionStatus session_status(TrainStatus how)
{
    switch (how) {
    case TRAIN_DONE:
    case TRAIN_EARLY_STOPPED: return TFE_STATUS_SUCCESS;
    case TRAIN_DIVERGED: return TFE_STATUS_FAILURE;
    default: return TFE_STATUS_UNKNOWN;
    }
}

ErrorCode rundir_finish(RunDir *rl, const TrainResult *r, Error *err)
{
    /* a failure from here on is this call's to report, not on_fail's */
    rl->on_fail = NULL;
    if (rl->off) return rundir_error(rl, err);
    double t = now_seconds();
    const EpochMetrics *k = &r->kept;
    /* the kept weights are always scored (a run that ended in its first
     * epoch: the weights it kept, on its data), as the result line is */
    int64_t step = r->epochs;
    part_scalars(rl, "final/", step, t, k->loss, k->accuracy, k->mae, k->r2);
    if (rl->has_val && k->has_val)
        part_scalars(rl, "final/val_", step, t, k->val_loss, k->val_accuracy, k->val_mae,
                     k->val_r2);
    if (r->has_test)
        part_scalars(rl, "final/test_", step, t, r->test_loss, r->test_accuracy, r->test_mae,
                     r->test_r2);
    Error e = {0};
    TfeSessionStatus st = session_status(r->status);
    if (rl->err.code == ERROR_NONE && tfevents_write_hparams_end(rl->events, st, t, &e))
        rl_fail_err(rl, &e, "write_failed");

    /* the result line of docs/guide.md "Headless output", as train prints it */
    char text[768 + sizeof rl->dir];
    size_t n = train_result_text(r, rl->task, text, sizeof text);
    if (n < sizeof text) snprintf(text + n, sizeof text - n, " run=%s", rl->dir);
    journal_line(rl, t, r->steps, r->epochs, "result", text);

    flush_file(rl, rl->metrics, rl->metrics_path, !rl->nosync);
    if (!rl->journal_failed) flush_file(rl, rl->journal, rl->journal_path, !rl->nosync);
    if (rl->err.code == ERROR_NONE && tfevents_flush(rl->events, &e))
        rl_fail_err(rl, &e, "write_failed");
    return rundir_error(rl, err);
}
