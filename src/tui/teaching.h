/*
 * views.h - the teaching views of the dashboard: the decision boundary,
 * the gradient estimate, the network, and the confusion matrix (or the
 * predicted-against-actual scatter of a regression).  Each draws one
 * published LiveData (see live.h) into a rectangle of stdscr; none computes
 * anything costly.  UI thread only.
 */
#ifndef GRADTOP_TUI_VIEWS_H
#define GRADTOP_TUI_VIEWS_H

#include <stdbool.h>

#include "gradtop/data/dataset.h"
#include "gradtop/run/trainer.h"
#include "gradtop/insight/live.h"

typedef struct {
    const LiveData *ld;
    const Dataset *all; /* class and feature names */
    const TrainerSnapshot *snap;
    unsigned gradcheck_asked; /* gradchecks the user asked for */
    /* the boundary view's own switches (keys v and d) */
    bool hide_val;           /* the validation points left out, the training ones alone */
    bool discrete;           /* hard class regions (a regression: above or below the
                                scale's middle) instead of shades of confidence */
    int net_layer, net_unit; /* the network view's cursor: a column of sizes[], a unit */
    /* The weights are not the last step's own but those at the end of
     * this epoch (0: the initial ones): restored at the end (--restore-best)
     * or after a divergence (the last finite ones).  What the views
     * measured at the last step is of them.  -1 when the weights are the
     * last step's own. */
    int kept_epoch;
} ViewCtx;

/* The boundary cells a rectangle of height x width text cells shows (half
 * blocks give two per row when the terminal has UTF-8 and colour). */
void teach_boundary_grid(const Dataset *ds, int height, int width, int *grid_w, int *grid_h);

void teach_boundary(const ViewCtx *c, int top, int left, int height, int width);
void teach_gradient(const ViewCtx *c, int top, int left, int height, int width);
void teach_network(const ViewCtx *c, int top, int left, int height, int width);
void teach_confusion(const ViewCtx *c, int top, int left, int height, int width);

/* A sparkline of the newest values of v (n) in width cells; log scales
 * positive values logarithmically.  Non-finite values leave a blank. */
void teach_sparkline(int y, int x, int width, const double *v, int n, bool log);

#endif
