/*
 * fuzz_idx.c - libFuzzer target: IDX images and labels files, plain or gzip (dataset_load_idx).
 * The harness is fuzz_common.h; make fuzz builds and runs this.
 */
#define FUZZ_ENTRY fuzz_idx
#include "fuzz_target.h"
