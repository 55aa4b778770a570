/*
 * fuzz_space.c - libFuzzer target: a sweep's --space spec (sweep_space_parse), checked for each
 * sampler and sampled. The harness is fuzz_common.h; make fuzz builds and runs this.
 */
#define FUZZ_ENTRY fuzz_space
#include "fuzz_target.h"
