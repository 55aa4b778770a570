/*
 * sweepeta.c - the sweep screen's budget and ETA.  See sweepeta.h.
 */
#include "sweepeta.h"

#include <math.h>
#include <string.h>

long sweepeta_ceiling(long n, int max_epochs, long budget, long ended, long ended_epochs)
{
    long most = ended_epochs + (n - ended) * (long)max_epochs;
    return budget > 0 && budget < most ? budget : most;
}

/* Under asha: the epochs the sweep will likely still take (sweepeta.h). */
static long asha_left(const SweepEtaPlan *plan, const SweepTrialView *tv, int n_started)
{
    const SweepAsha *a = plan->asha;
    const int *r = a->rung_epochs;
    /* the trials not started train to the first rung; the open ones to
     * their target */
    double left = (double)(plan->n_trials - n_started) * r[0];
    for (int i = 0; i < n_started; i++)
        if (tv[i].status < TRIAL_DONE && tv[i].target > tv[i].epochs)
            left += tv[i].target - tv[i].epochs;
    /* the promotions still to come, rung by rung.  will: the trials
     * likely to reach rung k-1 in all; there: those that have, or train
     * to it; open: of those, the ones not ended whose target it is (the
     * ones that may still go on from it) */
    double will = plan->n_trials;
    for (int k = 1; k < a->n_rungs; k++) {
        long there_below = 0, open = 0, there = 0;
        for (int i = 0; i < n_started; i++) {
            int reach = tv[i].target > tv[i].epochs ? tv[i].target : tv[i].epochs;
            there_below += reach >= r[k - 1];
            open += tv[i].status < TRIAL_DONE && reach == r[k - 1];
            there += reach >= r[k];
        }
        /* 1/eta of rung k-1 go on, or more when more have; no more than
         * may still come to rung k-1 or wait there */
        double more = will / a->p.eta - (double)there;
        double may = will - (double)there_below + (double)open;
        if (more > may) more = may;
        if (more < 0) more = 0;
        left += more * (double)(r[k] - r[k - 1]);
        will = (double)there + more;
    }
    return lround(left);
}

/* Under median: the epochs the sweep will likely still take, from what
 * the trials it judged ended at, or -1 before SWEEPETA_MEDIAN_SEEN have
 * (sweepeta.h). */
static long median_left(const SweepEtaPlan *plan, const SweepTrialView *tv, int n_started)
{
    int seen = 0;
    double sum = 0;
    for (int i = plan->median_startup; i < n_started; i++)
        if (tv[i].status >= TRIAL_DONE && tv[i].status != TRIAL_STOPPED &&
            tv[i].status != TRIAL_FAILED) {
            seen++;
            sum += tv[i].epochs;
        }
    if (seen < SWEEPETA_MEDIAN_SEEN) return -1;
    double left = 0;
    for (int i = 0; i < plan->n_trials; i++) {
        bool judged = i >= plan->median_startup;
        if (i >= n_started) {
            left += judged ? sum / seen : plan->max_epochs;
            continue;
        }
        if (tv[i].status >= TRIAL_DONE) continue;
        int e = tv[i].epochs;
        double to = plan->max_epochs;
        if (judged) {
            /* the mean length of those that went past e */
            int n = 0;
            double past = 0;
            for (int k = plan->median_startup; k < n_started; k++)
                if (tv[k].status >= TRIAL_DONE && tv[k].status != TRIAL_STOPPED &&
                    tv[k].status != TRIAL_FAILED && tv[k].epochs > e) {
                    n++;
                    past += tv[k].epochs;
                }
            if (n > 0) to = past / n;
        }
        left += to - e;
    }
    return lround(left);
}

void sweepeta_epochs(const SweepEtaPlan *plan, const SweepTrialView *tv, int n_started,
                     SweepEtaEpochs *out)
{
    memset(out, 0, sizeof *out);
    long ended = 0, ended_epochs = 0;
    for (int i = 0; i < n_started; i++) {
        out->done += tv[i].epochs;
        /* an ended trial takes no more than it has */
        if (tv[i].status >= TRIAL_DONE) {
            ended++;
            ended_epochs += tv[i].epochs;
        }
    }
    out->most =
        sweepeta_ceiling(plan->n_trials, plan->max_epochs, plan->budget, ended, ended_epochs);
    out->expect = out->most;
    out->exact = plan->scheduler == SWEEP_SCHED_NONE && !plan->early_stop;
    long left = -1;
    if (plan->scheduler == SWEEP_SCHED_ASHA && plan->asha && plan->asha->n_rungs > 0)
        left = asha_left(plan, tv, n_started);
    else if (plan->scheduler == SWEEP_SCHED_MEDIAN)
        left = median_left(plan, tv, n_started);
    if (left >= 0) {
        long e = out->done + left;
        if (plan->budget > 0 && e > plan->budget) e = plan->budget;
        if (e < out->most) {
            out->expect = e < out->done ? out->done : e;
            out->likely = true;
        }
    }
}

bool sweepeta_held(const SweepTrialView *tv, int n, bool paused_all)
{
    bool held = paused_all;
    for (int i = 0; i < n; i++) {
        const SweepTrialView *v = &tv[i];
        if (v->open && v->user_paused) held = true;
        if (v->open && v->status == TRIAL_RUNNING && !v->user_paused && !v->parked) return false;
    }
    return held;
}

void sweep_pace_start(SweepPace *p, double now, long done, bool paused, int recent)
{
    memset(p, 0, sizeof *p);
    p->clock = now;
    p->paused = paused;
    p->done = p->done0 = done;
    /* the newest samples span at least SWEEPETA_SAMPLES - 1 epochs */
    p->recent = recent < 1 ? 1 : recent > SWEEPETA_SAMPLES - 1 ? SWEEPETA_SAMPLES - 1 : recent;
}

void sweep_pace_note(SweepPace *p, double now, long done, bool paused)
{
    if (now > p->clock) {
        if (!p->paused) p->ran += now - p->clock;
        p->clock = now;
    }
    if (done < p->done) {
        /* a trial started over (--resume): the pace starts again here */
        p->run0 = p->ran;
        p->done0 = done;
        p->n = 0;
    } else if (done > p->done) {
        p->head = (p->head + 1) % SWEEPETA_SAMPLES;
        p->s_ran[p->head] = p->ran;
        p->s_done[p->head] = done;
        if (p->n < SWEEPETA_SAMPLES) p->n++;
    }
    p->done = done;
    p->paused = paused;
}

double sweep_pace_rate(const SweepPace *p)
{
    /* from the newest note at least `recent` epochs back, else the start */
    double ran0 = p->run0;
    long done0 = p->done0;
    for (int k = 0; k < p->n; k++) {
        int j = (p->head - k + SWEEPETA_SAMPLES) % SWEEPETA_SAMPLES;
        if (p->s_done[j] <= p->done - p->recent) {
            ran0 = p->s_ran[j];
            done0 = p->s_done[j];
            break;
        }
    }
    double t = p->ran - ran0;
    long d = p->done - done0;
    return d > 0 && t > 0 ? (double)d / t : -1;
}

double sweep_pace_eta(const SweepPace *p, long left)
{
    double rate = sweep_pace_rate(p);
    if (rate <= 0) return -1;
    return left > 0 ? (double)left / rate : 0;
}
