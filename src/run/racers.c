/*
 * racers.c - the --racers of `gradtop race`: each racer's options over the
 * shared ones.  See racers.h.
 */
#include "gradtop/run/racers.h"

#include "gradtop/run/presets.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The next KEY=VALUE pair of a racer's list, cut off at its comma, or NULL
 * at the end.  A piece after a comma that has no '=' (and is not blank)
 * belongs to the value before it, so that layers=64,32 is one pair. */
static char *next_pair(char **cursor)
{
    char *start = *cursor;
    if (!start) return NULL;
    bool has_eq = false;
    for (char *p = start;; p++) {
        if (*p == '=') has_eq = true;
        if (*p && *p != ',') continue;
        if (*p == ',' && has_eq) {
            const char *q = p + 1;
            size_t len = strcspn(q, ",");
            bool blank = true;
            for (size_t i = 0; i < len; i++) blank &= isspace((unsigned char)q[i]) != 0;
            if (!blank && !memchr(q, '=', len)) continue;
        }
        if (*p) {
            *p = '\0';
            *cursor = p + 1;
        } else {
            *cursor = NULL;
        }
        return start;
    }
}

/* NULL when a racer may have its own value of os; else os is shared by all
 * racers and this is why (may be "").  The data is loaded once and shared,
 * so a racer's own data option would be ignored. */
static const char *refused_key(const OptionSpec *os)
{
    if (os->group == OPTGROUP_DATA) return " (the data is loaded once for all of them)";
    if (os->group == OPTGROUP_OUTPUT && strcmp(os->name, "name") != 0) return "";
    return NULL;
}

/* A racer's name= value: it labels the racer and ends its run directory's
 * name, and the headless result line carries it as racer=NAME. */
static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > RACE_NAME_MAX) return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("._-+", *s)) return false;
    return true;
}

bool racers_parse(const Options *base, const char *spec, RacerSpec out[RACE_MAX], int *n, char *why,
                  size_t cap)
{
    char buf[1024];
    *n = 0;
    if (!spec) spec = preset_racers(base->dataset, RACE_DEFAULT);
    if (strlen(spec) >= sizeof buf) {
        snprintf(why, cap, "--racers: longer than %zu characters", sizeof buf - 1);
        return false;
    }
    snprintf(buf, sizeof buf, "%s", spec);
    char *save = NULL;
    for (char *item = strtok_r(buf, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
        item = options_trim(item);
        if (!*item) continue;
        if (*n >= RACE_MAX) {
            snprintf(why, cap, "--racers: at most %d racers", RACE_MAX);
            goto fail;
        }
        RacerSpec *rc = &out[*n];
        memset(rc, 0, sizeof *rc);
        /* "--racers: racer 2 (adam:lr=x)", the prefix of its messages */
        char where[200];
        snprintf(where, sizeof where, "--racers: racer %d (%.100s%s)", *n + 1, item,
                 strlen(item) > 100 ? "..." : "");
        Options o = *base;
        char *params = strchr(item, ':');
        if (params) *params++ = '\0';
        Error err;
        error_clear(&err);
        if (options_set(&o, options_find("optimizer"), options_trim(item), where, &err)) {
            snprintf(why, cap, "%s", err.msg);
            goto fail;
        }
        double lr = o.hp.opt.lr;
        optimizer_params_default(&o.hp.opt, o.hp.opt.kind);
        o.hp.opt.lr = lr;
        char own_name[RACE_NAME_MAX + 1] = "";
        /* the keys given, by option_table row: one given twice is refused,
         * as in a config file (which value was meant cannot be told) */
        uint64_t given[4] = {0};
        assert(option_count <= 64 * sizeof given / sizeof given[0]);
        char *cursor = params;
        for (char *kv; (kv = next_pair(&cursor));) {
            kv = options_trim(kv);
            if (!*kv) continue;
            char *eq = strchr(kv, '=');
            if (!eq) {
                snprintf(why, cap, "%s: '%.60s' is not KEY=VALUE", where, kv);
                goto fail;
            }
            *eq = '\0';
            char *key = options_trim(kv), *value = options_trim(eq + 1);
            const OptionSpec *os = options_find(key);
            if (!os) {
                snprintf(why, cap, "%s: unknown option '%.60s'", where, key);
                goto fail;
            }
            size_t at = (size_t)(os - option_table);
            if (given[at / 64] >> (at % 64) & 1) {
                snprintf(why, cap, "%s: '%s' is set a second time", where, os->name);
                goto fail;
            }
            given[at / 64] |= (uint64_t)1 << (at % 64);
            if (!strcmp(os->name, "optimizer")) {
                snprintf(why, cap,
                         "%s: the optimizer is the racer's first word (OPTIMIZER:KEY=VALUE,...), "
                         "not a KEY",
                         where);
                goto fail;
            }
            const char *no = refused_key(os);
            if (no) {
                snprintf(why, cap, "%s: %s is shared by all racers%s: give --%s instead", where,
                         os->name, no, os->name);
                goto fail;
            }
            if (!strcmp(os->name, "name")) {
                if (!name_ok(value)) {
                    snprintf(why, cap,
                             "%s: name '%.60s': use 1 to %d letters, digits, '.', '_', '-' or "
                             "'+'",
                             where, value, RACE_NAME_MAX);
                    goto fail;
                }
                snprintf(own_name, sizeof own_name, "%s", value);
                continue;
            }
            if (options_set(&o, os, value, where, &err)) {
                snprintf(why, cap, "%s", err.msg);
                goto fail;
            }
        }
        if (options_validate(&o, &err)) {
            snprintf(why, cap, "%s: %s", where, err.msg);
            goto fail;
        }
        if (own_name[0]) {
            snprintf(rc->name, sizeof rc->name, "%s", own_name);
            rc->named = true;
        } else {
            /* the optimizer, numbered when it runs twice */
            int same = 0;
            for (int i = 0; i < *n; i++)
                if (out[i].opt.hp.opt.kind == o.hp.opt.kind && !out[i].named) same++;
            if (same)
                snprintf(rc->name, sizeof rc->name, "%s-%d", optimizer_names[o.hp.opt.kind],
                         same + 1);
            else
                snprintf(rc->name, sizeof rc->name, "%s", optimizer_names[o.hp.opt.kind]);
        }
        for (int i = 0; i < *n; i++)
            if (!strcmp(out[i].name, rc->name)) {
                snprintf(why, cap,
                         "--racers: racers %d and %d are both named '%s': give one another "
                         "name=",
                         i + 1, *n + 1, rc->name);
                goto fail;
            }
        char nm[sizeof o.name];
        if (base->name[0])
            snprintf(nm, sizeof nm, "%.60s-%s", base->name, rc->name);
        else
            snprintf(nm, sizeof nm, "%s", rc->name);
        snprintf(o.name, sizeof o.name, "%s", nm);
        rc->opt = o;
        (*n)++;
    }
    if (*n < 2) {
        snprintf(why, cap, "--racers: give 2 to %d racers (got %d)", RACE_MAX, *n);
        goto fail;
    }
    /* what the racers differ in, for their runs' HParams experiment */
    Options *runs[RACE_MAX];
    for (int i = 0; i < *n; i++) runs[i] = &out[i].opt;
    options_mark_varied(runs, *n);
    return true;
fail:
    *n = 0;
    return false;
}

bool race_options(const Options *o, const char *racers, Options out[RACE_MAX], int *n, char *why,
                  size_t cap, char *names, size_t names_cap)
{
    if (n) *n = 0;
    if (names && names_cap) names[0] = '\0';
    RacerSpec *spec = calloc(RACE_MAX, sizeof *spec);
    if (!spec) {
        snprintf(why, cap, "out of memory");
        return false;
    }
    int got = 0;
    bool ok = racers_parse(o, racers, spec, &got, why, cap);
    for (int i = 0; i < got; i++) {
        if (out) out[i] = spec[i].opt;
        if (names && names_cap) {
            size_t l = strlen(names);
            snprintf(names + l, names_cap - l, "%s%s", i ? ", " : "", spec[i].name);
        }
    }
    if (n) *n = got;
    free(spec);
    return ok;
}

bool race_check(const Options *o, const char *racers, char *why, size_t cap, char *names,
                size_t names_cap)
{
    return race_options(o, racers, NULL, NULL, why, cap, names, names_cap);
}
