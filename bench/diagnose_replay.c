/*
 * diagnose_replay.c - how often the dashboard's diagnosis (diagnose(),
 * insight.h) says something false, measured on real runs.
 *
 * Trains many short runs through the engine library - the datasets of
 * datasets/ and the generated 2-D sets, four optimizers, five learning
 * rates from too low to far too high, batches of 8 and 32, two seeds - and
 * asks diagnose() what it says after every epoch and every 16 batches, from
 * what the dashboard would hand it at that moment (the epochs so far, the
 * step losses bucketed as the trainer's snapshot buckets them, the chance
 * levels of the training and validation rows).  Each run is labelled
 * afterwards, with hindsight, by how it ended:
 *
 *   diverged    the loss became NaN or infinite;
 *   unstable    a batch's loss 10 times the first batch's or more; or
 *               an epoch's training loss 2 times or more the lowest before
 *               it, or 3 times the one just before it, and in either case
 *               above it by 0.05 or more;
 *   stuck       it learned nothing: a classifier's validation accuracy at
 *               the end within 0.05 of the chance one, or the last training
 *               loss 0.9 or more of the first;
 *   overfit     the last validation loss 10 % or more above its best, that
 *               best 10 or more epochs back, the training loss below what
 *               it was there;
 *   fine        none of these.
 *
 * Then, per rule, how often it speaks against the label (false) and how
 * often a rule that should speak stays silent (missed):
 *
 *   "too high"  (1, 2, 3, 3b, 6 rising, 7 too high, 10): false on a run
 *               that ended fine or overfit, at any check; missed on a
 *               diverged or unstable run when no check said it;
 *   4, 7 overfitting: false on a stuck run (one that learned nothing has
 *               nothing to overfit with); missed
 *               on an overfit run when the last check does not say it;
 *   7 not learning, 8 plateau, 9 underfitting: false at a check when the
 *               run's training loss fell by 20 % or more after it and the
 *               run ended fine or overfit (it was learning, not stuck) -
 *               but for 7's "not learning yet: ... give it more epochs";
 *               missed on a stuck run when the last check says none of 7,
 *               8, 9.
 *
 * Rule 5 (dead units) is not measured (the dashboard's live probe is not
 * run here), nor rule 6 (no early stopping: every run trains its whole
 * length, and a divergence ends it, as headless runs do).
 *
 * Usage: build/bench/diagnose_replay [-v] [-e EPOCHS] [-s SEEDS] [-j K/M]
 * from the project root.  -v prints every false firing and every miss with
 * its run and its sentence; -e and -s change the epochs (60) and seeds (2);
 * -j K/M trains only the runs whose index is K modulo M, to split the work.
 * `make diagnose-replay` runs it (about 6 s of CPU).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradtop/insight/insight.h"
#include "gradtop/run/options.h"
#include "gradtop/run/prepared.h"
#include "gradtop/run/trainer.h"

/* The rules as the harness tells them apart (kind and sentence). */
typedef enum {
    R_OK,
    R_NOT_FINITE, /* 1 */
    R_SPIKE,      /* 2 */
    R_RISING,     /* 3 */
    R_CONFIDENT,  /* 3b */
    R_OVERFIT,    /* 4 */
    R_DEAD,       /* 5 */
    R_EARLY,      /* 6 */
    R_CHANCE,     /* 7 */
    R_CHANCE_OVF, /* 7, overfitting */
    R_PLATEAU,    /* 8 */
    R_UNDERFIT,   /* 9 */
    R_DRIFT,      /* 10 */
    R_COUNT
} Rule;

static const char *const rule_names[R_COUNT] = {
    "healthy",       "1 not finite",   "2 jumped", "3 rising", "3b confident",
    "4 overfitting", "5 dead units",   "6 early",  "7 chance", "7 overfitting",
    "8 plateau",     "9 underfitting", "10 drift"};

typedef enum { L_DIVERGED, L_UNSTABLE, L_STUCK, L_OVERFIT, L_FINE, L_COUNT } Label;
static const char *const label_names[L_COUNT] = {"diverged", "unstable", "stuck", "overfit",
                                                 "fine"};

static Rule rule_of(DiagnosisKind k, const char *msg)
{
    switch (k) {
    case DIAG_HEALTHY: return R_OK;
    case DIAG_NOT_FINITE: return R_NOT_FINITE;
    case DIAG_LOSS_SPIKE: return R_SPIKE;
    case DIAG_LOSS_RISING: return strncmp(msg, "training loss has risen", 23) ? R_DRIFT : R_RISING;
    case DIAG_OVERCONFIDENT: return R_CONFIDENT;
    case DIAG_OVERFITTING: return strncmp(msg, "overfitting:", 12) ? R_OVERFIT : R_CHANCE_OVF;
    case DIAG_DEAD_UNITS: return R_DEAD;
    case DIAG_STOPPED_EARLY: return R_EARLY;
    case DIAG_AT_CHANCE: return R_CHANCE;
    case DIAG_PLATEAU: return R_PLATEAU;
    case DIAG_UNDERFITTING: return R_UNDERFIT;
    }
    return R_OK;
}

/* Whether a sentence says the learning rate is too high. */
static bool says_too_high(const char *msg)
{
    return strstr(msg, "too high") || strstr(msg, "lower learning rate");
}

typedef struct {
    Rule rule;
    bool too_high;
    int epochs;  /* epochs finished when it was said */
    double loss; /* the last finished epoch's training loss then (NAN before one) */
    char msg[240];
} Check;

typedef struct {
    /* the snapshot's step buckets, as trainer.c keeps them */
    float steps[TRAINER_MAX_STEP_POINTS + 1];
    int n_points;
    long stride;
    double bucket_sum;
    long bucket_n;
    EpochMetrics *h;
    int n, cap;
    ChanceLevel chance, val_chance;
    bool classification;
    long batches;
    double first_step, top_step; /* the first batch's loss, the highest finite one */
    Check *checks;
    int n_checks, cap_checks;
} Replay;

static void check_now(Replay *r, double lr, const float *steps, int n_steps)
{
    DiagnosisInput in = {.history = r->h,
                         .n_epochs = r->n,
                         .classification = r->classification,
                         .step_loss = steps,
                         .n_steps = n_steps,
                         .dead_share = -1,
                         .lr = lr,
                         .chance = r->chance,
                         .val_chance = r->val_chance};
    if (r->n_checks == r->cap_checks) {
        r->cap_checks = r->cap_checks ? 2 * r->cap_checks : 256;
        r->checks = realloc(r->checks, (size_t)r->cap_checks * sizeof *r->checks);
        if (!r->checks) abort();
    }
    Check *c = &r->checks[r->n_checks++];
    DiagnosisKind k = diagnose(&in, c->msg, sizeof c->msg);
    c->rule = rule_of(k, c->msg);
    c->too_high = says_too_high(c->msg);
    c->epochs = r->n;
    c->loss = r->n > 0 ? r->h[r->n - 1].loss : NAN;
}

static void on_batch(void *ctx, const BatchInfo *b)
{
    Replay *r = ctx;
    if (r->batches == 0) r->first_step = b->loss;
    if (isfinite(b->loss) && b->loss > r->top_step) r->top_step = b->loss;
    if (isfinite(b->loss)) {
        r->bucket_sum += b->loss;
        r->bucket_n++;
    }
    if (r->bucket_n >= r->stride) {
        if (r->n_points == TRAINER_MAX_STEP_POINTS) {
            for (int i = 0; i < TRAINER_MAX_STEP_POINTS / 2; i++)
                r->steps[i] = 0.5f * (r->steps[2 * i] + r->steps[2 * i + 1]);
            r->n_points = TRAINER_MAX_STEP_POINTS / 2;
            r->stride *= 2;
        }
        r->steps[r->n_points++] = (float)(r->bucket_sum / (double)r->bucket_n);
        r->bucket_sum = 0;
        r->bucket_n = 0;
    }
    if (++r->batches % 16 == 0) check_now(r, b->lr, r->steps, r->n_points);
}

static void on_epoch(void *ctx, const EpochMetrics *m)
{
    Replay *r = ctx;
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->h = realloc(r->h, (size_t)r->cap * sizeof *r->h);
        if (!r->h) abort();
    }
    r->h[r->n++] = *m;
    check_now(r, m->lr, r->steps, r->n_points);
}

static void dataset_chance(const Dataset *ds, ChanceLevel *out)
{
    *out = (ChanceLevel){0};
    if (ds->task != TASK_CLASSIFICATION || ds->n == 0 || ds->n_classes < 1) return;
    size_t *counts = calloc((size_t)ds->n_classes, sizeof *counts);
    if (!counts) abort();
    dataset_class_counts(ds, counts);
    chance_level(counts, ds->n_classes, out);
    free(counts);
}

static Label label_run(const Replay *r, bool diverged)
{
    if (diverged || r->n == 0) return L_DIVERGED;
    const EpochMetrics *h = r->h;
    int n = r->n;
    /* thrown far above where the untrained model started, within an epoch
     * as much as across them (diabetes at Adam's lr 1: a batch's loss from
     * 0.9 to 1660 in epoch 1, which its epoch's mean hides) */
    if (r->first_step > 0 && r->top_step >= 10 * r->first_step) return L_UNSTABLE;
    /* a rise counts when it is 0.05 or more: near 0, 0.001 -> 0.003 is
     * noise (a first epoch's loss is no scale: at lr 1 it can be 100) */
    double best = INFINITY, lift = 0.05;
    for (int i = 0; i < n; i++) {
        if (h[i].loss >= 2 * best && h[i].loss - best >= lift) return L_UNSTABLE;
        if (i > 0 && h[i].loss >= 3 * h[i - 1].loss && h[i].loss - h[i - 1].loss >= lift)
            return L_UNSTABLE;
        best = fmin(best, h[i].loss);
    }
    const EpochMetrics *e = &h[n - 1];
    if (r->classification && r->val_chance.n > 0 && e->has_val &&
        e->val_accuracy <= r->val_chance.accuracy + 0.05)
        return L_STUCK;
    if (e->loss >= 0.9 * h[0].loss) return L_STUCK;
    int bv = -1;
    for (int i = 0; i < n; i++)
        if (h[i].has_val && (bv < 0 || h[i].val_loss < h[bv].val_loss)) bv = i;
    if (bv >= 0 && e->has_val && n - 1 - bv >= 10 && e->val_loss >= 1.1 * h[bv].val_loss &&
        e->loss < h[bv].loss)
        return L_OVERFIT;
    return L_FINE;
}

/* The lowest training loss of the epochs after check c's. */
static double later_low(const Replay *r, const Check *c)
{
    double lo = INFINITY;
    for (int i = c->epochs; i < r->n; i++) lo = fmin(lo, r->h[i].loss);
    return lo;
}

typedef struct {
    long checks[R_COUNT];       /* checks where the rule spoke */
    long false_checks[R_COUNT]; /* ... against the run's label */
    long runs[R_COUNT];         /* runs where it spoke at some check */
    long false_runs[R_COUNT];   /* ... and at some check against the label */
    long ended_well;            /* runs labelled fine or overfit */
    long well_too_high;         /* ... called too high at some check */
    long bad;                   /* runs labelled diverged or unstable */
    long bad_missed;            /* ... never called too high */
    long stuck, stuck_missed;
    long overfit, overfit_missed;
    long labels[L_COUNT];
    long total_checks;
} Tally;

/* Whether check c contradicts label l of run r. */
static bool contradicts(const Replay *r, const Check *c, Label l)
{
    bool well = l == L_FINE || l == L_OVERFIT;
    if (c->too_high) return well;
    switch (c->rule) {
    case R_OVERFIT:
    case R_CHANCE_OVF: return l == L_STUCK;
    case R_CHANCE: /* "not learning yet: ... give it more epochs" is no contradiction */
        return !strstr(c->msg, "not learning yet") && well && isfinite(c->loss) &&
               later_low(r, c) <= 0.8 * c->loss;
    case R_PLATEAU:
    case R_UNDERFIT: return well && isfinite(c->loss) && later_low(r, c) <= 0.8 * c->loss;
    default: return false;
    }
}

static void tally_run(Tally *t, const Replay *r, Label l, const char *what, bool verbose)
{
    bool spoke[R_COUNT] = {0}, spoke_false[R_COUNT] = {0}, too_high = false;
    t->labels[l]++;
    for (int i = 0; i < r->n_checks; i++) {
        const Check *c = &r->checks[i];
        bool f = contradicts(r, c, l);
        t->checks[c->rule]++;
        t->total_checks++;
        spoke[c->rule] = true;
        too_high |= c->too_high;
        if (f) {
            t->false_checks[c->rule]++;
            if (verbose && !spoke_false[c->rule])
                printf("  false %-14s %s [%s] after %d epochs: %s\n", rule_names[c->rule], what,
                       label_names[l], c->epochs, c->msg);
            spoke_false[c->rule] = true;
        }
    }
    for (int k = 0; k < R_COUNT; k++) {
        t->runs[k] += spoke[k];
        t->false_runs[k] += spoke_false[k];
    }
    const Check *last = r->n_checks ? &r->checks[r->n_checks - 1] : NULL;
    if (l == L_FINE || l == L_OVERFIT) {
        t->ended_well++;
        t->well_too_high += too_high;
    }
    if (l == L_DIVERGED || l == L_UNSTABLE) {
        t->bad++;
        t->bad_missed += !too_high;
        if (verbose && !too_high)
            printf("  missed too high %s [%s]: %s\n", what, label_names[l], last ? last->msg : "");
    }
    if (l == L_STUCK) {
        t->stuck++;
        bool said = last && (last->rule == R_CHANCE || last->rule == R_PLATEAU ||
                             last->rule == R_UNDERFIT || last->too_high);
        t->stuck_missed += !said;
        if (verbose && !said)
            printf("  missed stuck %s: %s\n", what, last ? last->msg : "(nothing)");
    }
    if (l == L_OVERFIT) {
        t->overfit++;
        bool said = last && (last->rule == R_OVERFIT || last->rule == R_CHANCE_OVF);
        t->overfit_missed += !said;
        if (verbose && !said)
            printf("  missed overfit %s: %s\n", what, last ? last->msg : "(nothing)");
    }
}

typedef struct {
    const char *name;
    const char *extra; /* config lines for the set */
} SetSpec;

static const SetSpec sets[] = {
    {"iris", ""},
    {"wine", ""},
    {"breast_cancer", ""},
    {"digits", ""},
    {"diabetes", ""},
    {"spiral", "layers = 16,16\nactivation = tanh\n"},
    {"circles", "layers = 8\nactivation = tanh\n"},
    {"xor", "layers = 8\nactivation = tanh\n"},
    {"gauss", "layers = 4\nactivation = tanh\n"},
    {"moons", "layers = 8\nactivation = tanh\n"},
};

static const char *const optimizers[] = {"sgd", "adam", "rmsprop", "adamw"};
/* From too low to far too high: SGD's default is 0.01, the others' 0.001. */
static const double sgd_rates[] = {0.001, 0.01, 0.1, 1, 10};
static const double adaptive_rates[] = {0.0001, 0.001, 0.01, 0.1, 1};
static const int batches[] = {8, 32};

static int usage(void)
{
    fprintf(stderr, "usage: diagnose_replay [-v] [-e EPOCHS] [-s SEEDS] [-j K/M]\n");
    return 2;
}

int main(int argc, char **argv)
{
    bool verbose = false;
    int epochs = 60, seeds = 2, part = 0, parts = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v"))
            verbose = true;
        else if (!strcmp(argv[i], "-e") && i + 1 < argc)
            epochs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            seeds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-j") && i + 1 < argc &&
                 sscanf(argv[++i], "%d/%d", &part, &parts) == 2 && part >= 0 && part < parts)
            ;
        else
            return usage();
    }
    if (epochs < 2 || seeds < 1) return usage();
    Tally t = {0};
    long run = 0;
    for (size_t si = 0; si < sizeof sets / sizeof sets[0]; si++)
        for (int oi = 0; oi < 4; oi++)
            for (int ri = 0; ri < 5; ri++)
                for (int bi = 0; bi < 2; bi++)
                    for (int seed = 0; seed < seeds; seed++) {
                        if (run++ % parts != part) continue;
                        double lr = oi == 0 ? sgd_rates[ri] : adaptive_rates[ri];
                        char cfg[512], what[128];
                        snprintf(cfg, sizeof cfg,
                                 "dataset = %s\n%soptimizer = %s\nlr = %g\nbatch-size = %d\n"
                                 "seed = %d\nepochs = %d\npatience = 0\nthreads = 1\n",
                                 sets[si].name, sets[si].extra, optimizers[oi], lr, batches[bi],
                                 seed, epochs);
                        snprintf(what, sizeof what, "%s %s lr %g batch %d seed %d", sets[si].name,
                                 optimizers[oi], lr, batches[bi], seed);
                        Options o;
                        Error err = {0};
                        options_default(&o);
                        if (options_load_text(&o, cfg, "replay", NULL, &err)) {
                            fprintf(stderr, "%s: %s\n", what, err.msg);
                            return 1;
                        }
                        o.no_log = true;
                        PreparedData s;
                        if (prepared_open(&s, &o, NULL, &err)) {
                            fprintf(stderr, "%s: %s\n", what, err.msg);
                            return 1;
                        }
                        Replay *r = calloc(1, sizeof *r);
                        if (!r) abort();
                        r->stride = 1;
                        r->classification = s.train.task == TASK_CLASSIFICATION;
                        dataset_chance(&s.train, &r->chance);
                        dataset_chance(&s.val, &r->val_chance);
                        TrainerHooks hooks = {.ctx = r, .on_batch = on_batch, .on_epoch = on_epoch};
                        Trainer *tr = NULL;
                        if (trainer_create(&tr, &o, &s.train, &s.val, NULL, false, &hooks, &err)) {
                            fprintf(stderr, "%s: %s\n", what, err.msg);
                            return 1;
                        }
                        ErrorCode rc = trainer_run(tr, &err);
                        bool diverged = rc == ERROR_DIVERGED;
                        if (rc && !diverged) {
                            fprintf(stderr, "%s: %s\n", what, err.msg);
                            return 1;
                        }
                        TrainerSnapshot snap;
                        if (diverged && !trainer_snapshot_init(&snap, tr, &err)) {
                            /* the dashboard hands the loss that diverged the
                             * run, when it was not finite, to the diagnosis at
                             * the step losses' end */
                            trainer_snapshot(tr, &snap);
                            int m = r->n_points;
                            if (!isfinite(snap.last_batch_loss))
                                r->steps[m++] = (float)snap.last_batch_loss;
                            check_now(r, lr, r->steps, m);
                            trainer_snapshot_free(&snap);
                        }
                        trainer_destroy(tr);
                        prepared_close(&s);
                        tally_run(&t, r, label_run(r, diverged), what, verbose);
                        free(r->h);
                        free(r->checks);
                        free(r);
                    }
    long runs = 0;
    for (int l = 0; l < L_COUNT; l++) runs += t.labels[l];
    printf("runs %ld (", runs);
    for (int l = 0; l < L_COUNT; l++)
        printf("%s%s %ld", l ? ", " : "", label_names[l], t.labels[l]);
    printf("), %d epochs each, %ld checks\n\n", epochs, t.total_checks);
    printf("%-16s %9s %9s %7s %9s %9s %7s\n", "rule", "checks", "false", "%", "runs", "false", "%");
    for (int k = 0; k < R_COUNT; k++)
        printf("%-16s %9ld %9ld %6.1f%% %9ld %9ld %6.1f%%\n", rule_names[k], t.checks[k],
               t.false_checks[k], t.checks[k] ? 100.0 * t.false_checks[k] / t.checks[k] : 0.0,
               t.runs[k], t.false_runs[k], t.runs[k] ? 100.0 * t.false_runs[k] / t.runs[k] : 0.0);
    printf("\nruns that ended well called too high at some check: %ld of %ld (%.1f %%)\n",
           t.well_too_high, t.ended_well,
           t.ended_well ? 100.0 * t.well_too_high / t.ended_well : 0.0);
    printf("diverged or unstable runs never called too high:   %ld of %ld (%.1f %%)\n",
           t.bad_missed, t.bad, t.bad ? 100.0 * t.bad_missed / t.bad : 0.0);
    printf("stuck runs whose last check says none of 7, 8, 9:  %ld of %ld (%.1f %%)\n",
           t.stuck_missed, t.stuck, t.stuck ? 100.0 * t.stuck_missed / t.stuck : 0.0);
    printf("overfit runs whose last check is not overfitting:  %ld of %ld (%.1f %%)\n",
           t.overfit_missed, t.overfit, t.overfit ? 100.0 * t.overfit_missed / t.overfit : 0.0);
    return 0;
}
