/*
 * insight_diagnose.c - the one-sentence diagnosis of a run (see insight.h
 * for the rules, their order and their thresholds).
 */
#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gradtop/insight/insight.h"
#include "gradtop/nn/optimizer.h"

const char *diagnosis_name(DiagnosisKind k)
{
    switch (k) {
    case DIAG_HEALTHY: return "healthy";
    case DIAG_NOT_FINITE: return "not_finite";
    case DIAG_LOSS_SPIKE: return "loss_spike";
    case DIAG_LOSS_RISING: return "loss_rising";
    case DIAG_OVERFITTING: return "overfitting";
    case DIAG_DEAD_UNITS: return "dead_units";
    case DIAG_STOPPED_EARLY: return "stopped_early";
    case DIAG_AT_CHANCE: return "at_chance";
    case DIAG_PLATEAU: return "plateau";
    case DIAG_UNDERFITTING: return "underfitting";
    case DIAG_OVERCONFIDENT: return "overconfident";
    }
    return "?";
}

static DiagnosisKind say(char *msg, size_t cap, DiagnosisKind k, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static DiagnosisKind say(char *msg, size_t cap, DiagnosisKind k, const char *fmt, ...)
{
    if (cap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, cap, fmt, ap);
        va_end(ap);
    }
    return k;
}

/* The rate in force: in's, else the last epoch's; 0 when unknown. */
static double lr_in_force(const DiagnosisInput *in)
{
    double lr = in->lr;
    if (!(lr > 0) && in->n_epochs > 0) lr = in->history[in->n_epochs - 1].lr;
    return lr > 0 ? lr : 0;
}

/* " (lr 0.001)" for the rate in force, " (lr 1e+39, inf in float32)" for
 * one float32 does not hold as a normal number, or "" when unknown. */
static void lr_text(const DiagnosisInput *in, char *buf, size_t cap)
{
    double lr = lr_in_force(in);
    const char *note = optimizer_lr_float_note(lr);
    if (lr > 0 && note)
        snprintf(buf, cap, " (lr %.3g, %s)", lr, note);
    else if (lr > 0)
        snprintf(buf, cap, " (lr %.3g)", lr);
    else
        buf[0] = '\0';
}

/* The median of v (m values, sorted in place); NAN when m is 0. */
static double median_of(double *v, int m)
{
    if (m == 0) return NAN;
    for (int i = 1; i < m; i++) /* insertion sort: a few dozen values at most */
        for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
}

/* The median of the finite values among v's n (at most DIAG_SPIKE_BEFORE);
 * NAN when none is. */
static double median(const float *v, int n)
{
    double s[DIAG_SPIKE_BEFORE];
    int m = 0;
    assert(n <= DIAG_SPIKE_BEFORE);
    for (int i = 0; i < n; i++)
        if (isfinite(v[i])) s[m++] = v[i];
    return median_of(s, m);
}

/* A loss's usual wobble from one epoch to the next over epoch indices
 * [from, to): the median distance of the changes between consecutive
 * losses (the validation ones with val) from their median change - a
 * steady fall or rise is no wobble, mini-batch noise around it is.  NAN
 * with fewer than 3 changes to go on. */
static double wobble(const EpochMetrics *h, int from, int to, bool val)
{
    double d[DIAG_NOISE_EPOCHS];
    int m = 0;
    for (int i = from < 0 ? 0 : from; i + 1 < to && m < DIAG_NOISE_EPOCHS; i++) {
        double c = val ? h[i + 1].val_loss - h[i].val_loss : h[i + 1].loss - h[i].loss;
        if (isfinite(c) && (!val || (h[i].has_val && h[i + 1].has_val))) d[m++] = c;
    }
    if (m < 3) return NAN;
    double mid = median_of(d, m);
    for (int i = 0; i < m; i++) d[i] = fabs(d[i] - mid);
    return median_of(d, m);
}

/* The training loss's wobble over the DIAG_NOISE_EPOCHS epochs before
 * epoch index s. */
static double loss_wobble(const EpochMetrics *h, int s)
{
    return wobble(h, s - DIAG_NOISE_EPOCHS, s, false);
}

/* Whether a rise of the training loss from epoch index s on, by rise, is
 * more than its wobble explains: DIAG_RISE_NOISE times loss_wobble or more
 * (or no wobble measured yet).  Spiral at Adam's 0.03 wobbles by 0.004 at
 * a loss of 0.08: three rises in a row adding up to 0.008 are its noise. */
static bool beyond_wobble(const EpochMetrics *h, int s, double rise)
{
    double w = loss_wobble(h, s);
    return !(w >= 0) || rise >= DIAG_RISE_NOISE * w;
}

static const char *nonfinite_word(double v)
{
    return isnan(v) ? "NaN" : "infinite";
}

void chance_level(const size_t *counts, int k, ChanceLevel *out)
{
    size_t n = 0, top = 0;
    for (int i = 0; i < k; i++) {
        n += counts[i];
        if (counts[i] > top) top = counts[i];
    }
    double h = 0;
    for (int i = 0; i < k && n > 0; i++)
        if (counts[i] > 0) {
            double p = (double)counts[i] / (double)n;
            h -= p * log(p);
        }
    *out = (ChanceLevel){.n = n, .accuracy = n ? (double)top / (double)n : 0, .loss = h};
}

/* Whether accuracy acc and loss are no better than c's guessing: the
 * accuracy within DIAG_CHANCE_SE binomial standard errors of the chance
 * rate (what guessing scores on c.n rows varies by that much), the loss not
 * clearly below the chance loss. */
static bool at_chance(const ChanceLevel *c, double acc, double loss)
{
    if (c->n == 0 || !isfinite(acc) || !isfinite(loss)) return false;
    double se = sqrt(c->accuracy * (1 - c->accuracy) / (double)c->n);
    return acc <= c->accuracy + DIAG_CHANCE_SE * se && loss >= c->loss * (1 - DIAG_CHANCE_LOSS);
}

/* When the last epoch's figures are at chance - the validation ones when
 * the run has them, else the training ones - says so into buf:
 * "validation at chance level (accuracy 0.56, loss 0.716; guessing 0.50,
 * 0.693)". */
static bool chance_text(const DiagnosisInput *in, const EpochMetrics *e, char *buf, size_t cap)
{
    if (!in->classification) return false;
    bool val = e->has_val && in->val_chance.n > 0;
    const ChanceLevel *c = val ? &in->val_chance : &in->chance;
    double acc = val ? e->val_accuracy : e->accuracy, loss = val ? e->val_loss : e->loss;
    if (!at_chance(c, acc, loss)) return false;
    snprintf(buf, cap, "%s at chance level (accuracy %.2f, loss %.3g; guessing %.2f, %.3g)",
             val ? "validation" : "training", acc, loss, c->accuracy, c->loss);
    return true;
}

/* Whether the training loss is still falling at the end of h's n epochs:
 * by DIAG_STILL_FALL of itself or more per epoch over the last
 * DIAG_FALL_EPOCHS (fewer early on) and over the newest half of them too
 * (a fall that levels off is not one: the spiral at its defaults, 0.682
 * -> 0.653 in 10 epochs, 0.14 % an epoch over the last 5), and by
 * DIAG_RISE_NOISE times its wobble over the last DIAG_NOISE_EPOCHS or more
 * - a run that is learning, however slowly (xor at RMSprop's lr 0.001,
 * epoch 12: 0.6 % an epoch, steadily, training accuracy 0.73 and 0.90 by
 * epoch 40). */
static bool still_falling(const EpochMetrics *h, int n)
{
    int back = n - 1 < DIAG_FALL_EPOCHS ? n - 1 : DIAG_FALL_EPOCHS;
    int half = (back + 1) / 2;
    if (back < 1) return false;
    double first = h[n - 1 - back].loss, mid = h[n - 1 - half].loss, last = h[n - 1].loss;
    double w = wobble(h, n - DIAG_NOISE_EPOCHS, n, false);
    return first > 0 && mid > 0 && (first - last) / first / back >= DIAG_STILL_FALL &&
           (mid - last) / mid / half >= DIAG_STILL_FALL &&
           (!(w >= 0) || first - last >= DIAG_RISE_NOISE * w);
}

static bool score_converged(const DiagnosisInput *in, const EpochMetrics *e)
{
    return in->classification ? e->accuracy >= DIAG_CONVERGED : e->r2 >= DIAG_CONVERGED;
}

/* Whether epoch e underfits: its training accuracy below DIAG_UNDERFIT_ACC
 * (r2 below DIAG_UNDERFIT_R2) and its validation one, when it has one,
 * within DIAG_UNDERFIT_GAP of it - the model fits neither part well, and
 * both alike. */
static bool underfits(const DiagnosisInput *in, const EpochMetrics *e)
{
    double tr = in->classification ? e->accuracy : e->r2;
    double va = in->classification ? e->val_accuracy : e->val_r2;
    double limit = in->classification ? DIAG_UNDERFIT_ACC : DIAG_UNDERFIT_R2;
    return tr < limit && (!e->has_val || fabs(va - tr) <= DIAG_UNDERFIT_GAP);
}

/* Whether epoch e's validation score is above its training one by more
 * than DIAG_UNDERFIT_GAP: the model does no better on the rows it trains
 * on than on the others (iris at lr 5: 0.74 against 0.80), which is no
 * overfitting, whatever the losses do. */
static bool val_ahead(const DiagnosisInput *in, const EpochMetrics *e)
{
    if (!e->has_val) return false;
    double tr = in->classification ? e->accuracy : e->r2;
    double va = in->classification ? e->val_accuracy : e->val_r2;
    return va - tr > DIAG_UNDERFIT_GAP;
}

/* Whether epoch e has learned something, for a rise of the validation
 * loss to mean overfitting: it does not underfit, and (the chance level
 * known) its training loss is DIAG_FIT_LOSS or more below the loss of
 * guessing from the class shares, or its validation loss DIAG_CHANCE_LOSS
 * or more above it (answers worse than guessing: what it learned from the
 * training rows misleads it on the others). */
static bool learned_something(const DiagnosisInput *in, const EpochMetrics *e)
{
    if (underfits(in, e)) return false;
    if (!in->classification || in->chance.n == 0) return true;
    double c = in->chance.loss, vc = in->val_chance.n > 0 ? in->val_chance.loss : c;
    return e->loss <= c * (1 - DIAG_FIT_LOSS) ||
           (e->has_val && e->val_loss >= vc * (1 + DIAG_CHANCE_LOSS));
}

DiagnosisKind diagnose(const DiagnosisInput *in, char *msg, size_t cap)
{
    const EpochMetrics *h = in->history;
    int n = in->n_epochs > 0 && h ? in->n_epochs : 0;
    const float *st = in->step_loss;
    int ns = in->n_steps > 0 && st ? in->n_steps : 0;
    /* the oldest step point rule 2 judges (it reads DIAG_SPIKE_AFTER
     * points after each): rule 1 reads as far, so that rule 2 never meets
     * a point that is not finite ("jumped \u00d7inf") */
    int s0 =
        ns > DIAG_SPIKE_WINDOW + DIAG_SPIKE_AFTER ? ns - DIAG_SPIKE_WINDOW - DIAG_SPIKE_AFTER : 0;
    char lr[64];
    lr_text(in, lr, sizeof lr);
    if (cap > 0) msg[0] = '\0';
    /* a rate that is inf in float32 is too high whatever the inputs */
    double rate = lr_in_force(in);
    const char *cause = optimizer_lr_float(rate) == LR_FLOAT_INF
                            ? "learning rate too high"
                            : "learning rate too high or inputs unscaled";

    /* 1: a loss that is no longer a number.  An infinite step point is a
     * finite loss past float's range (a batch whose loss is not finite
     * diverges the run and is not published): it grew past FLT_MAX. */
    for (int i = ns - 1; i >= s0; i--) {
        if (isinf(st[i]))
            return say(msg, cap, DIAG_NOT_FINITE, "the training loss grew past %.2g%s: %s",
                       (double)FLT_MAX, lr, cause);
        if (isnan(st[i]))
            return say(msg, cap, DIAG_NOT_FINITE, "the training loss became NaN%s: %s", lr, cause);
    }
    if (n > 0 && !isfinite(h[n - 1].loss))
        return say(msg, cap, DIAG_NOT_FINITE, "the training loss became %s in epoch %d%s: %s",
                   nonfinite_word(h[n - 1].loss), h[n - 1].epoch, lr, cause);
    if (n > 0 && h[n - 1].has_val && !isfinite(h[n - 1].val_loss))
        return say(msg, cap, DIAG_NOT_FINITE,
                   "the validation loss became %s in epoch %d%s: learning rate too high",
                   nonfinite_word(h[n - 1].val_loss), h[n - 1].epoch, lr);

    /* 1b: a rate past float32's normal range for the next batch (one
     * changed since the last batch too), whatever the losses say: inf
     * diverges at the next step, 0 or a subnormal moves no weight. */
    if (in->lr_next > 0) rate = in->lr_next;
    LrFloat lf = optimizer_lr_float(rate);
    if (lf == LR_FLOAT_INF)
        return say(msg, cap, DIAG_NOT_FINITE, "learning rate %.3g is %s: %s: lower it", rate,
                   optimizer_lr_float_note(rate), optimizer_lr_float_effect(rate));
    if (lf != LR_FLOAT_NORMAL)
        return say(msg, cap, DIAG_PLATEAU, "learning rate %.3g is %s: %s: raise it", rate,
                   optimizer_lr_float_note(rate), optimizer_lr_float_effect(rate));

    /* 2: one step's loss far above the steps just before it, and the
     * steps after it still well above where they were: a hard batch jumps
     * as far, but the next batches fall back to the loss before it. */
    double best_ratio = 0, from = 0, to = 0, stayed = 0, after_level = 0;
    for (int i = s0 > 1 ? s0 : 1; i + DIAG_SPIKE_AFTER < ns; i++) {
        int b = i > DIAG_SPIKE_HISTORY ? i - DIAG_SPIKE_HISTORY : 0;
        double med = median(st + b, i - b);
        if (!(med > 0) || st[i] < DIAG_SPIKE_FLOOR) continue;
        double r = st[i] / med;
        if (!(r >= DIAG_SPIKE_RATIO && r > best_ratio)) continue;
        int bb = i > DIAG_SPIKE_BEFORE ? i - DIAG_SPIKE_BEFORE : 0;
        /* Stayed up at a loss that counts, as the jump must reach one: a
         * model at 0.007 whose batches after a hard one sit at 0.02 is
         * mini-batch noise (iris at Adam's lr 0.01, batch 8, epoch 27:
         * ×44 to 0.31, the next 16 steps ×3, and it ended at its
         * best). */
        double after = median(st + i + 1, DIAG_SPIKE_AFTER), before = median(st + bb, i - bb);
        if (!(after >= DIAG_SPIKE_FLOOR)) continue;
        /* Most steps before it at exactly 0: up from 0 is no ratio. */
        double level = before > 0 ? after / before : INFINITY;
        if (level >= DIAG_SPIKE_LEVEL) {
            best_ratio = r;
            from = med;
            to = st[i];
            stayed = level;
            after_level = after;
        }
    }
    if (best_ratio > 0 && isinf(stayed))
        return say(msg, cap, DIAG_LOSS_SPIKE,
                   "loss jumped \u00d7%.3g in one step (%.3g \u2192 %.3g) and stayed up (the "
                   "next %d steps at %.3g, from 0): learning rate too high%s",
                   best_ratio, from, to, DIAG_SPIKE_AFTER, after_level, lr);
    if (best_ratio > 0)
        /* %.3g keeps a jump of 1e30 as short as one of 100, in the panel's width. */
        return say(msg, cap, DIAG_LOSS_SPIKE,
                   best_ratio < 1e4 ? "loss jumped \u00d7%.0f in one step (%.3g \u2192 %.3g) and "
                                      "stayed up (the next %d steps \u00d7%.0f): learning rate "
                                      "too high%s"
                                    : "loss jumped \u00d7%.3g in one step (%.3g \u2192 %.3g) and "
                                      "stayed up (the next %d steps \u00d7%.3g): learning rate "
                                      "too high%s",
                   best_ratio, from, to, DIAG_SPIKE_AFTER, stayed, lr);

    /* 3: training loss rising epoch after epoch. */
    if (n > DIAG_RISE_EPOCHS) {
        int run = 0;
        while (run < n - 1 && h[n - 1 - run].loss > h[n - 2 - run].loss) run++;
        double first = h[n - 1 - run].loss, last = h[n - 1].loss;
        if (run >= DIAG_RISE_EPOCHS && last >= first * (1 + DIAG_RISE_MIN) &&
            last - first >= DIAG_RISE_FLOOR && beyond_wobble(h, n - 1 - run, last - first))
            return say(msg, cap, DIAG_LOSS_RISING,
                       "training loss has risen for %d epochs (%.3g \u2192 %.3g): learning rate "
                       "too high%s",
                       run, first, last, lr);
    }

    /* 3b: a loss above guessing's though most answers are right. */
    if (n > 0 && in->classification && in->chance.n > 0) {
        const EpochMetrics *e = &h[n - 1];
        double c = in->chance.loss, vc = in->val_chance.n > 0 ? in->val_chance.loss : c;
        double a = in->chance.accuracy, va = in->val_chance.n > 0 ? in->val_chance.accuracy : a;
        bool train =
            e->loss >= DIAG_CONFIDENT_LOSS * c && e->accuracy > a + DIAG_RIGHT_SHARE * (1 - a);
        bool val = e->has_val && e->val_loss >= DIAG_CONFIDENT_LOSS * vc &&
                   e->val_accuracy > va + DIAG_RIGHT_SHARE * (1 - va);
        if (train || val)
            return say(msg, cap, DIAG_OVERCONFIDENT,
                       "%s loss %.3g, over twice guessing's %.3g, though %.0f %% of its answers "
                       "are right: a few are wrong with great confidence: learning rate too high%s",
                       train ? "training" : "validation", train ? e->loss : e->val_loss,
                       train ? c : vc, 100.0 * (train ? e->accuracy : e->val_accuracy), lr);
    }

    /* 4: validation loss rising from its best while training loss falls -
     * in a model that has learned something: one that has not (spiral on 4
     * hidden units: training loss 0.65 and validation loss 0.69 to 0.72,
     * guessing 0.693) has nothing to overfit with, and its validation loss
     * a few percent above its best (0.688 -> 0.703) is the noise of a small
     * validation part. */
    int best = -1;
    for (int i = 0; i < n; i++)
        if (h[i].has_val && isfinite(h[i].val_loss) &&
            (best < 0 || h[i].val_loss < h[best].val_loss))
            best = i;
    if (best >= 0 && h[n - 1].has_val) {
        int since = n - 1 - best;
        double vb = h[best].val_loss, vl = h[n - 1].val_loss;
        double tb = h[best].loss, tl = h[n - 1].loss;
        /* A small validation part wobbles: its best is a low one of them.
         * A best of 0 is no rise from 0 (wine at Adam's lr 1: 0 -> 0). */
        double w = wobble(h, n - DIAG_NOISE_EPOCHS, n, true);
        if (since >= DIAG_OVERFIT_EPOCHS && vl > vb && vl >= vb * (1 + DIAG_OVERFIT_MIN) &&
            tl < tb && !(vl - vb < DIAG_OVERFIT_NOISE * w) && learned_something(in, &h[n - 1]) &&
            !val_ahead(in, &h[n - 1]))
            return say(msg, cap, DIAG_OVERFITTING,
                       "validation loss has risen for %d epochs (%.3g \u2192 %.3g) while training "
                       "loss falls (%.3g \u2192 %.3g): overfitting",
                       since, vb, vl, tb, tl);
    }

    /* 5: ReLU units that never fire. */
    if (in->dead_share >= DIAG_DEAD_SHARE)
        return say(msg, cap, DIAG_DEAD_UNITS,
                   "%.0f %% of ReLU units never fire: try a lower learning rate or leaky_relu",
                   100.0 * in->dead_share);

    /* 6: early stopping gave up without one improvement after epoch 1. */
    if (in->early_stopped && in->best_epoch == 1 && n >= 2) {
        char what[128] = "";
        if (chance_text(in, &h[n - 1], what + 2, sizeof what - 2)) memcpy(what, "; ", 2);
        double first = h[0].loss, last = h[n - 1].loss;
        double fall = (first - last) / first; /* since epoch 1, as a fraction */
        /* Still falling: the model was learning when the wait ran out, so
         * waiting longer is the fix; slowly, so a larger step is one too -
         * unless a larger step has already diverged the run.  The advice
         * comes before the chance figures: a narrow screen cuts the end. */
        if (fall >= DIAG_EARLY_FALL)
            return say(msg, cap, DIAG_STOPPED_EARLY,
                       "stopped too early: best epoch 1, the training loss still falling (%.3g "
                       "\u2192 %.3g): raise --patience (%d)%s%s",
                       first, last, in->patience,
                       fall / (n - 1) < DIAG_SLOW_FALL && !in->diverged ? " or the learning rate"
                                                                        : "",
                       what);
        if (fall <= -DIAG_EARLY_FALL)
            return say(msg, cap, DIAG_STOPPED_EARLY,
                       "stopped too early: best epoch 1, the training loss rising (%.3g \u2192 "
                       "%.3g): try a lower learning rate%s%s",
                       first, last, lr, what);
        /* Flat after a divergence: the rate that diverged was too high,
         * this one moves nothing. */
        if (in->diverged)
            return say(msg, cap, DIAG_STOPPED_EARLY,
                       "stopped too early: best epoch 1, the training loss flat at %.3g%s since "
                       "the run diverged: try a rate between the two%s",
                       last, lr, what);
        return say(msg, cap, DIAG_STOPPED_EARLY,
                   "stopped too early: best epoch 1, the training loss flat at %.3g: try a higher "
                   "learning rate%s%s",
                   last, lr, what);
    }

    /* 7: no better than guessing from the class shares. */
    char chance[128];
    if (n >= DIAG_CHANCE_EPOCHS && chance_text(in, &h[n - 1], chance, sizeof chance)) {
        const EpochMetrics *e = &h[n - 1];
        /* Validation answers worse than guessing while the training loss
         * is well below it: the model learns, from its training rows only - it
         * memorizes them (a generated set's noise raised to 0.2 on a
         * trained spiral: training accuracy 0.70, validation loss 1.26),
         * and a higher rate or a larger network would make that worse. */
        if (e->has_val && in->val_chance.n > 0 && in->chance.n > 0 &&
            e->val_loss >= in->val_chance.loss * (1 + DIAG_CHANCE_LOSS) &&
            e->loss <= in->chance.loss * (1 - DIAG_FIT_LOSS))
            return say(msg, cap, DIAG_OVERFITTING,
                       "overfitting: training accuracy %.2f, but %s, its loss worse than "
                       "guessing: the model learns its training rows only",
                       e->accuracy, chance);
        /* A loss over twice guessing's at guessing's accuracy: the steps
         * throw the model about (spiral at SGD's lr 3: validation loss 5.5,
         * training loss 4 to 6, guessing 0.693), and a higher rate, or
         * more epochs, is the wrong advice. */
        if (e->has_val && in->val_chance.n > 0 &&
            e->val_loss >= DIAG_CONFIDENT_LOSS * in->val_chance.loss)
            return say(msg, cap, DIAG_AT_CHANCE,
                       "not learning: %s, its loss over twice guessing's: learning rate too "
                       "high%s",
                       chance, lr);
        if (in->chance.n > 0 && e->loss >= DIAG_CONFIDENT_LOSS * in->chance.loss)
            return say(msg, cap, DIAG_AT_CHANCE,
                       "not learning: %s, the training loss %.3g over twice guessing's: learning "
                       "rate too high%s",
                       chance, e->loss, lr);
        int back = n - 1 < 5 ? n - 1 : 5;
        double first = h[n - 1 - back].loss, last = h[n - 1].loss;
        /* Falling steadily: it is learning, only slowly. */
        if ((first - last) / first / back >= DIAG_SLOW_FALL)
            return say(msg, cap, DIAG_AT_CHANCE,
                       "not learning yet: %s, the training loss still falling (%.3g \u2192 "
                       "%.3g): give it more epochs",
                       chance, first, last);
        /* Falling by less, but clearly (as rule 9 tells): learning, very
         * slowly (wine at Adam's lr 0.0001: 0.9 % an epoch, validation at
         * guessing's accuracy in epoch 5, 0.56 by epoch 60), which
         * "not learning" misstated. */
        if (still_falling(h, n))
            return say(msg, cap, DIAG_AT_CHANCE,
                       "not learning yet: %s, the training loss falling slowly (%.3g \u2192 "
                       "%.3g): give it more epochs%s",
                       chance, first, last, in->diverged ? "" : " or a higher learning rate");
        /* After a divergence a higher rate is no advice (as in 6). */
        if (in->diverged)
            return say(msg, cap, DIAG_AT_CHANCE,
                       "not learning: %s: try a rate between the one that diverged and this, "
                       "or a larger network",
                       chance);
        return say(msg, cap, DIAG_AT_CHANCE,
                   "not learning: %s: try a higher learning rate or a larger network", chance);
    }

    /* 8: training loss flat while the model is far from fitting - for
     * DIAG_PLATEAU_EPOCHS, or from the first epoch on for
     * DIAG_CHANCE_EPOCHS (a rate too small to move it at all). */
    if (n >= DIAG_CHANCE_EPOCHS && !score_converged(in, &h[n - 1])) {
        int w = 0;
        double lo = INFINITY, hi = -INFINITY, sum = 0;
        for (int k = 1; k <= n; k++) {
            double v = h[n - k].loss;
            lo = fmin(lo, v);
            hi = fmax(hi, v);
            sum += v;
            if (!(hi - lo <= DIAG_PLATEAU_REL * sum / k)) break;
            w = k;
        }
        if ((w >= DIAG_PLATEAU_EPOCHS || w == n) && in->diverged)
            return say(msg, cap, DIAG_PLATEAU,
                       "training loss flat for %d epochs at %.3g%s since the run diverged: try a "
                       "rate between the two",
                       w, h[n - 1].loss, lr);
        if (w >= DIAG_PLATEAU_EPOCHS || w == n)
            return say(msg, cap, DIAG_PLATEAU,
                       "training loss flat for %d epochs at %.3g%s: try a higher learning rate", w,
                       h[n - 1].loss, lr);
    }

    /* 9: training score low, and validation no different. */
    if (n >= DIAG_UNDERFIT_EPOCHS) {
        const EpochMetrics *e = &h[n - 1];
        double tr = in->classification ? e->accuracy : e->r2;
        double va = in->classification ? e->val_accuracy : e->val_r2;
        const char *what = in->classification ? "accuracy" : "r\u00b2";
        if (underfits(in, e) && !still_falling(h, n)) {
            if (e->has_val)
                return say(msg, cap, DIAG_UNDERFITTING,
                           "training %s %.3g and validation %.3g after %d epochs: underfitting, "
                           "try a larger network or more epochs",
                           what, tr, va, e->epoch);
            return say(msg, cap, DIAG_UNDERFITTING,
                       "training %s %.3g after %d epochs: underfitting, try a larger network or "
                       "more epochs",
                       what, tr, e->epoch);
        }
    }

    /* 10: nothing to report - unless the training loss went up over the
     * last epochs (by less than rule 3 needs, or not on every epoch) by
     * more than its wobble, which is no sign of health; and a single
     * epoch or batch shows no trend. */
    if (n >= 2) {
        int back = n - 1 < 5 ? n - 1 : 5;
        char span[32]; /* "the last 5 epochs", "the last epoch" */
        if (back == 1)
            snprintf(span, sizeof span, "the last epoch");
        else
            snprintf(span, sizeof span, "the last %d epochs", back);
        const EpochMetrics *a = &h[n - 1 - back], *e = &h[n - 1];
        char val[64] = "";
        if (e->has_val && a->has_val)
            snprintf(val, sizeof val, ", validation %.3g \u2192 %.3g", a->val_loss, e->val_loss);
        else if (e->has_val)
            snprintf(val, sizeof val, ", validation %.3g", e->val_loss);
        bool up = e->loss > a->loss;
        bool noise = up && !beyond_wobble(h, n - 1 - back, e->loss - a->loss);
        if (up && !noise && e->loss >= a->loss * (1 + DIAG_DRIFT_MIN) &&
            e->loss - a->loss >= DIAG_RISE_FLOOR)
            return say(msg, cap, DIAG_LOSS_RISING,
                       "training loss rose over %s (%.3g \u2192 %.3g)%s: learning "
                       "rate may be too high%s",
                       span, a->loss, e->loss, val, lr);
        /* Up, but by no more than mini-batches make it wobble: neither a
         * warning nor "healthy".  Not up, but with scores as low as rule
         * 9's while the loss still falls: learning, not there yet. */
        const char *word = noise                                           ? "no trend"
                           : n >= DIAG_UNDERFIT_EPOCHS && underfits(in, e) ? "still improving"
                                                                           : "healthy";
        const char *why = noise ? ", within its epoch-to-epoch noise" : "";
        if (e->has_val)
            return say(msg, cap, DIAG_HEALTHY,
                       "%s: training loss %.3g \u2192 %.3g over %s%s, "
                       "validation %.3g",
                       word, a->loss, e->loss, span, why, e->val_loss);
        return say(msg, cap, DIAG_HEALTHY, "%s: training loss %.3g \u2192 %.3g over %s%s", word,
                   a->loss, e->loss, span, why);
    }
    if (n == 1)
        return say(msg, cap, DIAG_HEALTHY,
                   "too early to tell: training loss %.3g after the first epoch", h[0].loss);
    if (ns > 0)
        return say(msg, cap, DIAG_HEALTHY,
                   "too early to tell: training loss %.3g at the latest step, no epoch finished",
                   st[ns - 1]);
    return say(msg, cap, DIAG_HEALTHY, "too early to tell: no epoch finished yet");
}
