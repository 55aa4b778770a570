/*
 * dataset_csv.c - the CSV loader and the strict float parser.
 *
 * The file is read in chunks with fread and handled one physical line at a
 * time, so that every callback knows the line it is on without libcsv having
 * to report positions.  A complete line without a quote, read while libcsv is
 * between records, is split here (split_line); any other goes to libcsv,
 * which does RFC 4180 quoting.  Both feed the same field and record-end
 * callbacks, so checks and messages don't depend on the path a line took.
 * The first two records are kept as text until the header question is
 * settled; every later field goes straight into the growing feature matrix,
 * so no field is ever malloc'd on its own.  Once the layout is known, a data
 * line of plain numbers (most lines of most files) skips the callbacks: it
 * is parsed straight into its row (fast_line), and any line it can't take
 * whole takes the path above instead, so the result and every message stay
 * the same.
 */
#include "dataset_private.h"

#include <csv.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "gradtop/core/sysmem.h"

#define CHUNK_BYTES (256 * 1024)
/* Open-addressing table for class names: a power of two well above twice
 * DATASET_MAX_CLASSES keeps probe chains short. */
#define CLASS_SLOTS 4096
/* The first allocation of the feature matrix, in bytes. */
#define FIRST_ROWS_BYTES (1 << 20)
/* Delimiter detection reads at most this many records, within this many
 * bytes of the file's start: enough to see a header and a few rows agree,
 * and nothing the parse's speed could notice. */
#define SAMPLE_RECORDS 20
#define SAMPLE_BYTES (64 * 1024)

/* ---- strict float parsing ---------------------------------------------- */

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

static void c_locale_init(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* Powers of ten that double holds exactly: with an exact mantissa below
 * 2^53, one multiplication or division by these is correctly rounded
 * (Clinger, "How to read floating point numbers accurately", 1990). */
static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The same for float: 10^k = 2^k * 5^k is exact while 5^k < 2^24. */
static const float pow10f_exact[11] = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f,
                                       1e6f, 1e7f, 1e8f, 1e9f, 1e10f};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
    return (unsigned)(c - '0') < 10u;
}

/* strtof in the C locale (the TUI may have set a locale whose decimal point
 * is a comma) on text the caller has already checked is a plain decimal. */
static bool parse_float_slow(const char *s, size_t len, float *out)
{
    char small[128];
    char *buf = len < sizeof small ? small : malloc(len + 1);
    if (!buf) return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    pthread_once(&c_locale_once, c_locale_init);
    float v = c_locale ? strtof_l(buf, NULL, c_locale) : strtof(buf, NULL);
    if (buf != small) free(buf);
    if (!isfinite(v)) return false;
    *out = v;
    return true;
}

/* Every form dataset_parse_float accepts, blanks and exponents included. */
static bool parse_float_general(const char *s, size_t len, float *out)
{
    const char *p = s, *end = s + len;
    while (p < end && is_blank(*p)) p++;
    while (end > p && is_blank(end[-1])) end--;
    const char *start = p;
    bool neg = false;
    if (p < end && (*p == '+' || *p == '-')) neg = *p++ == '-';

    /* Leading zeros are skipped so that nd counts significant digits; up
     * to 19 of them fit in a uint64, more go to strtof.  The digit loops
     * carry no other test: this is the CSV loader's innermost loop. */
    uint64_t m = 0;
    int e10 = 0;
    bool any = false;
    while (p < end && *p == '0') p++, any = true;
    const char *q = p;
    while (p < end && is_digit(*p)) m = m * 10 + (uint64_t)(*p++ - '0');
    int nd = (int)(p - q);
    if (p < end && *p == '.') {
        const char *frac = ++p;
        if (nd == 0)
            while (p < end && *p == '0') p++;
        q = p;
        while (p < end && is_digit(*p)) m = m * 10 + (uint64_t)(*p++ - '0');
        nd += (int)(p - q);
        e10 = -(int)(p - frac);
        if (p > frac) any = true;
    }
    if (nd > 0) any = true;
    if (!any) return false;
    if (p < end && (*p == 'e' || *p == 'E')) {
        bool eneg = false;
        p++;
        if (p < end && (*p == '+' || *p == '-')) eneg = *p++ == '-';
        if (p == end || !is_digit(*p)) return false;
        int ev = 0;
        for (; p < end && is_digit(*p); p++)
            if (ev < 100000) ev = ev * 10 + (*p - '0');
        e10 += eneg ? -ev : ev;
    }
    if (p != end) return false;
    if (nd == 0) {
        *out = neg ? -0.0f : 0.0f;
        return true;
    }
    if (nd <= 19 && m <= (1ULL << 53) && e10 >= -22 && e10 <= 22) {
        double d = (double)m;
        d = e10 >= 0 ? d * pow10_exact[e10] : d / pow10_exact[-e10];
        /* d is the correctly rounded double; rounding it again to float is
         * only wrong when d sits exactly halfway between two floats (its 29
         * low mantissa bits are 1000...0).  Here 1e-22 <= d < 1e38, so d is
         * a normal float-range value and that test is exact. */
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        if ((bits & 0x1FFFFFFFu) != 0x10000000u) {
            float f = (float)d;
            *out = neg ? -f : f;
            return true;
        }
    }
    return parse_float_slow(start, (size_t)(end - start), out);
}

/* A plain decimal, [sign] digits [. digits] with no blanks and no exponent,
 * is how most CSV files write their numbers.  Reads the one at p (up to
 * end) into *out, correctly rounded, and returns where it stops; NULL when
 * there is no digit there (or it overflows a float).  The caller decides
 * whether what follows may end a number: the end of the field, or the
 * delimiter.
 *
 * With at most 19 digits m is exact, and below 2^24 so is (float)m;
 * 1e0..1e10 are exact floats too (5^10 < 2^24), so one IEEE division gives
 * the correctly rounded float directly (Clinger's fast path, in float).
 * Other values go to parse_float_general. */
static inline const char *parse_plain(const char *p, const char *end, float *out)
{
    const char *start = p;
    if (p == end) return NULL;
    bool neg = *p == '-';
    p += *p == '-' || *p == '+';
    uint64_t m = 0;
    unsigned d;
    const char *q = p;
    for (; p < end && (d = (unsigned char)*p - '0') < 10; p++) m = m * 10 + d;
    size_t nd = (size_t)(p - q);
    int e10 = 0;
    if (p < end && *p == '.') {
        q = ++p;
        for (; p < end && (d = (unsigned char)*p - '0') < 10; p++) m = m * 10 + d;
        nd += (size_t)(p - q);
        e10 = -(int)(p - q);
    }
    if (nd - 1 < 19 && m < (1u << 24) && e10 >= -10) {
        float f = (float)m;
        f = e10 < 0 ? f / pow10f_exact[-e10] : f;
        /* The sign goes in as a bit: a branch on it would be mispredicted
         * on every other field of a column of mixed signs. */
        uint32_t bits;
        memcpy(&bits, &f, sizeof bits);
        bits |= (uint32_t)neg << 31;
        memcpy(out, &bits, sizeof bits);
        return p;
    }
    if (nd == 0 || !parse_float_general(start, (size_t)(p - start), out)) return NULL;
    return p;
}

/* Whether s[0..len) is written as a decimal number, whatever its size:
 * the grammar of parse_float_general.  Tells a number outside the float
 * range from text that is no number at all. */
static bool is_decimal_syntax(const char *s, size_t len)
{
    const char *p = s, *end = s + len;
    while (p < end && is_blank(*p)) p++;
    while (end > p && is_blank(end[-1])) end--;
    if (p < end && (*p == '+' || *p == '-')) p++;
    bool digits = false;
    for (; p < end && is_digit(*p); p++) digits = true;
    if (p < end && *p == '.')
        for (p++; p < end && is_digit(*p); p++) digits = true;
    if (!digits) return false;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (p == end || !is_digit(*p)) return false;
        while (p < end && is_digit(*p)) p++;
    }
    return p == end;
}

/* Whether s[0..len) would be a decimal number but for one comma in the
 * place of its point ("5,1", "-0,25"): how spreadsheets in many locales
 * write numbers.  Such a field is reported as such, and counts as a number
 * where the loader guesses at a file's layout. */
static bool is_decimal_comma(const char *s, size_t len)
{
    char buf[64];
    const char *comma = memchr(s, ',', len);
    if (!comma || len >= sizeof buf || memchr(comma + 1, ',', len - (size_t)(comma - s) - 1) ||
        memchr(s, '.', len))
        return false;
    memcpy(buf, s, len);
    buf[comma - s] = '.';
    return is_decimal_syntax(buf, len);
}

/* Whether s[0..len) is written as a number, with a decimal point or a
 * decimal comma: what the loader's guesses at a file's layout (delimiter,
 * header) count as one. */
static bool looks_numeric(const char *s, size_t len)
{
    float v;
    return dataset_parse_float(s, len, &v) || is_decimal_comma(s, len);
}

/* The plain form first; parse_float_general reads the others (blanks,
 * exponents) and refuses what is not a number. */
bool dataset_parse_float(const char *s, size_t len, float *out)
{
    float v;
    const char *stop = parse_plain(s, s + len, &v);
    if (stop && stop == s + len) {
        *out = v;
        return true;
    }
    return parse_float_general(s, len, out);
}

/* ---- small text helpers ------------------------------------------------ */

static void trim(const char **s, size_t *len)
{
    const char *p = *s, *end = *s + *len;
    while (p < end && is_blank(*p)) p++;
    while (end > p && is_blank(end[-1])) end--;
    *s = p;
    *len = (size_t)(end - p);
}

static bool is_missing_token(const char *s, size_t len)
{
    trim(&s, &len);
    if (len == 0) return true;
    if (len == 1) return s[0] == '?';
    if (len == 2) return strncasecmp(s, "na", 2) == 0;
    if (len == 3) return strncasecmp(s, "n/a", 3) == 0 || strncasecmp(s, "nan", 3) == 0;
    return false;
}

/* A plain integer label: optional sign and 1..18 digits. */
static bool parse_int(const char *s, size_t len, long long *out)
{
    trim(&s, &len);
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    if (i == len || len - i > 18) return false;
    long long v = 0;
    for (; i < len; i++) {
        if (!is_digit(s[i])) return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = neg ? -v : v;
    return true;
}

/* Grows *buf (of *cap bytes) geometrically to hold need bytes. */
static bool grow(void **buf, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return true;
    size_t c = *cap ? *cap : 64;
    while (c < need) {
        if (c > SIZE_MAX / 2 / elem) return false;
        c *= 2;
    }
    void *p = realloc(*buf, c * elem);
    if (!p) return false;
    *buf = p;
    *cap = c;
    return true;
}

/* ---- the reader ---------------------------------------------------------- */

/* One record kept as text: fields NUL-terminated back to back. */
typedef struct {
    char *text;
    size_t len, cap;
    size_t *start; /* (n) offset of each field in text */
    size_t cap_start;
    int n;
    size_t line;
} RowText;

/* Distinct label texts in order of first appearance. */
typedef struct {
    char *text;
    size_t len, cap;
    size_t name_at[DATASET_MAX_CLASSES];
    int n;
    int slot[CLASS_SLOTS]; /* class id + 1; 0 is an empty slot */
} ClassTable;

typedef enum {
    FIELD_OK,
    FIELD_NOT_NUMBER,
    FIELD_OUT_OF_RANGE,
    FIELD_DECIMAL_COMMA,
    FIELD_MISSING
} FieldProblem;

typedef struct {
    const char *path;
    const DatasetOptions *opt;
    Dataset *ds;
    Error *err;
    bool failed;
    ErrorCode code; /* why, once failed */

    size_t line;          /* the physical line being fed, from 1 */
    size_t open_line;     /* where the current record began */
    bool at_record_start; /* no byte of the next record fed yet */
    int col;              /* fields seen in the current record */
    int records;          /* records seen, counted up to 2 */
    RowText rows[2];      /* the first two records, until the layout is known */

    /* Layout, settled after the second record (or at the end of the file). */
    int n_cols, label_col, d;
    bool header;
    bool no_label; /* every column a feature: opt->no_label, or expect_features said so */
    bool any_text; /* some byte besides a BOM was read */

    size_t cap_rows;
    bool row_missing;     /* the current row has a missing feature */
    FieldProblem problem; /* the current row's first bad field, reported at its end */
    int problem_col;
    size_t problem_line;
    char problem_text[64];
    char *label; /* the current row's label text */
    size_t label_len, label_cap;

    bool all_numeric, all_int, class_overflow;
    ClassTable *classes;
    /* Labels written as numbers with a decimal comma: 1 while every label
     * so far is a number or one of those and one was, -1 once some label
     * is neither, 0 before either; the first one's line and text. */
    int comma_labels;
    size_t comma_label_line;
    char comma_label_text[64];

    double bytes;     /* read so far */
    double max_bytes; /* the most a file may have (max_file_bytes), 0 for no limit */
} CsvReader;

static void fail(CsvReader *r, ErrorCode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(CsvReader *r, ErrorCode code, const char *fmt, ...)
{
    if (r->failed) return;
    r->failed = true;
    r->code = code;
    if (!r->err) return;
    va_list ap;
    va_start(ap, fmt);
    error_setv(r->err, code, fmt, ap);
    va_end(ap);
}

static void fail_oom(CsvReader *r)
{
    fail(r, ERROR_RUNTIME, "%s: out of memory", r->path);
}

static bool rowtext_add(RowText *rt, const char *s, size_t len)
{
    void *text = rt->text, *start = rt->start;
    if (len > SIZE_MAX - rt->len - 1) return false;
    if (!grow(&text, &rt->cap, rt->len + len + 1, 1)) return false;
    rt->text = text;
    if (!grow(&start, &rt->cap_start, (size_t)rt->n + 1, sizeof(size_t))) return false;
    rt->start = start;
    rt->start[rt->n++] = rt->len;
    memcpy(rt->text + rt->len, s, len);
    rt->text[rt->len + len] = '\0';
    rt->len += len + 1;
    return true;
}

static const char *rowtext_field(const RowText *rt, int i)
{
    return rt->text + rt->start[i];
}

static uint32_t hash_text(const char *s, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* The class id of s, added if new; -1 when the table is full, -2 when out
 * of memory. */
static int class_find_or_add(ClassTable *t, const char *s, size_t len)
{
    uint32_t i = hash_text(s, len) & (CLASS_SLOTS - 1);
    for (;; i = (i + 1) & (CLASS_SLOTS - 1)) {
        int id = t->slot[i] - 1;
        if (id < 0) break;
        const char *name = t->text + t->name_at[id];
        if (strncmp(name, s, len) == 0 && name[len] == '\0') return id;
    }
    if (t->n == DATASET_MAX_CLASSES) return -1;
    void *text = t->text;
    if (!grow(&text, &t->cap, t->len + len + 1, 1)) return -2;
    t->text = text;
    memcpy(t->text + t->len, s, len);
    t->text[t->len + len] = '\0';
    t->name_at[t->n] = t->len;
    t->len += len + 1;
    t->slot[i] = t->n + 1;
    return t->n++;
}

static const char *column_name(const CsvReader *r, int col)
{
    if (!r->header) return NULL;
    if (col == r->label_col) return r->ds->label_name;
    return r->ds->feature_names[col < r->label_col ? col : col - 1];
}

/* Makes room for one more row in x, labels and targets. */
static bool ensure_row(CsvReader *r)
{
    Dataset *ds = r->ds;
    if (ds->n < r->cap_rows) return true;
    if (ds->n >= (size_t)INT_MAX) {
        fail(r, ERROR_INPUT, "%s:%zu: more than %d rows", r->path, r->open_line, INT_MAX);
        return false;
    }
    size_t row_bytes = (size_t)r->d * sizeof(float);
    size_t cap = r->cap_rows ? r->cap_rows * 2 : FIRST_ROWS_BYTES / row_bytes + 16;
    if (cap > (size_t)INT_MAX) cap = (size_t)INT_MAX;
    if (cap > SIZE_MAX / row_bytes) {
        fail_oom(r);
        return false;
    }
    float *x = realloc(ds->x, cap * row_bytes);
    if (!x) {
        fail_oom(r);
        return false;
    }
    ds->x = x;
    sysmem_hugepages(x, cap * row_bytes); /* for the rows not yet written */
    int *labels = realloc(ds->labels, cap * sizeof *labels);
    if (!labels) {
        fail_oom(r);
        return false;
    }
    ds->labels = labels;
    float *targets = realloc(ds->targets, cap * sizeof *targets);
    if (!targets) {
        fail_oom(r);
        return false;
    }
    ds->targets = targets;
    if (r->opt->row_lines) {
        size_t *lines = realloc(ds->row_line, cap * sizeof *lines);
        if (!lines) {
            fail_oom(r);
            return false;
        }
        ds->row_line = lines;
    }
    r->cap_rows = cap;
    return true;
}

/* A field of a data row: a feature goes into x, the label is kept aside. */
static void data_field(CsvReader *r, const char *s, size_t len)
{
    int col = r->col;
    if (col < INT_MAX) r->col++; /* a runaway record only needs counting */
    if (col == 0) {
        if (!ensure_row(r)) return;
        r->row_missing = false;
        r->problem = FIELD_OK;
        r->label_len = 0;
    }
    if (col >= r->n_cols) return; /* reported as ragged at the end of the record */
    if (col == r->label_col) {
        trim(&s, &len);
        void *label = r->label;
        if (!grow(&label, &r->label_cap, len + 1, 1)) {
            fail_oom(r);
            return;
        }
        r->label = label;
        memcpy(r->label, s, len);
        r->label[len] = '\0';
        r->label_len = len;
        return;
    }
    Dataset *ds = r->ds;
    int f = col < r->label_col ? col : col - 1;
    float *dst = &ds->x[ds->n * (size_t)r->d + (size_t)f];
    if (dataset_parse_float(s, len, dst)) return;

    bool missing = is_missing_token(s, len);
    if (missing && r->opt->missing != MISSING_ERROR) {
        ds->missing++;
        ds->feature_missing[f]++;
        r->row_missing = true;
        *dst = NAN; /* MISSING_MEAN fills it in at the end */
        return;
    }
    /* Kept until the record ends: a wrong field count explains a bad field
     * better than the field itself does. */
    if (r->problem == FIELD_OK) {
        r->problem = missing                     ? FIELD_MISSING
                     : is_decimal_syntax(s, len) ? FIELD_OUT_OF_RANGE
                     : is_decimal_comma(s, len)  ? FIELD_DECIMAL_COMMA
                                                 : FIELD_NOT_NUMBER;
        r->problem_col = col;
        r->problem_line = r->line;
        error_quote_text(r->problem_text, sizeof r->problem_text, s, len);
    }
}

/* The advice for numbers written with a decimal comma, after "LINE:COL:". */
#define DECIMAL_COMMA_ADVICE                                                                       \
    "appears to use a decimal comma; gradtop reads numbers with a decimal point (5.1, not "        \
    "5,1): save the file with '.' as the decimal separator"

static void report_problem(CsvReader *r)
{
    char where[200] = "";
    const char *name = column_name(r, r->problem_col);
    if (name) snprintf(where, sizeof where, "column '%s': ", name);
    if (r->problem == FIELD_MISSING)
        fail(r, ERROR_INPUT,
             "%s:%zu:%d: %smissing value \"%s\" (--missing drop or --missing mean accepts it)",
             r->path, r->problem_line, r->problem_col + 1, where, r->problem_text);
    else if (r->problem == FIELD_DECIMAL_COMMA)
        fail(r, ERROR_INPUT, "%s:%zu:%d: %s\"%s\" " DECIMAL_COMMA_ADVICE, r->path, r->problem_line,
             r->problem_col + 1, where, r->problem_text);
    else if (r->problem == FIELD_OUT_OF_RANGE)
        fail(r, ERROR_INPUT,
             "%s:%zu:%d: %s\"%s\" is outside the range of a float (finite, magnitude up to "
             "3.4e38)",
             r->path, r->problem_line, r->problem_col + 1, where, r->problem_text);
    else
        fail(r, ERROR_INPUT, "%s:%zu:%d: %sexpected a number, got \"%s\"", r->path, r->problem_line,
             r->problem_col + 1, where, r->problem_text);
}

/* Notes a label that is not a number, while every one before it was a
 * number or one with a decimal comma (comma_labels >= 0). */
static void note_comma_label(CsvReader *r, const char *s, size_t len)
{
    if (!is_decimal_comma(s, len)) {
        r->comma_labels = -1;
        return;
    }
    if (r->comma_labels == 0) {
        r->comma_labels = 1;
        r->comma_label_line = r->open_line;
        error_quote_text(r->comma_label_text, sizeof r->comma_label_text, s, len);
    }
}

/* A label column of numbers written with decimal commas would otherwise be
 * taken for class names, one class per value. */
static void report_comma_labels(CsvReader *r)
{
    fail(r, ERROR_INPUT, "%s:%zu:%d: column '%s': the label \"%s\" " DECIMAL_COMMA_ADVICE, r->path,
         r->comma_label_line, r->label_col + 1, r->ds->label_name, r->comma_label_text);
}

/* The label of the row just completed: a class id while classes are still
 * being counted, and a target while every label so far is a number. */
static bool note_label(CsvReader *r, const char *s, size_t len)
{
    Dataset *ds = r->ds;
    if (r->all_numeric || r->comma_labels > 0) {
        float v;
        long long iv;
        if (dataset_parse_float(s, len, &v)) {
            if (r->all_numeric) {
                ds->targets[ds->n] = v;
                if (r->all_int && !parse_int(s, len, &iv)) r->all_int = false;
            }
        } else {
            r->all_numeric = r->all_int = false;
            if (r->comma_labels >= 0) note_comma_label(r, s, len);
        }
    }
    if (!r->class_overflow) {
        int id = class_find_or_add(r->classes, s, len);
        if (id == -2) {
            fail_oom(r);
            return false;
        }
        if (id >= 0) {
            ds->labels[ds->n] = id;
            return true;
        }
        r->class_overflow = true; /* fine while it can still be regression */
    }
    if (r->comma_labels > 0) {
        report_comma_labels(r);
        return false;
    }
    if (!r->all_numeric) {
        fail(r, ERROR_INPUT,
             "%s:%zu:%d: column '%s' has more than %d distinct labels, and not all are numbers; "
             "is it the right label column?",
             r->path, r->open_line, r->label_col + 1, ds->label_name, DATASET_MAX_CLASSES);
        return false;
    }
    return true;
}

/* Whether the label column's values are read (not so without one, or when
 * it is skipped). */
static bool reads_labels(const CsvReader *r)
{
    return !r->no_label && !r->opt->skip_label;
}

/* Keeps the row whose features are in place, or drops it, by its missing
 * values and its label (trimmed); from data_record_end and fast_line. */
static void end_row(CsvReader *r, bool row_missing, const char *label, size_t label_len)
{
    Dataset *ds = r->ds;
    /* A row kept with its gaps (keep_missing) is not dropped for them. */
    if (r->opt->keep_missing) row_missing = false;
    if (ds->row_line) ds->row_line[ds->n] = r->open_line;
    if (!reads_labels(r)) {
        if (row_missing && r->opt->missing == MISSING_DROP)
            ds->dropped_rows++;
        else
            ds->n++;
        return;
    }
    bool label_missing = is_missing_token(label, label_len);
    if (label_missing && r->opt->missing != MISSING_DROP) {
        fail(r, ERROR_INPUT, "%s:%zu:%d: column '%s': missing label", r->path, r->line,
             r->label_col + 1, ds->label_name);
        return;
    }
    if (row_missing && r->opt->missing == MISSING_DROP) label_missing = true;
    if (label_missing) {
        ds->dropped_rows++;
        return;
    }
    if (!note_label(r, label, label_len)) return;
    ds->n++;
}

static void data_record_end(CsvReader *r)
{
    if (r->col != r->n_cols) {
        fail(r, ERROR_INPUT, "%s:%zu: expected %d fields, got %d", r->path, r->open_line, r->n_cols,
             r->col);
        return;
    }
    if (r->problem != FIELD_OK) {
        report_problem(r);
        return;
    }
    end_row(r, r->row_missing, r->label, r->label_len);
}

/* Decides whether the first record is a header, where the label is, and
 * allocates what depends on the column count. */
static void settle_layout(CsvReader *r)
{
    Dataset *ds = r->ds;
    RowText *first = &r->rows[0], *second = r->records > 1 ? &r->rows[1] : NULL;
    int n = first->n;
    if (second && second->n != n) {
        fail(r, ERROR_INPUT, "%s:%zu: expected %d fields, got %d", r->path, second->line, n,
             second->n);
        return;
    }
    bool header = false;
    if (second) {
        for (int c = 0; c < n && !header; c++) {
            const char *a = rowtext_field(first, c), *b = rowtext_field(second, c);
            /* Numbers with decimal commas are numbers here, so that the
             * rows holding them are data, reported as such. */
            header = !looks_numeric(a, strlen(a)) && !is_missing_token(a, strlen(a)) &&
                     looks_numeric(b, strlen(b));
        }
    } else {
        header = true;
        for (int c = 0; c < n && header; c++) {
            const char *a = rowtext_field(first, c);
            if (looks_numeric(a, strlen(a))) header = false;
        }
    }
    r->header = header;
    if (header && !second) {
        fail(r, ERROR_INPUT, "%s:%zu: only a header row, no data", r->path, first->line);
        return;
    }
    r->no_label = r->opt->no_label || (r->opt->skip_label && r->opt->expect_features > 0 &&
                                       n == r->opt->expect_features);
    if (n < 2 && !r->no_label) {
        char name[32];
        dataset_delimiter_name(ds->delimiter, name, sizeof name);
        if (ds->delimiter_detected)
            fail(r, ERROR_INPUT,
                 "%s:%zu: only one column; a dataset needs feature columns and a label column "
                 "(no comma, semicolon, tab or pipe splits the first lines into fields; "
                 "--delimiter gives another delimiter)",
                 r->path, first->line);
        else
            fail(r, ERROR_INPUT,
                 "%s:%zu: only one column; a dataset needs feature columns and a label column "
                 "(is %s the right delimiter?)",
                 r->path, first->line, name);
        return;
    }

    /* The label column: a header name first, then a (possibly negative) index. */
    const char *want = r->opt->label;
    int label_col = -1;
    if (r->no_label) {
        label_col = n; /* none: every column is a feature */
    } else if (!want || !*want) {
        const char *hint = r->opt->label_hint;
        for (int c = 0; header && hint && c < n && label_col < 0; c++)
            if (strcmp(rowtext_field(first, c), hint) == 0) label_col = c;
        if (label_col < 0) label_col = n - 1;
    } else {
        for (int c = 0; header && c < n && label_col < 0; c++)
            if (strcmp(rowtext_field(first, c), want) == 0) label_col = c;
        /* a name two columns share names neither: the first would be
         * taken without a word, the other trained on as a feature */
        for (int c = label_col + 1; label_col >= 0 && c < n; c++)
            if (strcmp(rowtext_field(first, c), want) == 0) {
                char shown[64];
                error_quote_text(shown, sizeof shown, want, strlen(want));
                fail(r, ERROR_INPUT,
                     "%s:%zu: --label %s: columns %d and %d are both named '%s'; give the "
                     "label column's 0-based index (--label %d or --label %d)",
                     r->path, first->line, shown, label_col + 1, c + 1, shown, label_col, c);
                return;
            }
        long long idx;
        if (label_col < 0 && parse_int(want, strlen(want), &idx)) {
            if (idx < 0) idx += n;
            if (idx < 0 || idx >= n) {
                fail(r, ERROR_INPUT,
                     "%s: label column %s is out of range: the file has %d columns (0 to %d, or "
                     "-%d to -1 counted from the last)",
                     r->path, want, n, n - 1, n);
                return;
            }
            label_col = (int)idx;
        }
        if (label_col < 0) {
            if (!header) {
                fail(r, ERROR_INPUT,
                     "%s: the file has no header row, so the label column '%s' can't be found "
                     "by name; give its 0-based index",
                     r->path, want);
                return;
            }
            char list[512] = "";
            size_t used = 0;
            for (int c = 0; c < n && used + 1 < sizeof list; c++) {
                int k = snprintf(list + used, sizeof list - used, "%s%s", c ? ", " : "",
                                 rowtext_field(first, c));
                if (k < 0) break;
                used += (size_t)k;
            }
            if (used >= sizeof list - 1) strcpy(list + sizeof list - 5, "...");
            fail(r, ERROR_INPUT, "%s:%zu: no column named '%s'; the columns are: %s", r->path,
                 first->line, want, list);
            return;
        }
    }
    r->n_cols = n;
    r->label_col = label_col;
    r->d = r->no_label ? n : n - 1;
    ds->d = r->d;
    ds->label_column = r->no_label ? -1 : label_col;
    ds->header_line = header ? first->line : 0;
    if (r->no_label)
        ds->label_name[0] = '\0';
    else if (header)
        snprintf(ds->label_name, sizeof ds->label_name, "%s", rowtext_field(first, label_col));
    else
        snprintf(ds->label_name, sizeof ds->label_name, "label");

    ds->feature_names = calloc((size_t)r->d, sizeof *ds->feature_names);
    ds->feature_missing = calloc((size_t)r->d, sizeof *ds->feature_missing);
    if (!ds->feature_names || !ds->feature_missing) {
        fail_oom(r);
        return;
    }
    for (int c = 0, f = 0; c < n; c++) {
        if (c == label_col) continue;
        const char *name = header ? rowtext_field(first, c) : "";
        if (*name) {
            ds->feature_names[f] = strdup(name);
        } else {
            char buf[32];
            snprintf(buf, sizeof buf, "x%d", f);
            ds->feature_names[f] = strdup(buf);
        }
        if (!ds->feature_names[f++]) {
            fail_oom(r);
            return;
        }
    }

    /* Replay the buffered data rows through the normal path. */
    size_t line = r->line, open_line = r->open_line;
    for (int k = header ? 1 : 0; k < r->records && !r->failed; k++) {
        RowText *rt = &r->rows[k];
        r->line = r->open_line = rt->line;
        r->col = 0;
        for (int c = 0; c < rt->n && !r->failed; c++) {
            const char *s = rowtext_field(rt, c);
            data_field(r, s, strlen(s));
        }
        if (!r->failed) data_record_end(r);
    }
    r->line = line;
    r->open_line = open_line;
}

/* One field of the current record, from libcsv or from split_line. */
static void take_field(CsvReader *r, const char *s, size_t len)
{
    if (r->failed) return;
    if (r->records >= 2) {
        data_field(r, s, len);
        return;
    }
    RowText *rt = &r->rows[r->records];
    if (r->col == 0) rt->line = r->open_line;
    r->col++;
    if (rt->n > DATASET_MAX_FEATURES) {
        fail(r, ERROR_INPUT, "%s:%zu:%d: more than %d columns", r->path, r->line, r->col,
             DATASET_MAX_FEATURES + 1);
        return;
    }
    if (!rowtext_add(rt, s, len)) fail_oom(r);
}

/* The end of the current record, from libcsv or from split_line. */
static void take_record_end(CsvReader *r)
{
    r->at_record_start = true;
    if (r->failed) return;
    if (r->records >= 2) {
        data_record_end(r);
    } else if (++r->records == 2) {
        settle_layout(r);
    }
    r->col = 0;
}

static void on_field(void *s, size_t len, void *data)
{
    take_field(data, s, len);
}

static void on_record(int c, void *data)
{
    take_record_end(data);
}

/* The fast path for one complete line (nl is its newline) fed while libcsv
 * is between records: without a quote or a stray CR the line is one record
 * (or, when blank, none), and libcsv would hand over its fields split on the
 * delimiter with the spaces and tabs around each trimmed.  Passes them to
 * the same callbacks; false, having done nothing, when the line needs
 * libcsv after all. */
static bool split_line(CsvReader *r, const char *s, const char *nl, char delim)
{
    const char *end = nl;
    if (end > s && end[-1] == '\r') end--;
    size_t n = (size_t)(end - s);
    if (memchr(s, '"', n) || memchr(s, '\r', n)) return false;
    /* libcsv skips blanks that aren't the delimiter, then the line end. */
    const char *q = s;
    while (q < end && is_blank(*q) && *q != delim) q++;
    if (q == end) return true;
    for (const char *f = s;;) {
        /* Fields are short: a plain loop beats a memchr call per field. */
        const char *d = f;
        while (d < end && *d != delim) d++;
        const char *fe = d;
        if (d == end) d = NULL;
        while (f < fe && is_blank(*f)) f++; /* no delimiter in [f, fe) */
        while (fe > f && is_blank(fe[-1])) fe--;
        take_field(r, f, (size_t)(fe - f));
        if (!d || r->failed) break; /* a failed reader ignores the rest */
        f = d + 1;
    }
    take_record_end(r);
    return true;
}

static void parse_error(CsvReader *r, struct csv_parser *p)
{
    if (csv_error(p) == CSV_EPARSE)
        fail(r, ERROR_INPUT,
             "%s:%zu:%d: malformed quoting: a quote inside an unquoted field, or text after a "
             "closing quote",
             r->path, r->line, r->col + 1);
    else
        fail_oom(r);
}

/* ---- the delimiter ------------------------------------------------------- */

/* The delimiters detection chooses from, in the order that breaks ties: a
 * comma first, as when nothing can be told. */
static const char delimiter_candidates[] = {',', ';', '\t', '|'};

/* How the first records of a file split on one candidate delimiter. */
typedef struct {
    int fields[SAMPLE_RECORDS]; /* each record's field count */
    int records;
    int numbers; /* fields that read as numbers, decimal commas included */
} DelimiterSample;

/* Splits the records of s..end (the file's first bytes, all of it when
 * whole) on delim as the reader will: RFC 4180 quotes, which may hold the
 * delimiter and line ends; blank lines skipped; blanks that are not the
 * delimiter trimmed.  A record cut off by end is left out unless whole. */
static void sample_delimiter(const char *s, const char *end, bool whole, char delim,
                             DelimiterSample *out)
{
    memset(out, 0, sizeof *out);
    const char *p = s;
    while (out->records < SAMPLE_RECORDS) {
        const char *q = p;
        while (q < end && (is_blank(*q) || *q == '\r') && *q != delim) q++;
        if (q == end) return;
        if (*q == '\n') {
            p = q + 1;
            continue;
        }
        int fields = 0, numbers = 0;
        for (;;) {
            while (p < end && is_blank(*p) && *p != delim) p++;
            const char *f = p, *fe;
            if (p < end && *p == '"') {
                for (f = ++p;; p += 2) {
                    p = memchr(p, '"', (size_t)(end - p));
                    if (!p || (p + 1 == end && !whole)) return; /* "" or the end, unseen */
                    if (p + 1 == end || p[1] != '"') break;
                }
                fe = p++;
                while (p < end && *p != delim && *p != '\n') p++;
            } else {
                while (p < end && *p != delim && *p != '\n') p++;
                fe = p;
                while (fe > f && (is_blank(fe[-1]) || fe[-1] == '\r')) fe--;
            }
            numbers += looks_numeric(f, (size_t)(fe - f));
            fields++;
            if (p == end && !whole) return;
            if (p == end || *p++ == '\n') break;
        }
        out->fields[out->records++] = fields;
        out->numbers += numbers;
        if (p == end) return;
    }
}

/* The delimiter of a file whose first bytes are s..end (whole: all of it),
 * as dataset_load_csv describes: a consistent split of the sampled records
 * into more than one field beats an inconsistent one, then more numbers
 * (consistent) or more records agreeing with the first (inconsistent) win,
 * then the candidates' order. */
static char detect_delimiter(const char *s, const char *end, bool whole)
{
    if (end - s > SAMPLE_BYTES) {
        end = s + SAMPLE_BYTES;
        whole = false;
    }
    char best = ',';
    bool best_consistent = false;
    int best_score = -1;
    for (size_t k = 0; k < sizeof delimiter_candidates; k++) {
        DelimiterSample ds;
        sample_delimiter(s, end, whole, delimiter_candidates[k], &ds);
        if (ds.records == 0 || ds.fields[0] < 2) continue;
        int agree = 0;
        for (int i = 0; i < ds.records; i++) agree += ds.fields[i] == ds.fields[0];
        bool consistent = agree == ds.records;
        int score = consistent ? ds.numbers : agree;
        if (consistent > best_consistent || (consistent == best_consistent && score > best_score)) {
            best = delimiter_candidates[k];
            best_consistent = consistent;
            best_score = score;
        }
    }
    return best;
}

/* ---- reading ------------------------------------------------------------- */

/* The fast path for a line of plain numbers, fed while libcsv is between
 * records: every feature field is a number that parse_plain takes whole,
 * the label field (if any) has no quote or CR, and a newline (or CRLF)
 * ends the line after exactly n_cols fields.  split_line would pass such a
 * line's fields on unchanged but for the label's blanks, so here they go
 * straight into the next row of x and the label to end_row.  Returns the
 * start of the next line, or NULL when the line needs split_line or libcsv
 * after all; then nothing has changed but the unused row beyond ds->n. */
static const char *fast_line(CsvReader *r, const char *s, const char *end, char delim)
{
    Dataset *ds = r->ds;
    if (ds->n >= r->cap_rows) return NULL; /* data_field makes room */
    float *x = ds->x + ds->n * (size_t)r->d;
    const char *p = s, *label = NULL;
    size_t label_len = 0;
    for (int c = 0;; c++) {
        if (c == r->label_col) {
            label = p;
            while (p < end && *p != delim && *p != '\n' && *p != '\r' && *p != '"') p++;
            label_len = (size_t)(p - label);
            trim(&label, &label_len);
        } else if (!(p = parse_plain(p, end, x++))) {
            return NULL;
        }
        if (c == r->n_cols - 1) break;
        if (p == end || *p != delim) return NULL;
        p++;
    }
    if (p < end && *p == '\r') p++;
    if (p == end || *p != '\n') return NULL;
    r->open_line = r->line;
    end_row(r, false, label, label_len);
    return p + 1;
}

/* The delimiter to read with: the one given, or the one the first bytes
 * s..end (the whole file when whole) show; set in ds and in libcsv. */
static char settle_delimiter(CsvReader *r, struct csv_parser *p, const char *s, const char *end,
                             bool whole)
{
    char delim = r->opt->delimiter;
    if (delim == DATASET_DELIMITER_AUTO) {
        delim = detect_delimiter(s, end, whole);
        r->ds->delimiter_detected = true;
    }
    r->ds->delimiter = delim;
    csv_set_delim(p, (unsigned char)delim);
    return delim;
}

/* A NUL byte at nul, on the line that starts at s: the line is fed up to
 * it, so that the message names the field it is in. */
static void report_nul(CsvReader *r, struct csv_parser *p, const char *s, const char *nul)
{
    size_t n = (size_t)(nul - s);
    if (csv_parse(p, s, n, on_field, on_record, r) != n && !r->failed) parse_error(r, p);
    fail(r, ERROR_INPUT, "%s:%zu:%d: NUL byte: this is a binary file, not CSV text", r->path,
         r->line, r->col + 1);
}

/* Feeds the whole file line by line to fast_line, split_line or, when they
 * decline, to libcsv; the n_head bytes of head come first (already read
 * from a stream that can't go back).  The delimiter is settled on the
 * first chunk, before any of it is parsed. */
static void read_stream(CsvReader *r, FILE *f, struct csv_parser *p, const void *head,
                        size_t n_head)
{
    /* csv_init leaves libcsv in its between-records state. */
    const int idle = p->pstate;
    char delim = 0;
    bool fast = false;
    char *buf = malloc(CHUNK_BYTES);
    if (!buf) {
        fail_oom(r);
        return;
    }
    bool first = true;
    if (n_head > CHUNK_BYTES) n_head = CHUNK_BYTES;
    while (!r->failed) {
        size_t got = 0;
        if (first && n_head) {
            memcpy(buf, head, n_head);
            got = n_head;
        }
        got += fread(buf + got, 1, CHUNK_BYTES - got, f);
        if (got == 0) {
            if (ferror(f))
                fail(r, ERROR_RUNTIME, "%s:%zu: read error: %s", r->path, r->line, strerror(errno));
            break;
        }
        r->bytes += (double)got;
        if (r->max_bytes > 0 && r->bytes > r->max_bytes) {
            fail(r, ERROR_RUNTIME,
                 "%s: more than %.1f GB read, half of this machine's %.1f GB of memory: too large "
                 "a data file to load",
                 r->path, r->max_bytes / 1e9, 2 * r->max_bytes / 1e9);
            break;
        }
        const char *s = buf, *end = buf + got;
        /* Lines before a NUL byte are read as any others, so that the
         * message can name its field. */
        const char *nul = memchr(buf, '\0', got);
        if (first) {
            if (got >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3;
            /* fread came back short: the chunk holds the rest of the file. */
            delim = settle_delimiter(r, p, s, nul ? nul : end, !nul && got < CHUNK_BYTES);
            /* fast_line would read a delimiter that a number can contain as
             * part of the number. */
            fast = !is_digit(delim) && delim != '+' && delim != '-' && delim != '.';
            first = false;
        }
        if (s < end) r->any_text = true;
        /* fast_line needs a newline before its end: never the NUL's line. */
        const char *fast_end = nul ? nul : end;
        while (s < end && !r->failed) {
            if (fast && r->at_record_start && r->records >= 2 && p->pstate == idle) {
                const char *next = fast_line(r, s, fast_end, delim);
                if (next) {
                    r->line++;
                    s = next;
                    continue;
                }
            }
            const char *nl = memchr(s, '\n', (size_t)(end - s));
            const char *stop = nl ? nl + 1 : end;
            size_t n = (size_t)(stop - s);
            if (r->at_record_start) {
                const char *q = s;
                while (q < stop && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')) q++;
                if (q < stop) {
                    r->open_line = r->line;
                    r->at_record_start = false;
                }
            }
            if (nul && nul < stop) {
                report_nul(r, p, s, nul);
            } else if (nl && p->pstate == idle && split_line(r, s, nl, delim)) {
                /* done without libcsv, which stays between records */
            } else if (csv_parse(p, s, n, on_field, on_record, r) != n && !r->failed) {
                parse_error(r, p);
            }
            /* libcsv grows a field's buffer by its block size: doubling
             * that keeps a long field's reallocations few. */
            if (csv_get_buffer_size(p) > p->blk_size) csv_set_blk_size(p, csv_get_buffer_size(p));
            if (nl) r->line++;
            s = stop;
        }
    }
    free(buf);
    if (r->failed) return;
    /* A last line without its newline completes here. */
    if (csv_fini(p, on_field, on_record, r) != 0 && !r->failed)
        fail(r, ERROR_INPUT,
             "%s:%zu:%d: unterminated quote: the quoted field never closes before the end of "
             "the file",
             r->path, r->open_line, r->col + 1);
}

static int cmp_class_name(const void *a, const void *b, void *table)
{
    const ClassTable *t = table;
    return strcmp(t->text + t->name_at[*(const int *)a], t->text + t->name_at[*(const int *)b]);
}

typedef struct {
    long long value;
    int id;
} IntClass;

static int cmp_int_class(const void *a, const void *b)
{
    const IntClass *x = a, *y = b;
    return (x->value > y->value) - (x->value < y->value);
}

/* Chooses the task and turns first-seen class ids into sorted ones. */
static void settle_labels(CsvReader *r)
{
    Dataset *ds = r->ds;
    if (!reads_labels(r)) {
        ds->task = TASK_CLASSIFICATION;
        ds->n_classes = 0;
        free(ds->labels);
        free(ds->targets);
        ds->labels = NULL;
        ds->targets = NULL;
        return;
    }
    if (r->comma_labels > 0) {
        report_comma_labels(r);
        return;
    }
    ClassTable *t = r->classes;
    int k = t->n;
    int *map = NULL;
    bool int_classes = false;
    IntClass *ic = NULL;
    if (r->all_numeric && r->all_int && !r->class_overflow) {
        ic = malloc((size_t)k * sizeof *ic);
        if (!ic) {
            fail_oom(r);
            return;
        }
        for (int i = 0; i < k; i++) {
            const char *name = t->text + t->name_at[i];
            parse_int(name, strlen(name), &ic[i].value);
            ic[i].id = i;
        }
        qsort(ic, (size_t)k, sizeof *ic, cmp_int_class);
        int distinct = 0;
        for (int i = 0; i < k; i++)
            if (i == 0 || ic[i].value != ic[i - 1].value) distinct++;
        int_classes = distinct <= DATASET_MAX_INT_CLASSES;
    }
    if (r->opt->task == TASK_REGRESSION) int_classes = false;
    if (r->all_numeric && !int_classes) {
        free(ic);
        ds->task = TASK_REGRESSION;
        ds->n_classes = 0;
        free(ds->labels);
        ds->labels = NULL;
        return;
    }
    ds->task = TASK_CLASSIFICATION;
    free(ds->targets);
    ds->targets = NULL;
    map = malloc((size_t)k * sizeof *map);
    ds->class_names = calloc((size_t)k, sizeof *ds->class_names);
    if (!map || !ds->class_names) {
        free(map);
        free(ic);
        fail_oom(r);
        return;
    }
    int n_classes = 0;
    if (int_classes) {
        for (int i = 0; i < k; i++) {
            if (i == 0 || ic[i].value != ic[i - 1].value) {
                char buf[32];
                snprintf(buf, sizeof buf, "%lld", ic[i].value);
                ds->class_names[n_classes++] = strdup(buf);
                if (!ds->class_names[n_classes - 1]) break;
            }
            map[ic[i].id] = n_classes - 1;
        }
    } else {
        int *order = malloc((size_t)k * sizeof *order);
        if (!order) {
            free(map);
            fail_oom(r);
            return;
        }
        for (int i = 0; i < k; i++) order[i] = i;
        qsort_r(order, (size_t)k, sizeof *order, cmp_class_name, t);
        for (int i = 0; i < k; i++) {
            map[order[i]] = i;
            ds->class_names[n_classes++] = strdup(t->text + t->name_at[order[i]]);
            if (!ds->class_names[n_classes - 1]) break;
        }
        free(order);
    }
    free(ic);
    ds->n_classes = n_classes;
    for (int i = 0; i < n_classes; i++)
        if (!ds->class_names[i]) {
            free(map);
            fail_oom(r);
            return;
        }
    for (size_t i = 0; i < ds->n; i++) ds->labels[i] = map[ds->labels[i]];
    free(map);
}

/* Each feature's mean over the rows kept, gaps (NaN) left out, into
 * ds->feature_mean (NaN for a column of gaps only); then, under
 * MISSING_MEAN, each gap becomes its column's mean.  Row by row, in double:
 * a column-by-column pass would stride through the whole matrix d times. */
static void column_means(CsvReader *r)
{
    Dataset *ds = r->ds;
    size_t d = (size_t)ds->d;
    double *sum = calloc(d, sizeof *sum);
    size_t *count = calloc(d, sizeof *count);
    ds->feature_mean = malloc(d * sizeof *ds->feature_mean);
    if (!sum || !count || !ds->feature_mean) {
        free(sum);
        free(count);
        fail_oom(r);
        return;
    }
    for (size_t i = 0; i < ds->n; i++) {
        const float *row = ds->x + i * d;
        for (size_t f = 0; f < d; f++) {
            bool gap = isnan(row[f]);
            sum[f] += gap ? 0.0 : (double)row[f];
            count[f] += !gap;
        }
    }
    for (size_t f = 0; f < d; f++)
        ds->feature_mean[f] = count[f] ? (float)(sum[f] / (double)count[f]) : NAN;
    bool fill = r->opt->missing == MISSING_MEAN && !r->opt->keep_missing;
    for (size_t f = 0; f < d && fill; f++) {
        if (!ds->feature_missing[f]) continue;
        if (count[f] == 0) {
            int col = (int)f < r->label_col ? (int)f : (int)f + 1;
            fail(r, ERROR_INPUT, "%s: column %d ('%s') has no values to take a mean of", r->path,
                 col + 1, ds->feature_names[f]);
            break;
        }
        float mean = ds->feature_mean[f];
        for (size_t i = 0; i < ds->n; i++) {
            float *v = &ds->x[i * d + f];
            if (isnan(*v)) *v = mean;
        }
    }
    free(sum);
    free(count);
}

static void finish(CsvReader *r)
{
    Dataset *ds = r->ds;
    if (r->records == 0) {
        if (r->any_text)
            fail(r, ERROR_INPUT, "%s: no rows (only blank lines)", r->path);
        else
            fail(r, ERROR_INPUT, "%s: empty file, no rows", r->path);
        return;
    }
    if (r->records == 1) {
        settle_layout(r);
        if (r->failed) return;
    }
    if (ds->n == 0) {
        if (ds->dropped_rows)
            fail(r, ERROR_INPUT, "%s: all %zu rows have missing values; none left after dropping",
                 r->path, ds->dropped_rows);
        else
            fail(r, ERROR_INPUT, "%s: no data rows", r->path);
        return;
    }
    settle_labels(r);
    if (r->failed) return;
    column_means(r);
    if (r->failed) return;
    /* Give back the unused tail of the geometric growth. */
    float *x = realloc(ds->x, ds->n * (size_t)ds->d * sizeof *x);
    if (x) ds->x = x;
}

/* The most bytes a data file may have: half this machine's memory, as the
 * loader may hold a field as long as the file in libcsv's buffer, the
 * numbers as floats take about as many bytes as their text, and training
 * needs the rest.  0 when the memory is unknown: then nothing is refused. */
static double max_file_bytes(void)
{
    return sysmem_total() / 2;
}

/* Opens path, refusing a directory and a regular file over max_file_bytes
 * before reading any of it. */
static ErrorCode open_file(const char *path, FILE **out, Error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return error_set(err, error_code_of_open(errno), "%s: can't open: %s", path,
                         strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0) {
        double max = max_file_bytes(), size = (double)st.st_size;
        if (S_ISDIR(st.st_mode)) {
            fclose(f);
            return error_set(err, ERROR_INPUT, "%s: is a directory, not a data file", path);
        }
        if (S_ISREG(st.st_mode) && max > 0 && size > max) {
            fclose(f);
            return error_set(err, ERROR_RUNTIME,
                             "%s: %.1f GB, more than half of this machine's %.1f GB of memory: "
                             "too large a data file to load",
                             path, size / 1e9, 2 * max / 1e9);
        }
    }
    *out = f;
    return ERROR_NONE;
}

/* Reads the CSV text of f (after the n_head bytes of head) into ds, which
 * dataset_init_owned has prepared; f stays open. */
static ErrorCode load_csv(Dataset *ds, const char *path, FILE *f, const void *head, size_t n_head,
                          const DatasetOptions *opt, Error *err)
{
    CsvReader r = {.path = path, .opt = opt, .ds = ds, .err = err};
    r.line = 1;
    r.open_line = 1;
    r.at_record_start = true;
    r.all_numeric = r.all_int = true;
    r.max_bytes = max_file_bytes();
    r.classes = calloc(1, sizeof *r.classes);
    struct csv_parser p = {0};
    if (!r.classes || csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        free(r.classes);
        dataset_free(ds);
        return error_set(err, ERROR_RUNTIME, "%s: out of memory", path);
    }
    csv_set_blk_size(&p, 4096);

    read_stream(&r, f, &p, head, n_head);
    if (!r.failed) finish(&r);

    csv_free(&p);
    for (int i = 0; i < 2; i++) {
        free(r.rows[i].text);
        free(r.rows[i].start);
    }
    if (r.classes) free(r.classes->text);
    free(r.classes);
    free(r.label);
    if (r.failed) {
        dataset_free(ds);
        return r.code;
    }
    error_clear(err);
    return ERROR_NONE;
}

/* Checks the delimiter (DATASET_DELIMITER_AUTO or one that can separate
 * fields) and prepares ds for path. */
static ErrorCode begin(Dataset *ds, const char *path, const DatasetOptions *opt, Error *err)
{
    char name[128];
    dataset_name_from_path(name, sizeof name, path);
    dataset_init_owned(ds, path, name, DATASET_KIND_CSV);
    unsigned char delim = (unsigned char)opt->delimiter;
    if (delim == '"' || delim == '\r' || delim == '\n') {
        dataset_free(ds);
        return error_set(err, ERROR_INPUT,
                         "delimiter 0x%02x can't be used: it has another meaning in CSV", delim);
    }
    return ERROR_NONE;
}

ErrorCode dataset_load_csv(Dataset *ds, const char *path, const DatasetOptions *opt, Error *err)
{
    DatasetOptions defaults = dataset_options_default();
    if (!opt) opt = &defaults;
    ErrorCode code = begin(ds, path, opt, err);
    if (code != ERROR_NONE) return code;
    FILE *f = NULL;
    code = open_file(path, &f, err);
    if (code != ERROR_NONE) {
        dataset_free(ds);
        return code;
    }
    code = load_csv(ds, path, f, NULL, 0, opt, err);
    fclose(f);
    return code;
}

ErrorCode dataset_load_csv_stream(Dataset *ds, const char *path, FILE *f, const void *head,
                                  size_t n_head, const DatasetOptions *opt, Error *err)
{
    DatasetOptions defaults = dataset_options_default();
    if (!opt) opt = &defaults;
    ErrorCode code = begin(ds, path, opt, err);
    if (code != ERROR_NONE) return code;
    return load_csv(ds, path, f, head, n_head, opt, err);
}
