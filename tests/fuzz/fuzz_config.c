/*
 * fuzz_config.c - libFuzzer target: a --config file (options_load_file), and its config.txt round
 * trip. The harness is fuzz_common.h; make fuzz builds and runs this.
 */
#define FUZZ_ENTRY fuzz_config
#include "fuzz_target.h"
