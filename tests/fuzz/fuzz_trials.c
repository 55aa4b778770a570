/*
 * fuzz_trials.c - libFuzzer target: a sweep directory's trials.csv, read back by --resume
 * (sweep_exec_resume) under none, asha and median. The harness is fuzz_common.h; make fuzz builds
 * and runs this.
 */
#define FUZZ_ENTRY fuzz_trials
#include "fuzz_target.h"
