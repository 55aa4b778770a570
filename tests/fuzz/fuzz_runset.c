/*
 * fuzz_runset.c - libFuzzer target: a gradtop run directory's metrics.csv, journal.txt,
 * config.txt and event file as `gradtop view` reads them (runset_open, then runset_refresh as
 * they grow). The harness is fuzz_common.h; make fuzz builds and runs this.
 */
#define FUZZ_ENTRY fuzz_runset
#include "fuzz_target.h"
