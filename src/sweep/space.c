/*
 * sweep_space.c - the --space spec: its parser, its checks, and applying a
 * trial's values to Options.  See sweep.h.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_private.h"

/* error_quote_text: user text in messages, control bytes shown as '?'. */

const char *const sweep_dist_names[] = {"choice", "uniform", "loguniform", "int",
                                        "grid",   "loggrid", NULL};

/* The parser's position in the spec, and the parameter it reads (for
 * messages). */
typedef struct {
    const char *spec;
    size_t i;
    char name[80]; /* quoted for messages; "" before it is read */
    int index;     /* of the parameter, from 1 */
    size_t base;   /* columns before the spec's first in its line */
    Error *err;
} Cursor;

/* "--space: 'lr' at column 18: expected ')'"; before its name is read, a
 * parameter is named by its place. */
static ErrorCode fail_at(const Cursor *c, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static ErrorCode fail_at(const Cursor *c, size_t at, const char *fmt, ...)
{
    char why[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (c->name[0])
        return error_set(c->err, ERROR_INPUT, "--space: '%s' at column %zu: %s", c->name,
                         c->base + at + 1, why);
    return error_set(c->err, ERROR_INPUT, "--space: parameter %d at column %zu: %s", c->index,
                     c->base + at + 1, why);
}

/* The prefix options_set gives its messages for a value at column at. */
static void where_at(const Cursor *c, size_t at, char *buf, size_t cap)
{
    snprintf(buf, cap, "--space: '%s' at column %zu", c->name, c->base + at + 1);
}

static void skip_blanks(Cursor *c)
{
    while (c->spec[c->i] == ' ' || c->spec[c->i] == '\t') c->i++;
}

/* "expected WHAT, got 'X'" at the cursor, or "got the end of the spec". */
static ErrorCode fail_expected(const Cursor *c, const char *what)
{
    if (!c->spec[c->i]) return fail_at(c, c->i, "expected %s, got the end of the spec", what);
    char got[32];
    error_quote_text(got, sizeof got, c->spec + c->i, 1);
    return fail_at(c, c->i, "expected %s, got '%s'", what, got);
}

static ErrorCode expect_char(Cursor *c, char want)
{
    skip_blanks(c);
    if (c->spec[c->i] == want) {
        c->i++;
        return ERROR_NONE;
    }
    char what[8] = {'\'', want, '\'', '\0'};
    return fail_expected(c, what);
}

/* A number in decimal (1e-4, 0.5, 64), finite: the form every number
 * option reads (options_is_decimal). */
static ErrorCode read_number(Cursor *c, const OptionSpec *s, double *out, size_t *at)
{
    skip_blanks(c);
    *at = c->i;
    const char *p = c->spec + c->i;
    char *end;
    errno = 0;
    double d = strtod(p, &end);
    /* strtod also takes "nan", "inf" and hexadecimal: only plain numbers */
    bool plain = end > p;
    for (const char *q = p; q < end && plain; q++)
        if (!isdigit((unsigned char)*q) && !strchr("+-.eE", *q)) plain = false;
    if (!plain) {
        if (!*p) return fail_expected(c, "a number in decimal, like 0.5 or 1e-3");
        /* the word or hexadecimal strtod took, else the first byte; and
         * what the option takes (a grid's count of points is none's) */
        char got[40], range[256], takes[320] = "";
        error_quote_text(got, sizeof got, p, end > p ? (size_t)(end - p) : 1);
        if (s) {
            options_range(s, range, sizeof range);
            snprintf(takes, sizeof takes, " (--%s takes %s)", s->name, range);
        }
        return fail_at(c, c->i, "expected a number in decimal, like 0.5 or 1e-3, got '%s'%s", got,
                       takes);
    }
    if (errno == ERANGE || !isfinite(d)) {
        char shown[40];
        error_quote_text(shown, sizeof shown, p, (size_t)(end - p));
        return fail_at(c, c->i, "%s is beyond what a double holds (%s)", shown,
                       fabs(d) < 1 ? "too near zero: at least about 2.2e-308"
                                   : "too large: at most about 1.8e308");
    }
    c->i += (size_t)(end - p);
    *out = d;
    return ERROR_NONE;
}

/* The shortest text that reads back as x ("0.001", not 0.00100000000000000002);
 * integers without a fraction. */
static void format_number(double x, bool integer, char *buf, size_t cap)
{
    if (integer) {
        snprintf(buf, cap, "%.0f", x);
        return;
    }
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, x);
        if (strtod(buf, NULL) == x) break;
    }
}

static bool option_is_integer(const OptionSpec *s)
{
    return s->kind == OPTKIND_INT || s->kind == OPTKIND_U64;
}

/* Whether the option takes the number v, by options_set on a scratch copy:
 * its own range and message. */
static ErrorCode check_value(const Cursor *c, const OptionSpec *s, const char *v, size_t at)
{
    Options scratch;
    options_default(&scratch);
    char where[160];
    where_at(c, at, where, sizeof where);
    return options_set(&scratch, s, v, where, c->err);
}

static ErrorCode check_number(const Cursor *c, const OptionSpec *s, double x, size_t at)
{
    char buf[64];
    format_number(x, option_is_integer(s), buf, sizeof buf);
    return check_value(c, s, buf, at);
}

/* v as the option reads it, in its own words ("0.1000" is 0.1; a list
 * "64 , 32" is 64,32); v passed check_value. */
static void value_read(const OptionSpec *s, const char *v, char *buf, size_t cap)
{
    Options scratch;
    options_default(&scratch);
    options_set(&scratch, s, v, NULL, NULL);
    options_format(&scratch, s, buf, cap);
}

/* The last alternative of p, at column at, against the earlier ones: one
 * given twice would be run twice by the grid and drawn twice as often by
 * random and tpe. */
static ErrorCode check_repeat(const Cursor *c, const SweepSpace *sp, const SweepParam *p, size_t at)
{
    const char *last = sp->text + p->alt[p->n - 1];
    char mine[SWEEP_SPEC_MAX], theirs[SWEEP_SPEC_MAX];
    value_read(p->spec, last, mine, sizeof mine);
    for (int j = 0; j < p->n - 1; j++) {
        const char *earlier = sp->text + p->alt[j];
        value_read(p->spec, earlier, theirs, sizeof theirs);
        if (strcmp(mine, theirs)) continue;
        char shown[64], first[64];
        error_quote_text(shown, sizeof shown, last, strlen(last));
        if (!strcmp(last, earlier))
            return fail_at(c, at, "alternative %d ('%s') is alternative %d again", p->n, shown,
                           j + 1);
        error_quote_text(first, sizeof first, earlier, strlen(earlier));
        return fail_at(c, at, "alternative %d ('%s') is alternative %d again ('%s')", p->n, shown,
                       j + 1, first);
    }
    return ERROR_NONE;
}

static ErrorCode parse_choice(Cursor *c, SweepSpace *sp, SweepParam *p, size_t *used)
{
    /* choice() is a slip, not a search: an empty value (layers' empty
     * network) is an alternative beside others, choice(|16) */
    skip_blanks(c);
    if (c->spec[c->i] == ')')
        return fail_at(c, c->i,
                       "choice() has no alternatives (A|B|...; an empty one, as "
                       "layers' empty network, goes beside others: choice(|16))");
    for (;;) {
        skip_blanks(c);
        size_t start = c->i;
        while (c->spec[c->i] && !strchr("|);", c->spec[c->i])) c->i++;
        if (c->spec[c->i] != '|' && c->spec[c->i] != ')') return fail_expected(c, "'|' or ')'");
        size_t end = c->i;
        while (end > start && (c->spec[end - 1] == ' ' || c->spec[end - 1] == '\t')) end--;
        if (p->n == SWEEP_MAX_CHOICES)
            return fail_at(c, start, "more than %d alternatives", SWEEP_MAX_CHOICES);
        size_t len = end - start;
        /* the spec fits SWEEP_SPEC_MAX, so its alternatives do too */
        memcpy(sp->text + *used, c->spec + start, len);
        sp->text[*used + len] = '\0';
        p->alt[p->n++] = (unsigned short)*used;
        *used += len + 1;
        ErrorCode rc = check_value(c, p->spec, sp->text + p->alt[p->n - 1], start);
        if (!rc) rc = check_repeat(c, sp, p, start);
        if (rc) return rc;
        if (c->spec[c->i++] == ')') return ERROR_NONE;
    }
}

/* The distributions that take numbers: (a,b) or (a,b,n). */
static ErrorCode parse_range(Cursor *c, SweepParam *p)
{
    bool grid = p->dist == SWEEP_GRID || p->dist == SWEEP_LOGGRID;
    const char *dn = sweep_dist_names[p->dist];
    const OptionSpec *s = p->spec;
    bool real_ok = s->kind == OPTKIND_DOUBLE;
    bool int_ok = option_is_integer(s);
    bool kind_ok = p->dist == SWEEP_INT ? int_ok : grid ? real_ok || int_ok : real_ok;
    size_t at_a, at_b, at_n = 0;
    double a, b, n = 0;
    ErrorCode rc = read_number(c, s, &a, &at_a);
    if (!rc) rc = expect_char(c, ',');
    if (!rc) rc = read_number(c, s, &b, &at_b);
    if (!rc && grid) rc = expect_char(c, ',');
    if (!rc && grid) rc = read_number(c, NULL, &n, &at_n);
    if (!rc) rc = expect_char(c, ')');
    if (rc) return rc;
    if (!kind_ok) {
        char range[256];
        options_range(s, range, sizeof range);
        const char *use = int_ok    ? "int(a,b), grid(a,b,n) or choice"
                          : real_ok ? "uniform, loguniform, grid or loggrid"
                                    : "choice(A|B|...)";
        return fail_at(c, at_a, "%s does not fit --%s, which takes %s; use %s", dn, s->name, range,
                       use);
    }
    if (p->dist == SWEEP_INT && (a != floor(a) || b != floor(b)))
        return fail_at(c, a != floor(a) ? at_a : at_b, "int(a,b) takes whole numbers");
    if (p->dist == SWEEP_INT ? a > b : a >= b)
        return fail_at(c, at_b, "the upper end %g must be %s the lower end %g", b,
                       p->dist == SWEEP_INT ? "at least" : "above", a);
    if ((p->dist == SWEEP_LOGUNIFORM || p->dist == SWEEP_LOGGRID) && a <= 0)
        return fail_at(c, at_a, "%s needs a positive lower end, got %g", dn, a);
    if (grid && (n != floor(n) || n < 2 || n > SWEEP_MAX_POINTS))
        return fail_at(c, at_n, "the number of points must be a whole number from 2 to %d",
                       SWEEP_MAX_POINTS);
    p->lo = a;
    p->hi = b;
    p->n = grid ? (int)n : 0;
    if (!grid) {
        rc = check_number(c, s, a, at_a);
        if (!rc) rc = check_number(c, s, b, at_b);
        return rc;
    }
    for (int i = 0; i < p->n; i++) {
        double x = sweep_param_point(p, i);
        if (i > 0 && x == sweep_param_point(p, i - 1))
            return fail_at(c, at_n, "%d points from %g to %g repeat once rounded to integers", p->n,
                           a, b);
        rc = check_number(c, s, x, at_a);
        if (rc) return rc;
    }
    return ERROR_NONE;
}

static bool is_name_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '-' || ch == '_';
}

static ErrorCode parse_param(Cursor *c, SweepSpace *sp, size_t *used)
{
    SweepParam *p = &sp->p[sp->n];
    memset(p, 0, sizeof *p);
    skip_blanks(c);
    size_t at = c->i;
    while (is_name_char(c->spec[c->i])) c->i++;
    if (c->i == at) return fail_expected(c, "a parameter name");
    size_t len = c->i - at;
    char name[64];
    error_quote_text(c->name, sizeof c->name, c->spec + at, len);
    if (len >= sizeof name) return fail_at(c, at, "no such option");
    memcpy(name, c->spec + at, len);
    name[len] = '\0';
    p->spec = options_find(name);
    p->column = (int)(c->base + at) + 1;
    if (!p->spec) return fail_at(c, at, "no such option (see gradtop --help)");
    if (p->spec->group == OPTGROUP_SWEEP)
        return fail_at(c, at,
                       "--%s is the sweep's own setting, not a trial's: give it to the "
                       "sweep (--%s ...)",
                       name, name);
    if (!strcmp(name, "threads"))
        return fail_at(c, at,
                       "--threads: each trial trains on one thread (--parallel says how "
                       "many train at once)");
    if (!p->spec->in_config)
        return fail_at(c, at,
                       "--%s says where or how a run is written, not how it learns: it "
                       "cannot be searched",
                       name);
    /* the dashboard's: a headless trial ignores it */
    if (p->spec->kind == OPTKIND_PACE)
        return fail_at(c, at,
                       "--%s says how a run is shown on screen, not how it learns: it cannot be "
                       "searched",
                       name);
    /* what a sweep itself decides for every trial */
    const char *own = !strcmp(name, "monitor")  ? "the figure every trial is ranked by"
                      : !strcmp(name, "epochs") ? "a trial's full length (--max-epochs)"
                      : !strcmp(name, "name")   ? "each trial's run name"
                                                : NULL;
    if (own) return fail_at(c, at, "--%s is the sweep's own: it sets %s", name, own);
    /* every trial trains on the one copy of the data the sweep prepared;
     * an option of one kind of data is given for that kind only */
    OptionData only = option_data(p->spec);
    if (p->spec->group == OPTGROUP_DATA || !strcmp(name, "seed"))
        return fail_at(c, at,
                       "--%s %s, which every trial of a sweep shares: give it to the whole "
                       "sweep (--%s ...%s) instead",
                       name,
                       !strcmp(name, "seed") ? "also draws the data's validation split"
                                             : "shapes the data",
                       name,
                       only == OPTDATA_CSV         ? ", for CSV data"
                       : only == OPTDATA_GENERATED ? ", for a generated set"
                       : only == OPTDATA_IDX_FILE  ? ", for IDX images given by their path"
                                                   : "");
    for (int j = 0; j < sp->n; j++)
        if (sp->p[j].spec == p->spec)
            return fail_at(c, at, "given twice (first at column %d)", sp->p[j].column);
    ErrorCode rc = expect_char(c, '=');
    if (rc) return rc;
    skip_blanks(c);
    size_t dat = c->i;
    while (isalpha((unsigned char)c->spec[c->i])) c->i++;
    size_t dlen = c->i - dat;
    int d = -1;
    for (int k = 0; sweep_dist_names[k]; k++)
        if (strlen(sweep_dist_names[k]) == dlen &&
            !strncmp(sweep_dist_names[k], c->spec + dat, dlen))
            d = k;
    if (d < 0 && dlen > 0) {
        char word[64];
        error_quote_text(word, sizeof word, c->spec + dat, dlen);
        return fail_at(c, dat,
                       "unknown distribution '%s' (expected choice, uniform, loguniform, int, "
                       "grid or loggrid)",
                       word);
    }
    if (d < 0) return fail_expected(c, "choice, uniform, loguniform, int, grid or loggrid");
    p->dist = (SweepDist)d;
    rc = expect_char(c, '(');
    if (rc) return rc;
    rc = p->dist == SWEEP_CHOICE ? parse_choice(c, sp, p, used) : parse_range(c, p);
    if (rc) return rc;
    skip_blanks(c);
    if (c->spec[c->i] && c->spec[c->i] != ';')
        return fail_expected(c, "';' or the end of the spec");
    sp->n++;
    return ERROR_NONE;
}

ErrorCode sweep_space_parse(SweepSpace *sp, const char *spec, Error *err)
{
    return sweep_space_parse_from(sp, spec, 1, err);
}

ErrorCode sweep_space_parse_from(SweepSpace *sp, const char *spec, int first, Error *err)
{
    memset(sp, 0, sizeof *sp);
    Cursor c = {.spec = spec, .base = first > 1 ? (size_t)first - 1 : 0, .err = err};
    size_t len = strlen(spec);
    if (len >= SWEEP_SPEC_MAX)
        return error_set(err, ERROR_INPUT, "--space: longer than %d characters",
                         SWEEP_SPEC_MAX - 1);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)spec[i] < 0x20 && spec[i] != '\t')
            return error_set(err, ERROR_INPUT, "--space: control character 0x%02X at column %zu",
                             (unsigned char)spec[i], c.base + i + 1);
    size_t used = 0;
    for (;;) {
        skip_blanks(&c);
        if (!spec[c.i]) break;
        if (sp->n == SWEEP_MAX_PARAMS)
            return error_set(err, ERROR_INPUT, "--space: more than %d parameters at column %zu",
                             SWEEP_MAX_PARAMS, c.base + c.i + 1);
        c.index = sp->n + 1;
        c.name[0] = '\0';
        ErrorCode rc = parse_param(&c, sp, &used);
        if (rc) return rc;
        if (spec[c.i] == ';') c.i++;
    }
    if (sp->n == 0) return error_set(err, ERROR_INPUT, "--space: no parameter to search");
    return ERROR_NONE;
}

bool sweep_param_is_root(const SweepParam *p)
{
    return p->spec->offset == offsetof(Options, hp.opt.kind) ||
           p->spec->offset == offsetof(Options, sched.kind);
}

bool sweep_param_is_log(const SweepParam *p)
{
    return p->dist == SWEEP_LOGUNIFORM || p->dist == SWEEP_LOGGRID;
}

double sweep_param_point(const SweepParam *p, int i)
{
    double t = (double)i / (p->n - 1), x;
    if (i == 0 || i == p->n - 1)
        return i ? p->hi : p->lo; /* exactly the ends, not within rounding of them */
    if (p->dist == SWEEP_LOGGRID)
        x = exp(log(p->lo) + t * (log(p->hi) - log(p->lo)));
    else
        x = p->lo + t * (p->hi - p->lo);
    if (option_is_integer(p->spec)) return round(x);
    /* 12 significant digits: 0.01, not 0.010000000000000002, which is what
     * the grid means and what a leaderboard should print */
    char buf[32];
    snprintf(buf, sizeof buf, "%.12g", x);
    return strtod(buf, NULL);
}

const char *sweep_param_alt(const SweepSpace *s, const SweepParam *p, int i)
{
    return s->text + p->alt[i];
}

void sweep_value_format(const SweepSpace *s, int param, const SweepValue *v, char *buf, size_t cap)
{
    const SweepParam *p = &s->p[param];
    if (!v->active)
        snprintf(buf, cap, "-");
    else if (p->dist == SWEEP_CHOICE)
        snprintf(buf, cap, "%s", sweep_param_alt(s, p, v->index));
    else
        format_number(v->x, option_is_integer(p->spec), buf, cap);
}

ErrorCode sweep_config_apply(const SweepSpace *s, const Options *base, SweepConfig *c, Options *out,
                             Error *err)
{
    *out = *base;
    /* the roots first: they decide which others apply */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < s->n; i++) {
            const SweepParam *p = &s->p[i];
            if (sweep_param_is_root(p) != (pass == 0)) continue;
            SweepValue *v = &c->v[i];
            v->active = pass == 0 || option_applies(p->spec, out);
            if (!v->active) continue;
            char buf[SWEEP_SPEC_MAX], where[128];
            sweep_value_format(s, i, v, buf, sizeof buf);
            snprintf(where, sizeof where, "--space: '%s'", p->spec->name);
            ErrorCode rc = options_set(out, p->spec, buf, where, err);
            if (rc) return rc;
        }
    }
    return ERROR_NONE;
}

int sweep_root_count(const SweepSpace *s)
{
    int n = 1;
    for (int i = 0; i < s->n; i++)
        if (sweep_param_is_root(&s->p[i])) n *= s->p[i].n; /* a root is a choice */
    return n;
}

void sweep_root_set(const SweepSpace *s, int r, SweepConfig *c)
{
    /* mixed radix, the last root fastest */
    for (int i = s->n - 1; i >= 0; i--) {
        if (!sweep_param_is_root(&s->p[i])) continue;
        c->v[i].active = true;
        c->v[i].index = r % s->p[i].n;
        c->v[i].x = c->v[i].index;
        r /= s->p[i].n;
    }
}

double sweep_param_grid_values(const SweepParam *p)
{
    switch (p->dist) {
    case SWEEP_CHOICE:
    case SWEEP_GRID:
    case SWEEP_LOGGRID: return p->n;
    case SWEEP_INT: return p->hi - p->lo + 1;
    case SWEEP_UNIFORM:
    case SWEEP_LOGUNIFORM: break;
    }
    return 0;
}

void sweep_param_grid_value(const SweepParam *p, long i, SweepValue *v)
{
    v->active = true;
    v->index = -1;
    switch (p->dist) {
    case SWEEP_CHOICE:
        v->index = (int)i;
        v->x = (double)i;
        break;
    case SWEEP_GRID:
    case SWEEP_LOGGRID:
        v->index = (int)i;
        v->x = sweep_param_point(p, (int)i);
        break;
    case SWEEP_INT: v->x = p->lo + (double)i; break;
    case SWEEP_UNIFORM:
    case SWEEP_LOGUNIFORM: v->x = p->lo; break; /* never on a grid (sweep_space_check) */
    }
}

double sweep_param_clip(const SweepParam *p, double x)
{
    if (p->dist == SWEEP_INT) x = round(x);
    return x < p->lo ? p->lo : x > p->hi ? p->hi : x;
}

void sweep_param_draw(const SweepParam *p, Rng *r, SweepValue *v)
{
    v->active = true;
    v->index = -1;
    switch (p->dist) {
    case SWEEP_CHOICE:
    case SWEEP_GRID:
    case SWEEP_LOGGRID: sweep_param_grid_value(p, (long)rng_below(r, (uint64_t)p->n), v); break;
    case SWEEP_INT:
        /* the range fits: its ends are options_set-checked ints or u64s
         * below 2^53, where doubles count exactly */
        v->x = p->lo + (double)rng_below(r, (uint64_t)(p->hi - p->lo) + 1);
        break;
    case SWEEP_UNIFORM: v->x = sweep_param_clip(p, p->lo + (p->hi - p->lo) * rng_uniform(r)); break;
    case SWEEP_LOGUNIFORM: {
        double l = log(p->lo), h = log(p->hi);
        v->x = sweep_param_clip(p, exp(l + (h - l) * rng_uniform(r)));
        break;
    }
    }
}

ErrorCode sweep_space_check(const SweepSpace *s, const Options *base, SweepSamplerKind kind,
                            Error *err)
{
    for (int i = 0; i < s->n; i++) {
        const SweepParam *p = &s->p[i];
        if (kind == SWEEP_SAMPLER_GRID && sweep_param_grid_values(p) == 0)
            return error_set(err, ERROR_INPUT,
                             "--space: '%s' at column %d: %s is a continuous range, which the "
                             "grid sampler cannot enumerate; give its points with %s(a,b,n)",
                             p->spec->name, p->column, sweep_dist_names[p->dist],
                             p->dist == SWEEP_LOGUNIFORM ? "loggrid" : "grid");
        if (sweep_param_is_root(p)) continue;
        bool applies = false;
        for (int r = 0; r < sweep_root_count(s) && !applies; r++) {
            SweepConfig c;
            for (int j = 0; j < s->n; j++) sweep_param_grid_value(&s->p[j], 0, &c.v[j]);
            sweep_root_set(s, r, &c);
            Options o;
            ErrorCode rc = sweep_config_apply(s, base, &c, &o, err);
            if (rc) return rc;
            applies = c.v[i].active;
        }
        if (!applies)
            return error_set(err, ERROR_INPUT,
                             "--space: '%s' at column %d: --%s applies only under %s, which no "
                             "trial of this search has",
                             p->spec->name, p->column, p->spec->name, p->spec->applies);
    }
    return ERROR_NONE;
}
