/*
 * cmd_gradcheck.c - `gradtop gradcheck`: backprop against finite differences.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "output.h"
#include "gradtop/nn/gradcheck.h"
#include "gradtop/nn/model.h"
#include "gradtop/run/prepared.h"

/* One row of the table: a tensor's counts, errors and verdict. */
static void print_tensor(const char *layer, const char *shape, const char *param, int checked,
                         int kinked, double norm, double max_err, double mean_err)
{
    GradcheckVerdict v = gradcheck_verdict(checked, max_err);
    printf("  %-5s  %-17s  %-5s  %7d  %8d", layer, shape, param, checked, kinked);
    if (v == GRADCHECK_UNCHECKED)
        printf("   %9s  %11s  %12s  %s\n", "-", "-", "-", kinked ? "all left out" : "empty");
    else
        printf("   %9.3e  %11.2e  %12.2e  %s\n", norm, max_err, mean_err,
               v == GRADCHECK_AGREE ? "ok" : "MISMATCH");
}

int cmd_gradcheck(const Options *o, const CliArgs *a)
{
    (void)a;
    if (!o->dataset[0]) {
        fprintf(stderr, "gradtop gradcheck: no dataset given\n");
        cli_hint(stderr, "gradcheck");
        return EXIT_USAGE;
    }
    PreparedData s;
    Error err = {0};
    if (prepared_open(&s, o, cli_exe_dir(), &err)) {
        fprintf(stderr, "gradtop: %s\n", err.msg);
        return err.code == ERROR_RUNTIME ? EXIT_RUNTIME : EXIT_USAGE;
    }
    ModelShape shape;
    GradcheckReport rep;
    int B;
    if (gradcheck_session(&s, o, &shape, &B, &rep, &err)) {
        fprintf(stderr, "gradtop: %s\n", err.msg);
        prepared_close(&s);
        return err.code == ERROR_RUNTIME ? EXIT_RUNTIME : EXIT_USAGE;
    }
    printf("gradcheck %s: ", s.train.name);
    for (int l = 0; l <= shape.n_layers; l++) printf("%s%d", l ? "-" : "", shape.sizes[l]);
    printf(" %s, %s + %s, %d rows, initial weights of seed %llu\n", activation_name(shape.hidden),
           output_name(shape.output), loss_names[shape.loss], B, (unsigned long long)o->seed);
    printf("central differences (step %g) on a double-precision forward pass, against "
           "float32 backprop\n\n",
           GRADCHECK_STEP);
    printf("  layer  shape              param  checked  left out   |grad|     max rel err  "
           "mean rel err\n");
    for (int l = 0; l < shape.n_layers; l++) {
        const GradcheckLayer *r = &rep.layer[l];
        char sh[40], num[12];
        snprintf(sh, sizeof sh, "%d -> %d %s", shape.sizes[l], shape.sizes[l + 1],
                 l < shape.n_layers - 1 ? activation_name(shape.hidden)
                                        : output_name(shape.output));
        snprintf(num, sizeof num, "%d", l + 1);
        print_tensor(num, sh, "W", r->n_checked_w, r->n_kink_w, r->norm_w, r->max_err_w,
                     r->mean_err_w);
        print_tensor("", "", "b", r->n_checked_b, r->n_kink_b, r->norm_b, r->max_err_b,
                     r->mean_err_b);
    }
    printf("\n");
    if (rep.n_kink) {
        char why[256];
        gradcheck_kink_text(rep.kinks, shape.hidden, why, sizeof why);
        printf("%d entr%s left out of the verdict: %s\n(there a central difference averages "
               "the two slopes and backprop takes one)\n",
               rep.n_kink, rep.n_kink == 1 ? "y" : "ies", why);
    }
    for (int l = 0; l < shape.n_layers; l++) {
        const GradcheckLayer *r = &rep.layer[l];
        if (!r->n_checked_w && r->n_kink_w)
            printf("layer %d W: every sampled entry was left out; it is not checked\n", l + 1);
        if (!r->n_checked_b && r->n_kink_b)
            printf("layer %d b: every sampled entry was left out; it is not checked\n", l + 1);
    }
    int n_tensors = 2 * shape.n_layers;
    if (rep.n_mismatch)
        printf("%d tensor%s disagree: largest relative error %.2e > tolerance %.0e\n",
               rep.n_mismatch, rep.n_mismatch == 1 ? "" : "s", rep.worst, GRADCHECK_TOLERANCE);
    else if (rep.n_unchecked)
        printf("backprop agrees with finite differences on the %d of %d tensors checked: largest "
               "relative error %.2e <= tolerance %.0e\n",
               n_tensors - rep.n_unchecked, n_tensors, rep.worst, GRADCHECK_TOLERANCE);
    else
        printf("backprop agrees with finite differences: largest relative error %.2e <= "
               "tolerance %.0e\n",
               rep.worst, GRADCHECK_TOLERANCE);
    prepared_close(&s);
    /* A report that could not be written is an I/O error, agreeing or not. */
    int out = output_finish_stdout();
    return out ? out : rep.n_mismatch ? EXIT_RUNTIME : EXIT_OK;
}
