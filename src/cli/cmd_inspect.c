/*
 * cmd_inspect.c - `gradtop inspect DATASET`: what the loader sees.  Names
 * from the data (label, classes, features) are shown escaped: a class
 * "a<newline>b" must not break the table, nor a control sequence reach the
 * terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gradtop/run/prepared.h"
#include "output.h"

/* The widest class and feature names shown, in bytes. */
#define CLASS_WIDTH 24
#define FEATURE_WIDTH 32

int cmd_inspect(const Options *o, const CliArgs *a)
{
    if (!o->dataset[0]) {
        fprintf(stderr, "gradtop inspect: no dataset given\n");
        cli_hint(stderr, "inspect");
        return EXIT_USAGE;
    }
    DatasetOptions dopt = prepared_dataset_options(o, cli_exe_dir());
    Dataset ds;
    Error err = {0};
    if (dataset_load(&ds, o->dataset, &dopt, &err)) {
        fprintf(stderr, "gradtop: %s\n", err.msg);
        dataset_free(&ds);
        return err.code == ERROR_RUNTIME ? EXIT_RUNTIME : EXIT_USAGE;
    }
    (void)a;
    printf("dataset   %s (%s)\n", ds.name, ds.source);
    if (ds.delimiter) {
        char delim[32];
        dataset_delimiter_name(ds.delimiter, delim, sizeof delim);
        printf("delimiter %s (%s)\n", delim,
               ds.delimiter_detected ? "detected; --delimiter sets another" : "--delimiter");
    }
    printf("rows      %zu\n", ds.n);
    printf("features  %d\n", ds.d);
    char label[3 * sizeof ds.label_name];
    error_escape(label, sizeof label, ds.label_name, strlen(ds.label_name));
    /* a CSV file's column, as the setup screen's preview gives it: an IDX
     * file's labels are a file of their own, and a generated set has no
     * column for --label to choose */
    if (ds.label_column >= 0 && !dataset_is_generated_name(o->dataset))
        printf("label     %s (column %d; --label %d)\n", label, ds.label_column + 1,
               ds.label_column);
    else
        printf("label     %s\n", label);
    if (ds.task == TASK_CLASSIFICATION) {
        printf("task      classification, %d class%s\n", ds.n_classes,
               ds.n_classes == 1 ? "" : "es");
        size_t *counts = calloc((size_t)ds.n_classes, sizeof *counts);
        if (counts) {
            dataset_class_counts(&ds, counts);
            size_t most = 1;
            for (int c = 0; c < ds.n_classes; c++)
                if (counts[c] > most) most = counts[c];
            char name[CLASS_WIDTH + 1];
            int w = 5;
            for (int c = 0; c < ds.n_classes; c++) {
                error_escape(name, sizeof name, ds.class_names[c], strlen(ds.class_names[c]));
                int l = output_columns(name);
                if (l > w) w = l;
            }
            printf("classes\n");
            for (int c = 0; c < ds.n_classes; c++) {
                int bar = (int)(30.0 * (double)counts[c] / (double)most + 0.5);
                error_escape(name, sizeof name, ds.class_names[c], strlen(ds.class_names[c]));
                printf("  ");
                output_pad(name, w);
                printf(" %7zu  %5.1f%%  ", counts[c], 100.0 * (double)counts[c] / (double)ds.n);
                for (int k = 0; k < bar; k++) putchar('#');
                putchar('\n');
            }
            free(counts);
        }
    } else {
        printf("task      regression\n");
        double mn = 0, mx = 0, sum = 0;
        for (size_t i = 0; i < ds.n; i++) {
            double v = ds.targets[i];
            if (i == 0 || v < mn) mn = v;
            if (i == 0 || v > mx) mx = v;
            sum += v;
        }
        printf("target    min %.6g  mean %.6g  max %.6g\n", mn, ds.n ? sum / (double)ds.n : 0, mx);
    }
    printf("missing   %zu value%s", ds.missing, ds.missing == 1 ? "" : "s");
    if (ds.dropped_rows)
        printf(", %zu row%s dropped", ds.dropped_rows, ds.dropped_rows == 1 ? "" : "s");
    putchar('\n');
    FeatureStats *st = calloc((size_t)ds.d, sizeof *st);
    if (!st) {
        fprintf(stderr, "gradtop: out of memory\n");
        dataset_free(&ds);
        return EXIT_RUNTIME;
    }
    dataset_stats(&ds, st);
    char name[FEATURE_WIDTH + 1];
    int w = 7;
    for (int j = 0; j < ds.d; j++) {
        error_escape(name, sizeof name, ds.feature_names[j], strlen(ds.feature_names[j]));
        int l = output_columns(name);
        if (l > w) w = l;
    }
    printf("\n  %-*s %12s %12s %12s %8s\n", w, "feature", "min", "mean", "max", "missing");
    for (int j = 0; j < ds.d; j++) {
        error_escape(name, sizeof name, ds.feature_names[j], strlen(ds.feature_names[j]));
        printf("  ");
        output_pad(name, w);
        printf(" %12.6g %12.6g %12.6g %8zu\n", st[j].min, st[j].mean, st[j].max, st[j].missing);
    }
    free(st);
    dataset_free(&ds);
    return output_finish_stdout();
}
