/*
 * fuzz_model.c - libFuzzer target: a model.gtm file (modelfile_load), as it is and with its
 * checksum fixed. The harness is fuzz_common.h; make fuzz builds and runs this.
 */
#define FUZZ_ENTRY fuzz_model
#include "fuzz_target.h"
