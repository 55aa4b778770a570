/*
 * cmd_gradcheck.c - `gradtop gradcheck`: backprop against finite differences.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "output.h"
#include "gradtop/gradcheck.h"
#include "gradtop/model.h"
#include "gradtop/session.h"

/* Entries checked per weight tensor: enough to catch a wrong rule, few
 * enough that Fashion-MNIST's first layer takes seconds, not hours. */
#define CHECKS_PER_TENSOR 200
/* The step: central differences err by O(h²) ≈ 1e-8 relative, far below
 * the tolerance, and ReLU kinks are rarely straddled. */
#define STEP 1e-4

int cmd_gradcheck(const Options *o, const CliArgs *a)
{
    (void)a;
    if (!o->dataset[0]) {
        fprintf(stderr, "gradtop gradcheck: no dataset given\n");
        cli_hint(stderr, "gradcheck");
        return EXIT_USAGE;
    }
    Session s;
    Error err = {0};
    if (session_open(&s, o, cli_exe_dir(), &err)) {
        fprintf(stderr, "gradtop: %s\n", err.msg);
        return err.code == ERROR_RUNTIME ? EXIT_RUNTIME : EXIT_USAGE;
    }
    ModelShape shape;
    Model m;
    Rng rng;
    rng_seed(&rng, o->seed);
    int B = o->batch_size < (long)s.train.n ? o->batch_size : (int)s.train.n;
    if (model_shape_make(&shape, s.train.d, o->layers, o->n_layers, o->activation, o->loss,
                         s.train.task == TASK_CLASSIFICATION, s.train.n_classes, &err) ||
        model_create(&m, &shape, B, &rng, &err)) {
        fprintf(stderr, "gradtop: %s\n", err.msg);
        session_close(&s);
        return err.code == ERROR_RUNTIME ? EXIT_RUNTIME : EXIT_USAGE;
    }
    m.l1 = o->l1;
    m.l2 = o->l2;
    GradcheckLayer res[MODEL_MAX_LAYERS];
    printf("gradcheck %s: ", s.train.name);
    for (int l = 0; l <= shape.n_layers; l++) printf("%s%d", l ? "-" : "", shape.sizes[l]);
    printf(" %s, %s + %s, %d rows, initial weights of seed %llu\n", activation_name(shape.hidden),
           output_name(shape.output), loss_names[shape.loss], B, (unsigned long long)o->seed);
    printf("central differences (step %g) on a double-precision forward pass, against "
           "float32 backprop\n\n",
           STEP);
    double worst = gradcheck_run(&m, s.train.x, s.train.labels, s.train.targets, B,
                                 CHECKS_PER_TENSOR, STEP, o->seed, res);
    printf("  layer  shape              param  checked   |grad|     max rel err  mean rel err\n");
    int bad = 0;
    for (int l = 0; l < shape.n_layers; l++) {
        const GradcheckLayer *r = &res[l];
        char sh[40];
        snprintf(sh, sizeof sh, "%d -> %d %s", shape.sizes[l], shape.sizes[l + 1],
                 l < shape.n_layers - 1 ? activation_name(shape.hidden)
                                        : output_name(shape.output));
        bool okw = r->max_err_w <= GRADCHECK_TOLERANCE, okb = r->max_err_b <= GRADCHECK_TOLERANCE;
        bad += !okw + !okb;
        printf("  %-5d  %-17s  W      %7d   %9.3e  %11.2e  %12.2e  %s\n", l + 1, sh, r->n_checked_w,
               r->norm_w, r->max_err_w, r->mean_err_w, okw ? "ok" : "MISMATCH");
        printf("  %-5s  %-17s  b      %7d   %9.3e  %11.2e  %12.2e  %s\n", "", "", r->n_checked_b,
               r->norm_b, r->max_err_b, r->mean_err_b, okb ? "ok" : "MISMATCH");
    }
    printf("\n");
    if (bad)
        printf("%d tensor%s disagree: largest relative error %.2e > tolerance %.0e\n", bad,
               bad == 1 ? "" : "s", worst, GRADCHECK_TOLERANCE);
    else
        printf("backprop agrees with finite differences: largest relative error %.2e <= "
               "tolerance %.0e\n",
               worst, GRADCHECK_TOLERANCE);
    model_free(&m);
    session_close(&s);
    /* A report that could not be written is an I/O error, agreeing or not. */
    int out = output_finish_stdout();
    return out ? out : bad ? EXIT_RUNTIME : EXIT_OK;
}
