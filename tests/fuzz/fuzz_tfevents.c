/*
 * fuzz_tfevents.c - libFuzzer target: a TensorBoard event file (the tfevents reader), from memory
 * and from a growing file. The harness is fuzz_common.h; make fuzz builds and runs this.
 */
#define FUZZ_ENTRY fuzz_tfevents
#include "fuzz_target.h"
