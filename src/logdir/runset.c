/* runs.c - see runs.h. */
#include "gradtop/logdir/runset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gradtop/nn/monitor.h"
#include "gradtop/io/crc32c.h"
#include "gradtop/run/rundir.h"
#include "gradtop/io/tfevents.h"

/* Bytes read per pread of a text file, and the first try for event files. */
#define TEXT_CHUNK (1u << 20)
#define EVENTS_CHUNK (4u << 20)
/* A metrics.csv or journal line longer than this is damage. */
#define MAX_LINE 8192
#define CSV_MAX_COLS 32
#define MAX_SERIES 1024
#define MAX_MARKS 4096
#define MAX_SOURCES 256
#define MAX_RUNS 20000
/* A directory walk stops looking after this many directories or entries. */
#define MAX_DIRS 20000
#define MAX_ENTRIES 400000
/* config.txt is loaded only below this size (it is a few kilobytes). */
#define MAX_CONFIG (1u << 20)

static const char EVENTS_PREFIX[] = "events.out.tfevents.";

typedef enum { SRC_METRICS, SRC_JOURNAL, SRC_CONFIG, SRC_EVENTS } SourceKind;
typedef enum { PREFIX_NONE, PREFIX_TRAIN, PREFIX_VALIDATION } TagPrefix;

/* metrics.csv column roles; >= 0 would be confusing, so series live apart */
typedef enum { COL_SERIES, COL_EPOCH, COL_STEP, COL_WALL } ColRole;

typedef struct {
    char path[RUNS_PATH];
    SourceKind kind;
    TagPrefix prefix;
    bool exists;
    uint64_t offset; /* bytes consumed */
    uint64_t size;   /* at the last stat */
    struct timespec mtime;
    dev_t dev;
    ino_t ino;
    bool stopped;      /* nothing more is read (broken framing, no header) */
    bool pending;      /* an incomplete line or record waits at offset */
    uint64_t cut_need; /* event files: the bytes the record at offset needs */
    bool cut_warned;   /* warned that the run stopped inside that record */
    bool skip_line;    /* inside an over-long line that is being skipped */
    bool open_failed;  /* warned once that it cannot be opened */
    long line;         /* lines consumed, for messages */
    /* metrics.csv */
    bool have_header;
    int n_cols;
    ColRole role[CSV_MAX_COLS];
    char col_tag[CSV_MAX_COLS][48];
    int col_series[CSV_MAX_COLS]; /* -1 until the column's first value */
    /* config.txt: the version loaded */
    bool loaded;
    struct timespec loaded_mtime;
    uint64_t loaded_size;
    ino_t loaded_ino;
    /* event files */
    double name_time; /* the TIMESTAMP in the file name, 0 if none */
    bool by_gradtop;  /* gradtop wrote it (its steps are epochs) */
    bool named;       /* its first record names a writer */
    size_t last_hit;  /* series index of the previous scalar (tags repeat) */
} Source;

struct RunState {
    Source *src;
    size_t n_src, cap_src;
    bool seen;        /* found by the current walk */
    bool events_mode; /* a gradtop run without metrics.csv, read from its event files */
    bool dirty;       /* something was read since the last evaluation */
    bool reset;       /* read everything again from the start */
    RunTask csv_task, journal_task;
    char result[32];     /* the journal's result status, "" if none (yet) */
    bool pruned;         /* the last stop line says a sweep's rule pruned the run */
    int64_t result_best; /* the result line's best_epoch, 0 if none */
    double journal_start;
    char journal_dataset[RUNS_PATH];
};

/* ---- small helpers --------------------------------------------------- */

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double ts_seconds(struct timespec t)
{
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void vwarn(char *buf, size_t cap, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* A warning names files and runs whose names come from the disk: escaped
 * as error messages are, for whoever shows it. */
static void vwarn(char *buf, size_t cap, const char *fmt, va_list ap)
{
    char raw[512];
    vsnprintf(raw, sizeof raw, fmt, ap);
    error_escape(buf, cap, raw, sizeof raw);
}

static void run_warn(RunInfo *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void run_warn(RunInfo *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vwarn(r->last_warning, sizeof r->last_warning, fmt, ap);
    va_end(ap);
    r->warnings++;
    r->state->dirty = true;
}

static void set_warn(RunSet *rs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_warn(RunSet *rs, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vwarn(rs->last_warning, sizeof rs->last_warning, fmt, ap);
    va_end(ap);
    rs->warnings++;
}

/* dst = a/b, false when it does not fit. */
static bool join(char *dst, size_t cap, const char *a, const char *b)
{
    int n;
    if (!a[0])
        n = snprintf(dst, cap, "%s", b);
    else if (a[strlen(a) - 1] == '/')
        n = snprintf(dst, cap, "%s%s", a, b);
    else
        n = snprintf(dst, cap, "%s/%s", a, b);
    return n >= 0 && (size_t)n < cap;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Copies src into dst[cap], cutting (when it must) before a UTF-8
 * character rather than inside one. */
static void copy_utf8(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80) n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* A dataset's short name: "datasets/iris.csv" -> "iris". */
static void dataset_short(char *dst, size_t cap, const char *spec)
{
    const char *b = strrchr(spec, '/');
    b = b ? b + 1 : spec;
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", b);
    size_t n = strlen(tmp);
    if (n > 3 && strcmp(tmp + n - 3, ".gz") == 0) tmp[n -= 3] = '\0';
    static const char *const ext[] = {".csv", ".tsv", ".txt"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t e = strlen(ext[i]);
        if (n > e && strcasecmp(tmp + n - e, ext[i]) == 0) {
            tmp[n - e] = '\0';
            break;
        }
    }
    snprintf(dst, cap, "%s", tmp);
}

/* "YYYYMMDD-HHMMSS-" at the start of a run directory's name: its local time
 * (or -1) and where the rest begins. */
static double stamp_time(const char *base, const char **rest)
{
    for (int i = 0; i < 16; i++) {
        char c = base[i];
        bool ok = i == 8 || i == 15 ? c == '-' : (c >= '0' && c <= '9');
        if (!ok) return -1;
    }
    struct tm tm = {0};
    int v[6];
    if (sscanf(base, "%4d%2d%2d-%2d%2d%2d", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
        return -1;
    tm.tm_year = v[0] - 1900;
    tm.tm_mon = v[1] - 1;
    tm.tm_mday = v[2];
    tm.tm_hour = v[3];
    tm.tm_min = v[4];
    tm.tm_sec = v[5];
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (rest) *rest = base + 16;
    return t == (time_t)-1 ? -1 : (double)t;
}

/* The DATASET part of YYYYMMDD-HHMMSS-DATASET[-NAME][-N].  Names with '-'
 * are ambiguous; the built-in ones are recognised. */
static void dataset_from_dir_name(char *dst, size_t cap, const char *path)
{
    dst[0] = '\0';
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *rest;
    if (stamp_time(base, &rest) < 0 || !*rest) return;
    static const char *const hyphenated[] = {"fashion-mnist-test", "fashion-mnist"};
    for (size_t i = 0; i < sizeof hyphenated / sizeof hyphenated[0]; i++) {
        size_t n = strlen(hyphenated[i]);
        if (strncmp(rest, hyphenated[i], n) == 0 && (rest[n] == '\0' || rest[n] == '-')) {
            snprintf(dst, cap, "%s", hyphenated[i]);
            return;
        }
    }
    size_t n = strcspn(rest, "-");
    snprintf(dst, cap, "%.*s", (int)n, rest);
}

/* Local ISO 8601 as journal.txt writes it: 2026-11-24T19:30:00.123+01:00
 * (offset optional, "Z" accepted).  -1 when it does not parse. */
static double parse_iso_time(const char *s)
{
    int y, mo, d, h, mi, sec, used = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6 || !used)
        return -1;
    const char *p = s + used;
    double frac = 0;
    if (*p == '.') {
        double scale = 0.1;
        for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10) frac += (*p - '0') * scale;
    }
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    time_t t;
    if (*p == '+' || *p == '-') {
        int oh, om;
        if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2) return -1;
        int off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
        t = timegm(&tm);
        if (t == (time_t)-1) return -1;
        t -= off;
    } else if (*p == 'Z') {
        t = timegm(&tm);
    } else {
        tm.tm_isdst = -1;
        t = mktime(&tm);
    }
    if (t == (time_t)-1) return -1;
    return (double)t + frac;
}

/* ---- series ---------------------------------------------------------- */

static void series_clear(RunSeries *s)
{
    free(s->tag);
    free(s->step);
    free(s->wall_time);
    free(s->value);
    memset(s, 0, sizeof *s);
}

static bool series_grow(RunSeries *s, size_t want)
{
    if (want <= s->cap) return true;
    size_t cap = s->cap ? s->cap : 64;
    while (cap < want) cap *= 2;
    int64_t *st = realloc(s->step, cap * sizeof *st);
    if (!st) return false;
    s->step = st;
    double *w = realloc(s->wall_time, cap * sizeof *w);
    if (!w) return false;
    s->wall_time = w;
    double *v = realloc(s->value, cap * sizeof *v);
    if (!v) return false;
    s->value = v;
    s->cap = cap;
    return true;
}

bool runseries_push(RunSeries *s, int64_t step, double wall_time, double value, size_t max_points)
{
    if (max_points < 2) max_points = 2;
    if (s->stride == 0) {
        s->stride = 1;
        s->min = INFINITY;
        s->max = -INFINITY;
    }
    s->total++;
    if (isfinite(value)) {
        if (value < s->min) {
            s->min = value;
            s->min_step = step;
        }
        if (value > s->max) {
            s->max = value;
            s->max_step = step;
        }
    }
    if (s->skipped + 1 < s->stride) {
        s->skipped++;
        return true;
    }
    s->skipped = 0;
    if (s->n >= max_points) {
        /* keep points 0, 2, 4, ...: the spacing stays even as the stride
         * doubles.  With an odd count the last kept point is the one before
         * this, so this one now falls between kept points. */
        size_t old_n = s->n, k = 0;
        for (size_t i = 0; i < old_n; i += 2, k++) {
            s->step[k] = s->step[i];
            s->wall_time[k] = s->wall_time[i];
            s->value[k] = s->value[i];
        }
        s->n = k;
        uint64_t old_stride = s->stride;
        s->stride *= 2;
        if (old_n % 2 == 1) {
            s->skipped = old_stride;
            return true;
        }
    }
    if (!series_grow(s, s->n + 1)) return false;
    s->step[s->n] = step;
    s->wall_time[s->n] = wall_time;
    s->value[s->n] = value;
    s->n++;
    return true;
}

const RunSeries *runinfo_series(const RunInfo *r, const char *tag)
{
    for (size_t i = 0; i < r->n_series; i++)
        if (strcmp(r->series[i].tag, tag) == 0) return &r->series[i];
    return NULL;
}

/* The index of the series called tag, created when missing; -1 when it
 * cannot be (out of memory, too many). */
static long series_index(RunInfo *r, const char *tag, size_t hint)
{
    if (hint < r->n_series && strcmp(r->series[hint].tag, tag) == 0) return (long)hint;
    if (hint + 1 < r->n_series && strcmp(r->series[hint + 1].tag, tag) == 0) return (long)hint + 1;
    for (size_t i = 0; i < r->n_series; i++)
        if (strcmp(r->series[i].tag, tag) == 0) return (long)i;
    if (r->n_series >= MAX_SERIES) return -1;
    RunSeries *s = realloc(r->series, (r->n_series + 1) * sizeof *s);
    if (!s) return -1;
    r->series = s;
    RunSeries *n = &r->series[r->n_series];
    memset(n, 0, sizeof *n);
    n->tag = strdup(tag);
    if (!n->tag) return -1;
    n->stride = 1;
    n->min = INFINITY;
    n->max = -INFINITY;
    return (long)r->n_series++;
}

static void push_point(RunSet *rs, RunInfo *r, long idx, int64_t step, double wall, double value)
{
    if (idx < 0) return;
    if (!runseries_push(&r->series[idx], step, wall, value, rs->max_points))
        run_warn(r, "%s: out of memory", r->path);
    r->state->dirty = true;
}

/* ---- runs ------------------------------------------------------------ */

static void run_clear_data(RunInfo *r)
{
    for (size_t i = 0; i < r->n_series; i++) series_clear(&r->series[i]);
    free(r->series);
    r->series = NULL;
    r->n_series = 0;
    free(r->marks);
    r->marks = NULL;
    r->n_marks = 0;
    memset(r->changed_live, 0, sizeof r->changed_live);
    r->warnings = 0;
    r->last_warning[0] = '\0';
    RunState *st = r->state;
    st->csv_task = st->journal_task = RUN_TASK_UNKNOWN;
    st->result[0] = '\0';
    st->result_best = 0;
    st->pruned = false;
    st->journal_start = 0;
    st->journal_dataset[0] = '\0';
    for (size_t i = 0; i < st->n_src; i++) {
        Source *s = &st->src[i];
        s->offset = 0;
        s->stopped = s->pending = s->skip_line = s->open_failed = s->cut_warned = false;
        s->line = 0;
        s->have_header = false;
        s->loaded = false;
        s->n_cols = 0;
        s->last_hit = 0;
        s->by_gradtop = s->named = false;
        s->size = 0;
        s->dev = 0;
        s->ino = 0;
        memset(&s->mtime, 0, sizeof s->mtime);
    }
    st->dirty = true;
}

static void run_free(RunInfo *r)
{
    if (!r) return;
    if (r->state) {
        run_clear_data(r);
        free(r->state->src);
        free(r->state);
    }
    free(r);
}

static RunInfo *find_run(RunSet *rs, const char *path, uint32_t h)
{
    for (size_t i = 0; i < rs->n_runs; i++)
        if (rs->runs[i]->hash == h && strcmp(rs->runs[i]->path, path) == 0) return rs->runs[i];
    return NULL;
}

/* The run at path (rel its name below LOGDIR), created when new. */
static RunInfo *ensure_run(RunSet *rs, const char *path, const char *rel, RunKind kind,
                           bool *changed)
{
    uint32_t h = fnv1a(path);
    RunInfo *r = find_run(rs, path, h);
    if (r) {
        r->state->seen = true;
        /* a directory that turns out to be a gradtop run (its metrics.csv
         * or journal came after its event file) or a Keras run is read
         * again as what it is */
        if (r->kind != kind && (kind == RUN_KIND_GRADTOP || r->kind == RUN_KIND_EVENTS)) {
            r->kind = kind;
            r->state->reset = true;
        }
        return r;
    }
    if (rs->n_runs >= MAX_RUNS) {
        set_warn(rs, "%s: more than %d runs; the rest are not shown", rs->logdir, MAX_RUNS);
        return NULL;
    }
    if (rs->n_runs == rs->cap_runs) {
        size_t cap = rs->cap_runs ? rs->cap_runs * 2 : 16;
        RunInfo **p = realloc(rs->runs, cap * sizeof *p);
        if (!p) {
            set_warn(rs, "%s: out of memory", path);
            return NULL;
        }
        rs->runs = p;
        rs->cap_runs = cap;
    }
    r = calloc(1, sizeof *r);
    if (!r || !(r->state = calloc(1, sizeof *r->state))) {
        free(r);
        set_warn(rs, "%s: out of memory", path);
        return NULL;
    }
    snprintf(r->path, sizeof r->path, "%s", path);
    if (rel[0]) {
        snprintf(r->name, sizeof r->name, "%s", rel);
    } else {
        /* LOGDIR itself is the run: its base name */
        char tmp[RUNS_PATH];
        snprintf(tmp, sizeof tmp, "%s", path);
        size_t n = strlen(tmp);
        while (n > 1 && tmp[n - 1] == '/') tmp[--n] = '\0';
        const char *b = strrchr(tmp, '/');
        snprintf(r->name, sizeof r->name, "%s", b && b[1] ? b + 1 : tmp);
    }
    r->kind = kind;
    r->hash = h;
    r->best_value = NAN;
    /* a save killed mid-way left its temporary beside the run's files */
    if (kind == RUN_KIND_GRADTOP) rundir_remove_stale(path);
    r->state->seen = true;
    rs->runs[rs->n_runs++] = r;
    *changed = true;
    return r;
}

static Source *find_source(RunInfo *r, const char *path)
{
    RunState *st = r->state;
    for (size_t i = 0; i < st->n_src; i++)
        if (strcmp(st->src[i].path, path) == 0) return &st->src[i];
    return NULL;
}

static Source *add_source(RunSet *rs, RunInfo *r, const char *path, SourceKind kind,
                          TagPrefix prefix)
{
    Source *s = find_source(r, path);
    if (s) return s;
    RunState *st = r->state;
    if (st->n_src >= MAX_SOURCES) {
        if (kind == SRC_EVENTS) return NULL; /* the first MAX_SOURCES files will do */
    }
    if (st->n_src == st->cap_src) {
        size_t cap = st->cap_src ? st->cap_src * 2 : 8;
        Source *p = realloc(st->src, cap * sizeof *p);
        if (!p) {
            set_warn(rs, "%s: out of memory", path);
            return NULL;
        }
        st->src = p;
        st->cap_src = cap;
    }
    s = &st->src[st->n_src++];
    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", path);
    s->kind = kind;
    s->prefix = prefix;
    if (kind == SRC_EVENTS) {
        const char *b = strrchr(path, '/');
        b = b ? b + 1 : path;
        if (starts_with(b, EVENTS_PREFIX)) {
            char *end;
            double t = strtod(b + strlen(EVENTS_PREFIX), &end);
            if (end != b + strlen(EVENTS_PREFIX) && isfinite(t) && t > 0) s->name_time = t;
        }
    }
    return s;
}

/* ---- directory walk -------------------------------------------------- */

typedef struct {
    char **names;
    size_t n, cap;
} NameList;

static void names_free(NameList *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->names[i]);
    free(l->names);
    memset(l, 0, sizeof *l);
}

static bool names_add(NameList *l, const char *name)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **p = realloc(l->names, cap * sizeof *p);
        if (!p) return false;
        l->names = p;
        l->cap = cap;
    }
    char *c = strdup(name);
    if (!c) return false;
    l->names[l->n++] = c;
    return true;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct {
    size_t dirs, entries;
    bool limit_warned;
} WalkBudget;

/* What a directory holds, as far as runs are concerned. */
typedef struct {
    bool metrics, journal, config;
    NameList events; /* event file names, sorted */
    NameList subdirs;
} DirListing;

static void listing_free(DirListing *l)
{
    names_free(&l->events);
    names_free(&l->subdirs);
}

static bool is_events_name(const char *name)
{
    return starts_with(name, EVENTS_PREFIX) && name[strlen(EVENTS_PREFIX)] != '\0';
}

/* Lists path; false (with a warning of the set) when it cannot be read. */
static bool list_dir(RunSet *rs, const char *path, DirListing *out, WalkBudget *b)
{
    memset(out, 0, sizeof *out);
    DIR *d = opendir(path);
    if (!d) {
        /* permission problems are the user's business; report them */
        if (errno != ENOENT && errno != ENOTDIR) set_warn(rs, "%s: %s", path, strerror(errno));
        return false;
    }
    struct dirent *e;
    bool ok = true;
    while ((e = readdir(d))) {
        if (++b->entries > MAX_ENTRIES) {
            if (!b->limit_warned)
                set_warn(rs, "%s: more than %d entries under it; the rest are not looked at",
                         rs->logdir, MAX_ENTRIES);
            b->limit_warned = true;
            break;
        }
        const char *n = e->d_name;
        if (n[0] == '.') continue; /* ., .., hidden */
        bool is_dir = e->d_type == DT_DIR, is_reg = e->d_type == DT_REG;
        if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) {
            char p[RUNS_PATH];
            struct stat st;
            if (!join(p, sizeof p, path, n) || stat(p, &st) != 0) continue;
            is_dir = S_ISDIR(st.st_mode);
            is_reg = S_ISREG(st.st_mode);
        }
        if (is_dir) {
            ok = names_add(&out->subdirs, n) && ok;
        } else if (is_reg) {
            if (strcmp(n, "metrics.csv") == 0)
                out->metrics = true;
            else if (strcmp(n, "journal.txt") == 0)
                out->journal = true;
            else if (strcmp(n, "config.txt") == 0)
                out->config = true;
            else if (is_events_name(n))
                ok = names_add(&out->events, n) && ok;
        }
    }
    closedir(d);
    if (!ok) set_warn(rs, "%s: out of memory", path);
    if (out->events.n > 1)
        qsort(out->events.names, out->events.n, sizeof *out->events.names, cmp_names);
    if (out->subdirs.n > 1)
        qsort(out->subdirs.names, out->subdirs.n, sizeof *out->subdirs.names, cmp_names);
    return true;
}

/* Event files in path/sub (Keras's train/ or validation/), added to r when
 * r is given; returns how many there are. */
static size_t keras_part(RunSet *rs, RunInfo *r, const char *path, const char *sub,
                         TagPrefix prefix, WalkBudget *b)
{
    char p[RUNS_PATH];
    if (!join(p, sizeof p, path, sub)) return 0;
    DirListing l;
    if (!list_dir(rs, p, &l, b)) return 0;
    size_t n = l.events.n;
    for (size_t i = 0; r && i < l.events.n; i++) {
        char f[RUNS_PATH];
        if (join(f, sizeof f, p, l.events.names[i])) add_source(rs, r, f, SRC_EVENTS, prefix);
    }
    listing_free(&l);
    return n;
}

static void walk(RunSet *rs, const char *path, const char *rel, int depth, WalkBudget *b,
                 bool *changed)
{
    if (++b->dirs > MAX_DIRS) {
        if (!b->limit_warned)
            set_warn(rs, "%s: more than %d directories under it; the rest are not looked at",
                     rs->logdir, MAX_DIRS);
        b->limit_warned = true;
        return;
    }
    DirListing l;
    if (!list_dir(rs, path, &l, b)) return;

    bool has_train = false, has_val = false;
    for (size_t i = 0; i < l.subdirs.n; i++) {
        if (strcmp(l.subdirs.names[i], "train") == 0) has_train = true;
        if (strcmp(l.subdirs.names[i], "validation") == 0) has_val = true;
    }
    size_t n_train = has_train ? keras_part(rs, NULL, path, "train", PREFIX_TRAIN, b) : 0;
    size_t n_val = has_val ? keras_part(rs, NULL, path, "validation", PREFIX_VALIDATION, b) : 0;
    bool keras = n_train + n_val > 0;
    bool gradtop = l.metrics || l.journal;

    RunInfo *r = NULL;
    if (gradtop || keras || l.events.n) {
        RunKind kind = gradtop ? RUN_KIND_GRADTOP : keras ? RUN_KIND_KERAS : RUN_KIND_EVENTS;
        r = ensure_run(rs, path, rel, kind, changed);
    }
    if (r) {
        char f[RUNS_PATH];
        if (gradtop) {
            static const struct {
                const char *name;
                SourceKind kind;
            } files[] = {{"config.txt", SRC_CONFIG},
                         {"journal.txt", SRC_JOURNAL},
                         {"metrics.csv", SRC_METRICS}};
            for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
                if (join(f, sizeof f, path, files[i].name))
                    add_source(rs, r, f, files[i].kind, PREFIX_NONE);
        }
        for (size_t i = 0; i < l.events.n; i++)
            if (join(f, sizeof f, path, l.events.names[i]))
                add_source(rs, r, f, SRC_EVENTS, PREFIX_NONE);
        if (n_train) keras_part(rs, r, path, "train", PREFIX_TRAIN, b);
        if (n_val) keras_part(rs, r, path, "validation", PREFIX_VALIDATION, b);
    }

    if (depth < RUNSET_MAX_DEPTH) {
        for (size_t i = 0; i < l.subdirs.n; i++) {
            const char *n = l.subdirs.names[i];
            if (keras && (strcmp(n, "train") == 0 || strcmp(n, "validation") == 0)) continue;
            char p[RUNS_PATH], q[RUNS_PATH];
            if (!join(p, sizeof p, path, n) || !join(q, sizeof q, rel, n)) continue;
            walk(rs, p, q, depth + 1, b, changed);
        }
    }
    listing_free(&l);
}

/* ---- reading files --------------------------------------------------- */

/* Stats s; whether it exists.  A file that shrank or was replaced by
 * another (a new inode) asks for its run to be read again. */
static bool source_stat(RunInfo *r, Source *s)
{
    struct stat st;
    if (stat(s->path, &st) != 0 || !S_ISREG(st.st_mode)) {
        s->exists = false;
        return false;
    }
    bool replaced = s->ino != 0 && (st.st_ino != s->ino || st.st_dev != s->dev);
    bool shrank = (uint64_t)st.st_size < s->offset;
    if (s->kind != SRC_CONFIG && (replaced || shrank)) r->state->reset = true;
    s->exists = true;
    s->size = (uint64_t)st.st_size;
    s->mtime = st.st_mtim;
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    return true;
}

static int open_source(RunInfo *r, Source *s)
{
    int fd = open(s->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && !s->open_failed) {
        s->open_failed = true;
        run_warn(r, "%s: %s", s->path, strerror(errno));
    } else if (fd >= 0) {
        s->open_failed = false;
    }
    return fd;
}

typedef void (*LineFn)(RunSet *rs, RunInfo *r, Source *s, char *line, size_t n);

/* Reads the complete lines appended to s since the last call and hands each
 * one (without its newline, NUL-terminated) to fn; an incomplete last line
 * is left for later.  Over-long lines are skipped with a warning. */
static void read_lines(RunSet *rs, RunInfo *r, Source *s, LineFn fn)
{
    if (s->offset >= s->size) {
        s->pending = false;
        return;
    }
    int fd = open_source(r, s);
    if (fd < 0) return;
    uint64_t first = s->size - s->offset;
    char *buf = malloc((first < TEXT_CHUNK ? (size_t)first : TEXT_CHUNK) + 1);
    if (!buf) {
        close(fd);
        run_warn(r, "%s: out of memory", s->path);
        return;
    }
    while (s->offset < s->size && !s->stopped) {
        uint64_t left = s->size - s->offset;
        size_t want = left < TEXT_CHUNK ? (size_t)left : TEXT_CHUNK;
        ssize_t got = pread(fd, buf, want, (off_t)s->offset);
        if (got <= 0) break;
        char *p = buf, *end = buf + got;
        char *nl;
        while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
            size_t n = (size_t)(nl - p);
            if (s->skip_line) {
                s->skip_line = false;
            } else if (n >= MAX_LINE) {
                run_warn(r, "%s:%ld: line too long, skipped", s->path, s->line + 1);
            } else {
                if (n && p[n - 1] == '\r') n--;
                p[n] = '\0';
                fn(rs, r, s, p, n);
            }
            s->line++;
            p = nl + 1;
            if (s->stopped) break;
        }
        if (p == buf) {
            /* no newline in the whole chunk: either the end of the file is
             * in the middle of a line, or the line is far too long */
            if (!s->skip_line && (size_t)got < TEXT_CHUNK && (size_t)got < MAX_LINE) break;
            if (!s->skip_line) run_warn(r, "%s:%ld: line too long, skipped", s->path, s->line + 1);
            s->skip_line = true;
            p = end;
        }
        s->offset += (uint64_t)(p - buf);
        if ((size_t)got < want) break;
    }
    s->pending = s->offset < s->size && !s->skip_line;
    free(buf);
    close(fd);
}

/* ---- metrics.csv ----------------------------------------------------- */

static void metrics_header(RunInfo *r, Source *s, char *line)
{
    int n = 0;
    bool cls = false, reg = false;
    for (char *tok = line;; n++) {
        char *comma = strchr(tok, ',');
        if (comma) *comma = '\0';
        if (n >= CSV_MAX_COLS) {
            run_warn(r, "%s:%ld: more than %d columns", s->path, s->line + 1, CSV_MAX_COLS);
            s->stopped = true;
            return;
        }
        s->col_series[n] = -1;
        s->col_tag[n][0] = '\0';
        if (strcmp(tok, "epoch") == 0) {
            s->role[n] = COL_EPOCH;
        } else if (strcmp(tok, "step") == 0) {
            s->role[n] = COL_STEP;
        } else if (strcmp(tok, "wall_time") == 0) {
            s->role[n] = COL_WALL;
        } else {
            s->role[n] = COL_SERIES;
            snprintf(s->col_tag[n], sizeof s->col_tag[n], "%s",
                     strcmp(tok, "lr") == 0 ? "learning_rate" : tok);
            if (strcmp(tok, "accuracy") == 0 || strcmp(tok, "val_accuracy") == 0) cls = true;
            if (strcmp(tok, "mae") == 0 || strcmp(tok, "r2") == 0) reg = true;
        }
        if (!comma) break;
        tok = comma + 1;
    }
    s->n_cols = n + 1;
    s->have_header = true;
    if (cls != reg) r->state->csv_task = cls ? RUN_TASK_CLASSIFICATION : RUN_TASK_REGRESSION;
}

/* A whole field as a number: "" is absent (NAN with *present false). */
static bool metrics_number(const char *f, double *v, bool *present)
{
    *present = false;
    *v = NAN;
    if (!*f) return true;
    char *end;
    errno = 0;
    double x = strtod(f, &end);
    if (end == f || *end != '\0') return false;
    *v = x;
    *present = true;
    return true;
}

static void metrics_line(RunSet *rs, RunInfo *r, Source *s, char *line, size_t n)
{
    if (n == 0) return;
    if (starts_with(line, "epoch,") || strcmp(line, "epoch") == 0) {
        /* the header (again, after a resume that wrote one) */
        metrics_header(r, s, line);
        return;
    }
    if (!s->have_header) {
        run_warn(r, "%s:%ld: no header line (epoch,step,...); line skipped", s->path, s->line + 1);
        return;
    }
    char *fields[CSV_MAX_COLS];
    int nf = 0;
    for (char *tok = line;;) {
        char *comma = strchr(tok, ',');
        if (comma) *comma = '\0';
        if (nf < CSV_MAX_COLS) fields[nf] = tok;
        nf++;
        if (!comma) break;
        tok = comma + 1;
    }
    if (nf != s->n_cols) {
        run_warn(r, "%s:%ld: expected %d fields, got %d; line skipped", s->path, s->line + 1,
                 s->n_cols, nf);
        return;
    }
    double v[CSV_MAX_COLS];
    bool present[CSV_MAX_COLS];
    double epoch = NAN, wall = 0;
    for (int i = 0; i < nf; i++) {
        if (!metrics_number(fields[i], &v[i], &present[i])) {
            run_warn(r, "%s:%ld: field %d is not a number; line skipped", s->path, s->line + 1,
                     i + 1);
            return;
        }
        if (s->role[i] == COL_EPOCH) epoch = v[i];
        if (s->role[i] == COL_WALL && present[i] && isfinite(v[i])) wall = v[i];
    }
    if (!(epoch >= 0 && epoch <= 1e15) || epoch != floor(epoch)) {
        run_warn(r, "%s:%ld: bad epoch; line skipped", s->path, s->line + 1);
        return;
    }
    for (int i = 0; i < nf; i++) {
        if (s->role[i] != COL_SERIES || !present[i] || !s->col_tag[i][0]) continue;
        if (s->col_series[i] < 0) s->col_series[i] = (int)series_index(r, s->col_tag[i], 0);
        push_point(rs, r, s->col_series[i], (int64_t)epoch, wall, v[i]);
    }
}

/* ---- journal.txt ----------------------------------------------------- */

/* The options a journal change line names ("lr 0.03 -> lr 0.01, dropout 0
 * -> dropout 0.2", "batch_size 32 -> 64", "layers 32 -> 33,33: ...",
 * "data: noise 0.1 -> 0.3"), marked in r->changed_live. */
static void mark_changed_options(RunInfo *r, const char *text)
{
    if (starts_with(text, "data: ")) text += strlen("data: ");
    size_t len = strcspn(text, ":"); /* a network edit's note, an exploit's donor */
    for (size_t at = 0; at < len;) {
        size_t piece = at, end = at;
        while (end < len && !(text[end] == ',' && end + 1 < len && text[end + 1] == ' ')) end++;
        char name[40];
        size_t k = 0;
        while (piece < end && text[piece] != ' ' && k + 1 < sizeof name) {
            name[k++] = text[piece] == '_' ? '-' : text[piece];
            piece++;
        }
        name[k] = '\0';
        const OptionSpec *spec = options_find(name);
        size_t idx = spec ? (size_t)(spec - option_table) : 0;
        if (spec && idx < 256) {
            r->changed_live[idx / 64] |= (uint64_t)1 << (idx % 64);
            r->state->dirty = true;
        }
        at = end + 2;
    }
}

static void journal_line(RunSet *rs, RunInfo *r, Source *s, char *line, size_t n)
{
    (void)rs;
    if (n == 0) return;
    /* TIME step=N epoch=N KIND text */
    char when[64], kind[32];
    long step;
    int epoch, used = 0;
    if (sscanf(line, "%63s step=%ld epoch=%d %31s%n", when, &step, &epoch, kind, &used) != 4) {
        run_warn(r, "%s:%ld: not a journal line; skipped", s->path, s->line + 1);
        return;
    }
    const char *text = line + used;
    while (*text == ' ') text++;
    RunState *st = r->state;
    if (st->journal_start <= 0) {
        double t = parse_iso_time(when);
        if (t > 0) st->journal_start = t;
    }
    if (strcmp(kind, "stop") == 0) {
        /* a sweep's trial: "stopped at the end of epoch 3: pruned by the
         * sweep's asha rule: ..." */
        st->pruned = strstr(text, ": " JOURNAL_PRUNED_BY) != NULL;
        st->dirty = true;
    }
    if (strcmp(kind, "result") == 0) {
        const char *p = strstr(text, "status=");
        if (p) {
            p += strlen("status=");
            size_t k = strcspn(p, " ");
            if (k >= sizeof st->result) k = sizeof st->result - 1;
            memcpy(st->result, p, k);
            st->result[k] = '\0';
        }
        const char *b = strstr(text, " best_epoch=");
        long long be = 0;
        if (!b || sscanf(b, " best_epoch=%lld", &be) != 1 || be < 0) be = 0;
        st->result_best = be;
        st->dirty = true;
        return;
    }
    /* anything after a result line means the run went on (train --resume) */
    if (st->result[0]) {
        st->result[0] = '\0';
        st->result_best = 0;
        st->dirty = true;
    }
    if (strcmp(kind, "run") == 0 || (strcmp(kind, "resume") == 0 && starts_with(text, "gradtop"))) {
        /* "gradtop 0.1.0: datasets/iris.csv (classification), 150 rows: ..." */
        const char *colon = strstr(text, ": ");
        const char *paren = colon ? strstr(colon, " (") : NULL;
        if (colon && paren) {
            const char *ds = colon + 2;
            snprintf(st->journal_dataset, sizeof st->journal_dataset, "%.*s", (int)(paren - ds),
                     ds);
            if (starts_with(paren, " (classification)"))
                st->journal_task = RUN_TASK_CLASSIFICATION;
            else if (starts_with(paren, " (regression)"))
                st->journal_task = RUN_TASK_REGRESSION;
        }
        return;
    }
    if (strcmp(kind, "change") == 0) mark_changed_options(r, text);
    static const char *const marked[] = {"change", "schedule", "early_stop", "diverged",
                                         "stop",   "restore",  "resume"};
    /* a resume is marked only when it takes up a diverged run (its charts
     * fit their range to what follows it), not after a pause */
    bool after_divergence = r->n_marks > 0 && !strcmp(r->marks[r->n_marks - 1].kind, "diverged");
    for (size_t i = 0; i < sizeof marked / sizeof marked[0]; i++) {
        if (strcmp(kind, marked[i]) != 0 || (!strcmp(kind, "resume") && !after_divergence))
            continue;
        if (r->n_marks >= MAX_MARKS) return;
        RunMark *m = realloc(r->marks, (r->n_marks + 1) * sizeof *m);
        if (!m) {
            run_warn(r, "%s: out of memory", s->path);
            return;
        }
        r->marks = m;
        m = &r->marks[r->n_marks++];
        m->epoch = epoch;
        m->step = step;
        snprintf(m->kind, sizeof m->kind, "%.15s", kind);
        copy_utf8(m->text, sizeof m->text, text);
        st->dirty = true;
        return;
    }
}

/* ---- event files ----------------------------------------------------- */

static void events_scalar(RunSet *rs, RunInfo *r, Source *s, const TfeScalar *sc)
{
    char tag[TFEVENTS_MAX_TAG + 8];
    const char *t = sc->tag;
    if (s->prefix != PREFIX_NONE && starts_with(t, "epoch_")) t += strlen("epoch_");
    snprintf(tag, sizeof tag, "%s%s", s->prefix == PREFIX_VALIDATION ? "val_" : "", t);
    long idx = series_index(r, tag, s->last_hit);
    if (idx < 0) {
        if (r->n_series >= MAX_SERIES) return; /* a run with thousands of tags: the first do */
        run_warn(r, "%s: out of memory", s->path);
        return;
    }
    s->last_hit = (size_t)idx;
    push_point(rs, r, idx, sc->step, sc->wall_time, sc->value);
}

/* Reads the records appended to an event file since the last call, through
 * tfevents.h's reader over bounded chunks of memory. */
static void read_events(RunSet *rs, RunInfo *r, Source *s)
{
    if (s->stopped || s->offset >= s->size) {
        s->pending = s->cut_warned = false;
        return;
    }
    int fd = open_source(r, s);
    if (fd < 0) return;
    size_t chunk = EVENTS_CHUNK;
    uint8_t *buf = NULL;
    size_t cap = 0;
    s->pending = false;
    uint64_t was = s->offset;
    while (s->offset < s->size) {
        uint64_t left = s->size - s->offset;
        size_t want = left < chunk ? (size_t)left : chunk;
        if (want > cap) {
            uint8_t *p = realloc(buf, want);
            if (!p) {
                run_warn(r, "%s: out of memory", s->path);
                break;
            }
            buf = p;
            cap = want;
        }
        ssize_t got = pread(fd, buf, want, (off_t)s->offset);
        if (got <= 0) break;
        TfeReader *tr;
        Error e = {0};
        if (tfevents_reader_open_mem(&tr, buf, (size_t)got, &e) != ERROR_NONE) {
            run_warn(r, "%s: %s", s->path, e.msg);
            break;
        }
        TfeScalar sc;
        while (tfevents_reader_next(tr, &sc)) events_scalar(rs, r, s, &sc);
        /* the writer its first record names; a file that names none was
         * gradtop's when it is from before gradtop's named it: its HParams
         * session start (the records after the first) names the run's
         * model file, which no other writer calls model.gtm */
        if (s->offset == 0) {
            const char *writer = tfevents_reader_writer(tr);
            s->named = writer[0] != '\0';
            s->by_gradtop = strcmp(writer, RUNDIR_EVENTS_WRITER) == 0;
        }
        if (!s->named && strcmp(tfevents_reader_model_file(tr), RUNDIR_MODEL_FILE) == 0)
            s->by_gradtop = true;
        size_t used = (size_t)tfevents_reader_offset(tr);
        size_t warnings = tfevents_reader_warnings(tr);
        uint64_t first_bad;
        if (!tfevents_reader_first_damage(tr, &first_bad)) first_bad = used;
        tfevents_reader_close(tr);

        /* what stopped the reader short of the chunk's end: a record cut by
         * the chunk or by the file's end (partial), or broken framing */
        size_t rem = (size_t)got - used;
        bool partial = false, broken = false;
        uint64_t need = 0; /* bytes of the cut record */
        if (rem > 0 && rem < 12) {
            partial = true;
            need = 12;
        } else if (rem >= 12) {
            const uint8_t *h = buf + used;
            uint64_t len = 0;
            for (int i = 7; i >= 0; i--) len = len << 8 | h[i];
            uint32_t crc = (uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 |
                           (uint32_t)h[11] << 24;
            if (crc32c_mask(crc32c(h, 8)) != crc || len > TFEVENTS_MAX_RECORD) {
                broken = true;
            } else {
                partial = true;
                need = 12 + len + 4;
            }
        }
        if (partial && warnings > 0) warnings--; /* the reader counts a cut record */
        if (warnings)
            run_warn(r, "%s: %zu damaged record%s skipped (the first at byte %llu)", s->path,
                     warnings, warnings == 1 ? "" : "s",
                     (unsigned long long)(s->offset + first_bad));
        if (warnings > 1) r->warnings += warnings - 1;
        s->offset += used;
        if (broken) {
            s->stopped = true;
            break;
        }
        if (partial) {
            if (s->offset + need > s->size) {
                s->pending = true; /* the writer has not finished it yet */
                s->cut_need = need;
                break;
            }
            if (used == 0) {
                if (need > chunk)
                    chunk = (size_t)need;
                else
                    break; /* cannot happen: the reader would have taken it */
            }
            continue;
        }
        if (used == 0) break;
    }
    if (s->offset != was) s->cut_warned = false; /* a new record may be cut later */
    free(buf);
    close(fd);
}

/* An event file that ends inside a record is left pending while its run
 * may still be writing it; once the run is not running any more (finished,
 * or quiet for RUNSET_RUNNING_SECONDS), the record is cut for good: said
 * once, naming the file, where and how much is missing. */
static void warn_cut_records(RunInfo *r)
{
    if (strcmp(r->status, "running") == 0 || strcmp(r->status, "growing") == 0) return;
    RunState *st = r->state;
    for (size_t i = 0; i < st->n_src; i++) {
        Source *s = &st->src[i];
        if (s->kind != SRC_EVENTS || !s->exists || !s->pending || s->cut_warned) continue;
        s->cut_warned = true;
        /* 12: only the record's header is known to be missing bytes */
        run_warn(r,
                 "%s: the last record is cut short at byte %llu (%llu bytes there, %s%llu needed); "
                 "skipped",
                 s->path, (unsigned long long)s->offset, (unsigned long long)(s->size - s->offset),
                 s->cut_need <= 12 ? "at least " : "", (unsigned long long)s->cut_need);
    }
}

/* ---- config.txt ------------------------------------------------------ */

static void read_config(RunInfo *r, Source *s)
{
    if (s->size > MAX_CONFIG) {
        run_warn(r, "%s: too large for a config file; ignored", s->path);
        r->has_options = false;
        return;
    }
    Options o;
    options_default(&o);
    Error e = {0};
    if (options_load_file(&o, s->path, NULL, &e) != ERROR_NONE) {
        run_warn(r, "%s", e.msg);
        r->has_options = false;
        return;
    }
    r->state->dirty = true;
    r->options = o;
    r->data_kind = dataset_kind(o.dataset, NULL);
    r->has_options = true;
}

/* ---- evaluation ------------------------------------------------------ */

static bool has_values(const RunSeries *s)
{
    return s && s->min <= s->max;
}

static bool contains_ci(const char *s, const char *needle)
{
    return strcasestr(s, needle) != NULL;
}

/* A gradtop run's best figure by its own --monitor (its training twin
 * when it had no validation part), at the result line's best epoch once
 * it has one; false when the run's files do not give it. */
static bool monitor_best(RunInfo *r)
{
    if (r->kind != RUN_KIND_GRADTOP || !r->has_options || !r->options.monitor[0]) return false;
    const char *tag = r->options.monitor;
    const RunSeries *s = runinfo_series(r, tag);
    if (!has_values(s) && starts_with(tag, "val_")) s = runinfo_series(r, tag + 4);
    if (!has_values(s)) return false;
    /* the tag is a monitor name here: the engine's direction for it */
    int field = monitor_field_of(s->tag);
    if (field < 0) return false;
    bool higher = monitor_higher_is_better(field);
    snprintf(r->best_tag, sizeof r->best_tag, "%s", s->tag);
    r->best_higher = higher;
    r->best_value = higher ? s->max : s->min;
    r->best_step = higher ? s->max_step : s->min_step;
    /* the kept epoch (min_delta and a resume's carried-over best can make
     * it other than the extreme) */
    int64_t want = r->state->result_best;
    for (size_t i = s->n; want > 0 && i-- > 0;)
        if (s->step[i] == want && isfinite(s->value[i])) {
            r->best_value = s->value[i];
            r->best_step = want;
            break;
        }
    return true;
}

/* The best validation figure: see runs.h. */
static void evaluate_best(RunInfo *r)
{
    if (monitor_best(r)) return;
    const RunSeries *pick = NULL;
    bool higher = false;
    static const struct {
        const char *tag;
    } exact[] = {{"val_accuracy"}, {"val_loss"}};
    for (size_t i = 0; !pick && i < sizeof exact / sizeof exact[0]; i++) {
        const RunSeries *s = runinfo_series(r, exact[i].tag);
        if (has_values(s)) {
            pick = s;
            higher = monitor_higher_is_better(monitor_field_of(exact[i].tag));
        }
    }
    /* PyTorch-style names: "Accuracy/val", "loss/validation", "val/loss" */
    for (int pass = 0; !pick && pass < 2; pass++) {
        for (size_t i = 0; !pick && i < r->n_series; i++) {
            const RunSeries *s = &r->series[i];
            if (!has_values(s) || !contains_ci(s->tag, "val")) continue;
            if (pass == 0 && contains_ci(s->tag, "acc")) {
                pick = s;
                higher = true;
            } else if (pass == 1 && contains_ci(s->tag, "loss")) {
                pick = s;
            }
        }
    }
    if (!pick && has_values(runinfo_series(r, "loss"))) pick = runinfo_series(r, "loss");
    for (size_t i = 0; !pick && i < r->n_series; i++)
        if (has_values(&r->series[i]) && contains_ci(r->series[i].tag, "loss"))
            pick = &r->series[i];
    if (!pick) {
        r->best_tag[0] = '\0';
        r->best_value = NAN;
        r->best_step = 0;
        r->best_higher = false;
        return;
    }
    snprintf(r->best_tag, sizeof r->best_tag, "%s", pick->tag);
    r->best_higher = higher;
    r->best_value = higher ? pick->max : pick->min;
    r->best_step = higher ? pick->max_step : pick->min_step;
}

static void evaluate(RunInfo *r, double now)
{
    RunState *st = r->state;
    /* task */
    RunTask task = st->csv_task != RUN_TASK_UNKNOWN ? st->csv_task : st->journal_task;
    if (task == RUN_TASK_UNKNOWN) {
        for (size_t i = 0; i < r->n_series; i++) {
            if (contains_ci(r->series[i].tag, "acc")) task = RUN_TASK_CLASSIFICATION;
            if (strcmp(r->series[i].tag, "mae") == 0 || strcmp(r->series[i].tag, "r2") == 0)
                task = RUN_TASK_REGRESSION;
        }
    }
    r->task = task;

    /* what its steps count: another writer's event files may count
     * batches, or anything; gradtop's own (the first record says so)
     * count epochs, even without the rest of their run directory */
    r->epoch_steps = r->kind != RUN_KIND_EVENTS;
    if (!r->epoch_steps) {
        size_t read = 0, ours = 0;
        for (size_t i = 0; i < st->n_src; i++) {
            const Source *s = &st->src[i];
            if (s->kind != SRC_EVENTS || s->offset == 0) continue;
            read++;
            if (s->by_gradtop) ours++;
        }
        r->epoch_steps = read > 0 && ours == read;
    }

    /* dataset */
    r->dataset[0] = '\0';
    if (r->kind == RUN_KIND_GRADTOP) {
        if (r->has_options && r->options.dataset[0])
            dataset_short(r->dataset, sizeof r->dataset, r->options.dataset);
        else if (st->journal_dataset[0])
            dataset_short(r->dataset, sizeof r->dataset, st->journal_dataset);
        else
            dataset_from_dir_name(r->dataset, sizeof r->dataset, r->path);
    }

    /* start time: the journal's first line, the directory's stamp, the
     * event files' names, the first point's wall time */
    double start = 0;
    if (r->kind == RUN_KIND_GRADTOP) {
        start = st->journal_start;
        if (start <= 0) {
            const char *b = strrchr(r->path, '/');
            start = stamp_time(b ? b + 1 : r->path, NULL);
        }
    }
    double newest = 0, named = 0;
    for (size_t i = 0; i < st->n_src; i++) {
        const Source *s = &st->src[i];
        if (!s->exists) continue;
        if (s->kind == SRC_EVENTS && s->name_time > 0 && (named <= 0 || s->name_time < named))
            named = s->name_time;
        if (s->kind != SRC_CONFIG) {
            double m = ts_seconds(s->mtime);
            if (m > newest) newest = m;
        }
    }
    if (start <= 0) start = named;
    if (start <= 0) {
        for (size_t i = 0; i < r->n_series; i++)
            if (r->series[i].n && r->series[i].wall_time[0] > 0 &&
                (start <= 0 || r->series[i].wall_time[0] < start))
                start = r->series[i].wall_time[0];
    }
    r->start_time = start > 0 ? start : 0;
    r->last_modified = newest;

    /* status */
    bool recent = newest > 0 && now - newest < RUNSET_RUNNING_SECONDS;
    const char *status;
    if (r->kind == RUN_KIND_GRADTOP && st->pruned && !strcmp(st->result, "stopped"))
        status = "pruned"; /* stopped by a sweep's rule, as the sweep's trials.csv says */
    else if (r->kind == RUN_KIND_GRADTOP)
        status = st->result[0] ? st->result : recent ? "running" : "interrupted";
    else /* event files say nothing of whether or how their run ended */
        status = recent ? "growing" : "unknown";
    snprintf(r->status, sizeof r->status, "%s", status);

    evaluate_best(r);
}

/* ---- refresh --------------------------------------------------------- */

static bool same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static bool config_changed(const Source *s)
{
    return !s->loaded || s->loaded_size != s->size || s->loaded_ino != s->ino ||
           s->loaded_mtime.tv_sec != s->mtime.tv_sec || s->loaded_mtime.tv_nsec != s->mtime.tv_nsec;
}

/* Reads what is new in r's files and re-evaluates it; whether anything
 * visible changed. */
static bool update_run(RunSet *rs, RunInfo *r, double now)
{
    RunState *st = r->state;
    /* what the list shows, to compare afterwards */
    char status[sizeof r->status], best_tag[sizeof r->best_tag], dataset[sizeof r->dataset];
    memcpy(status, r->status, sizeof status);
    memcpy(best_tag, r->best_tag, sizeof best_tag);
    memcpy(dataset, r->dataset, sizeof dataset);
    double best = r->best_value, start = r->start_time;
    int64_t best_step = r->best_step;
    RunTask task = r->task;
    bool gone = r->gone, had_options = r->has_options;
    size_t warnings = r->warnings;

    struct stat dst;
    r->gone = stat(r->path, &dst) != 0;

    bool metrics = false;
    for (size_t i = 0; i < st->n_src; i++)
        if (source_stat(r, &st->src[i]) && st->src[i].kind == SRC_METRICS) metrics = true;
    if (r->kind == RUN_KIND_GRADTOP) {
        /* metrics.csv, once there, is the better source: start over with it */
        if (st->events_mode && metrics) st->reset = true;
        st->events_mode = !metrics;
    }
    if (st->reset) {
        st->reset = false;
        run_clear_data(r);
        for (size_t i = 0; i < st->n_src; i++) source_stat(r, &st->src[i]);
    }

    for (size_t i = 0; i < st->n_src; i++) {
        Source *s = &st->src[i];
        if (!s->exists) continue;
        switch (s->kind) {
        case SRC_CONFIG:
            if (config_changed(s)) {
                s->loaded = true;
                s->loaded_size = s->size;
                s->loaded_ino = s->ino;
                s->loaded_mtime = s->mtime;
                read_config(r, s);
            }
            break;
        case SRC_JOURNAL: read_lines(rs, r, s, journal_line); break;
        case SRC_METRICS: read_lines(rs, r, s, metrics_line); break;
        case SRC_EVENTS:
            if (r->kind != RUN_KIND_GRADTOP || st->events_mode) read_events(rs, r, s);
            break;
        }
    }

    evaluate(r, now);
    warn_cut_records(r);
    bool changed = st->dirty || strcmp(status, r->status) != 0 ||
                   strcmp(best_tag, r->best_tag) != 0 || strcmp(dataset, r->dataset) != 0 ||
                   !same_double(best, r->best_value) || best_step != r->best_step ||
                   !same_double(start, r->start_time) || task != r->task || gone != r->gone ||
                   had_options != r->has_options || warnings != r->warnings;
    st->dirty = false;
    if (changed) r->generation++;
    return changed;
}

bool runset_refresh(RunSet *rs)
{
    bool changed = false;
    for (size_t i = 0; i < rs->n_runs; i++) rs->runs[i]->state->seen = false;
    /* the set's warnings describe the latest walk, not a running total */
    rs->warnings = 0;
    rs->last_warning[0] = '\0';
    WalkBudget b = {0};
    walk(rs, rs->logdir, "", 0, &b, &changed);
    double now = now_seconds();
    for (size_t i = 0; i < rs->n_runs; i++)
        if (update_run(rs, rs->runs[i], now)) changed = true;
    return changed;
}

ErrorCode runset_open(RunSet *rs, const char *logdir, Error *err)
{
    memset(rs, 0, sizeof *rs);
    size_t n = strlen(logdir);
    if (n == 0) return error_set(err, ERROR_INPUT, "view: empty log directory name");
    if (n >= sizeof rs->logdir - 256)
        return error_set(err, ERROR_INPUT, "%s: path too long", logdir);
    memcpy(rs->logdir, logdir, n + 1);
    while (n > 1 && rs->logdir[n - 1] == '/') rs->logdir[--n] = '\0';
    struct stat st;
    if (stat(rs->logdir, &st) != 0)
        return error_set(err, ERROR_INPUT, "%s: %s", logdir, strerror(errno));
    if (!S_ISDIR(st.st_mode)) return error_set(err, ERROR_INPUT, "%s: not a directory", logdir);
    rs->max_points = RUNSET_MAX_POINTS;
    runset_refresh(rs);
    return ERROR_NONE;
}

void runset_free(RunSet *rs)
{
    for (size_t i = 0; i < rs->n_runs; i++) run_free(rs->runs[i]);
    free(rs->runs);
    memset(rs, 0, sizeof *rs);
}

int runinfo_colour(const RunInfo *r, int n_colours)
{
    if (n_colours <= 0) return 0;
    return (int)(r->hash % (uint32_t)n_colours);
}

/* ---- sorting and filtering ------------------------------------------- */

typedef struct {
    RunSortKey key;
    bool reverse;
} SortSpec;

static int status_rank(const char *s)
{
    static const char *const order[] = {"running",       "growing",  "completed",
                                        "early_stopped", "pruned",   "stopped",
                                        "interrupted",   "diverged", "unknown"};
    size_t n = sizeof order / sizeof order[0];
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, order[i]) == 0) return (int)i;
    return (int)n;
}

static int cmp_double(double a, double b)
{
    return a < b ? -1 : a > b ? 1 : 0;
}

/* The best figure's kind, in sorting order: 0 an accuracy (always a
 * validation one), 1 a validation loss, 2 a training loss, 3 none. */
static int best_group(const RunInfo *r)
{
    if (!r->best_tag[0]) return 3;
    if (r->best_higher) return 0;
    return contains_ci(r->best_tag, "val") ? 1 : 2;
}

static int cmp_runs(const void *pa, const void *pb, void *ctx)
{
    const RunInfo *a = *(RunInfo *const *)pa, *b = *(RunInfo *const *)pb;
    const SortSpec *spec = ctx;
    int c = 0;
    switch (spec->key) {
    case RUN_SORT_START: {
        bool ha = a->start_time > 0, hb = b->start_time > 0;
        if (ha != hb) return ha ? -1 : 1; /* unknown last either way */
        c = cmp_double(a->start_time, b->start_time);
        break;
    }
    case RUN_SORT_NAME: c = strcmp(a->name, b->name); break;
    case RUN_SORT_BEST: {
        /* accuracies (higher is better), validation losses, training
         * losses (a run without validation), each its own group; none last */
        int ga = best_group(a), gb = best_group(b);
        if ((ga == 3) != (gb == 3)) return ga == 3 ? 1 : -1;
        c = ga - gb;
        if (!c && ga == 0) c = cmp_double(b->best_value, a->best_value);
        if (!c && (ga == 1 || ga == 2)) c = cmp_double(a->best_value, b->best_value);
        break;
    }
    case RUN_SORT_STATUS: c = status_rank(a->status) - status_rank(b->status); break;
    }
    if (spec->reverse) c = -c;
    if (c) return c;
    /* ties: start time, name, path */
    c = cmp_double(a->start_time, b->start_time);
    if (!c) c = strcmp(a->name, b->name);
    if (!c) c = strcmp(a->path, b->path);
    return c;
}

void runinfo_sort(RunInfo **runs, size_t n, RunSortKey key, bool reverse)
{
    SortSpec spec = {key, reverse};
    if (n > 1) qsort_r(runs, n, sizeof *runs, cmp_runs, &spec);
}

ErrorCode runfilter_compile(RunFilter *f, const char *pattern, Error *err)
{
    memset(f, 0, sizeof *f);
    if (!pattern || !pattern[0]) {
        f->match_all = true;
        return ERROR_NONE;
    }
    int rc = regcomp(&f->re, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB);
    if (rc != 0) {
        char msg[256];
        regerror(rc, &f->re, msg, sizeof msg);
        f->match_all = true; /* nothing to free */
        return error_set(err, ERROR_INPUT, "filter '%s': %s", pattern, msg);
    }
    return ERROR_NONE;
}

bool runfilter_match(const RunFilter *f, const RunInfo *r)
{
    if (f->match_all) return true;
    return regexec(&f->re, r->name, 0, NULL, 0) == 0 ||
           regexec(&f->re, r->dataset, 0, NULL, 0) == 0 ||
           regexec(&f->re, r->status, 0, NULL, 0) == 0;
}

void runfilter_free(RunFilter *f)
{
    if (!f->match_all) regfree(&f->re);
    memset(f, 0, sizeof *f);
    f->match_all = true;
}

ErrorCode runset_filter(const RunSet *rs, const char *pattern, RunInfo **out, size_t *n_out,
                        Error *err)
{
    *n_out = 0;
    RunFilter f;
    ErrorCode rc = runfilter_compile(&f, pattern, err);
    if (rc) return rc;
    for (size_t i = 0; i < rs->n_runs; i++)
        if (runfilter_match(&f, rs->runs[i])) out[(*n_out)++] = rs->runs[i];
    runfilter_free(&f);
    return ERROR_NONE;
}

/* ---- hyperparameters that differ ------------------------------------- */

static bool diff_candidate(const OptionSpec *spec)
{
    return spec->in_config && spec->group != OPTGROUP_OUTPUT && strcmp(spec->name, "threads") != 0;
}

/* o's value of spec as the column shows it: a generated set's default
 * noise (-1 in config.txt) as the noise it stands for. */
static void diff_format(const Options *o, const OptionSpec *spec, char *buf, size_t cap)
{
    double d = dataset_default_noise(o->dataset);
    if (strcmp(spec->name, "noise") == 0 && options_is_special(o, spec) && d >= 0)
        snprintf(buf, cap, "%g", d);
    else
        options_format(o, spec, buf, cap);
}

ErrorCode rundiff_build(RunDiff *d, RunInfo *const *runs, size_t n, Error *err)
{
    memset(d, 0, sizeof *d);
    d->n_runs = n;
    if (n < 2) return ERROR_NONE;
    char(*vals)[RUN_DIFF_VALUE] = malloc(n * sizeof *vals);
    if (!vals) return error_set(err, ERROR_RUNTIME, "out of memory");
    for (size_t k = 0; k < option_count; k++) {
        const OptionSpec *spec = &option_table[k];
        if (!diff_candidate(spec)) continue;
        const char *first = NULL;
        bool differs = false;
        for (size_t i = 0; i < n; i++) {
            vals[i][0] = '\0';
            const RunInfo *r = runs[i];
            if (!r->has_options || !option_applies(spec, &r->options) ||
                !option_data_applies_kind(option_data(spec), r->options.dataset, r->data_kind))
                continue;
            diff_format(&r->options, spec, vals[i], sizeof vals[i]);
            /* changed live: the value it began with, marked */
            if (k < 256 && (r->changed_live[k / 64] >> (k % 64) & 1)) {
                size_t l = strlen(vals[i]);
                if (l + 1 < sizeof vals[i]) memcpy(vals[i] + l, "*", 2);
            }
            if (!first)
                first = vals[i];
            else if (strcmp(first, vals[i]) != 0)
                differs = true;
        }
        if (!differs) continue;
        RunDiffColumn *cols = realloc(d->cols, (d->n_cols + 1) * sizeof *cols);
        char(*copy)[RUN_DIFF_VALUE] = malloc(n * sizeof *copy);
        if (cols) d->cols = cols;
        if (!cols || !copy) {
            free(copy);
            free(vals);
            rundiff_free(d);
            return error_set(err, ERROR_RUNTIME, "out of memory");
        }
        memcpy(copy, vals, n * sizeof *copy);
        d->cols[d->n_cols++] = (RunDiffColumn){.spec = spec, .values = copy};
    }
    free(vals);
    return ERROR_NONE;
}

void rundiff_free(RunDiff *d)
{
    for (size_t i = 0; i < d->n_cols; i++) free(d->cols[i].values);
    free(d->cols);
    memset(d, 0, sizeof *d);
}
