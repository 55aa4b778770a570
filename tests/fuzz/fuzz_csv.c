/*
 * fuzz_csv.c - libFuzzer target: a CSV dataset (dataset_load_csv), three option sets.
 * The harness is fuzz_common.h; make fuzz builds and runs this.
 */
#define FUZZ_ENTRY fuzz_csv
#include "fuzz_target.h"
