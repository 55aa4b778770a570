/*
 * sweepeta.h - the sweep screen's budget and ETA, pure: how many epochs
 * the sweep will still take (exactly, at most, or, under asha, as its
 * rungs make it likely) and the pace it trains them at, that of the
 * recent epochs with paused time left out.  No clock is read here: the
 * screen passes the time in, and the tests a fake one.  The UI thread's
 * (one SweepPace per screen).
 */
#ifndef GRADTOP_TUI_SWEEPETA_H
#define GRADTOP_TUI_SWEEPETA_H

#include <stdbool.h>

#include "gradtop/sweep/exec.h"

/* What the sweep is made to do, as the ETA needs it. */
typedef struct {
    SweepSchedulerKind scheduler;
    int n_trials, max_epochs;
    long budget;           /* --budget, 0: none */
    bool early_stop;       /* --patience above 0: a trial may end before its length */
    const SweepAsha *asha; /* its rungs and eta, under asha (else NULL) */
    int median_startup;    /* median: the trials before this one are never judged */
} SweepEtaPlan;

/* The epochs of a sweep, done and to come. */
typedef struct {
    long done;   /* epochs done */
    long most;   /* the most it can come to: sweepeta_ceiling */
    long expect; /* what it is expected to come to: most unless likely (asha) */
    bool exact;  /* most is what it will come to: nothing ends a trial sooner */
    bool likely; /* expect is an estimate below most (asha's rungs) */
} SweepEtaEpochs;

/*
 * The most epochs the sweep can come to: n trials of max_epochs each, but
 * the ended ones (ended of them, which trained ended_epochs together) at
 * the epochs they ended with, and no more than budget when that is above
 * 0.
 */
long sweepeta_ceiling(long n, int max_epochs, long budget, long ended, long ended_epochs);

/*
 * The epochs of plan's sweep, its n_started trials as tv has them.  Under
 * asha, expect counts what its rungs will likely still take: every trial
 * not started trains to the first rung, every open trial to the rung it
 * trains to (its target), and of the trials that reach rung k, 1/eta go
 * on to rung k+1 (a fraction: the expected count, each trial's chance
 * 1/eta), or as many as are promoted there already when that is more
 * (asha promotes a trial while it ranks in the top 1/eta of those at its
 * rung then, and later trials may outrank it), but no more than may still
 * reach rung k or wait there open.  Each promotion still to come costs
 * the epochs between the two rungs.  No more than the budget, nor than
 * most.  Early stopping and a person's stops and promotions are not
 * foreseen: the expectation follows them as they happen.
 *
 * Under median, once SWEEPETA_MEDIAN_SEEN of the trials it judges
 * (median_startup on) have ended, expect goes by the epochs they ended at:
 * each such trial not started takes their mean; an open one at epoch e,
 * the mean of those that went past e (the rule let them go on there),
 * or --max-epochs when none did; a trial it never judges, --max-epochs.
 */
#define SWEEPETA_MEDIAN_SEEN 3
void sweepeta_epochs(const SweepEtaPlan *plan, const SweepTrialView *tv, int n_started,
                     SweepEtaEpochs *out);

/* The epochs the pace follows: it is that of the last SWEEPETA_RECENT
 * epochs (or more when they were done together), over the time they
 * took, not paused. */
#define SWEEPETA_RECENT 12
#define SWEEPETA_SAMPLES 64

/*
 * The pace the sweep trains at.  The screen tells it, each frame and at
 * each pause or resume, the time and the epochs done; the time that
 * passes while it is paused is not counted.  The pace is of the recent
 * epochs, not of all since the start: a sweep whose trials grow slower
 * (asha's later rungs, a larger network) or that stood paused would
 * otherwise keep an old pace for a long time.
 */
typedef struct {
    double clock; /* the time of the last note */
    double ran;   /* seconds run, not paused, up to it */
    bool paused;  /* since it */
    long done;    /* epochs done at it */
    int recent;   /* the epochs the pace follows */
    double run0;  /* the start: ran and done then */
    long done0;
    /* a ring of (ran, done) at each note where done grew */
    int n, head;
    double s_ran[SWEEPETA_SAMPLES];
    long s_done[SWEEPETA_SAMPLES];
} SweepPace;

/* Whether the sweep stands still by a person's hand, for sweep_pace_note:
 * no trial of tv[0..n) trains (open, running, neither paused nor parked
 * at a rung or barrier), and every trial is paused (paused_all) or one
 * is.  A trial let go alone while the others stay paused (p) trains, and
 * its time counts; so does the moment between two rounds of asha, when
 * none trains but none is held. */
bool sweepeta_held(const SweepTrialView *tv, int n, bool paused_all);

/* Starts at time now with done epochs done (a resumed sweep's, which took
 * none of this time), paused or not; the pace follows the last recent
 * epochs (1 to SWEEPETA_SAMPLES). */
void sweep_pace_start(SweepPace *p, double now, long done, bool paused, int recent);
/* At time now (not before the last note's), done epochs are done, and
 * from now on the sweep is paused or not. */
void sweep_pace_note(SweepPace *p, double now, long done, bool paused);
/* Epochs per second run, of the recent epochs; negative while no epoch
 * has been done since the start. */
double sweep_pace_rate(const SweepPace *p);
/* The seconds left epochs take at p's pace; negative when it is unknown. */
double sweep_pace_eta(const SweepPace *p, long left);

#endif
