/*
 * fuzz_target.h - the two entry points libFuzzer calls, shared by every
 * target: BLAS on one thread, then each input to the harness function the
 * including file names as FUZZ_ENTRY (fuzz_common.h).  A failed check
 * aborts, which libFuzzer reports with the input that caused it.
 */
#ifndef GRADTOP_FUZZ_TARGET_H
#define GRADTOP_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef FUZZ_ENTRY
#error "define FUZZ_ENTRY (a fuzz_common.h function) before including fuzz_target.h"
#endif

#define FUZZ_FAIL(...) (fprintf(stderr, __VA_ARGS__), abort())
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    gemm_set_threads(1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FUZZ_ENTRY(data, size);
    return 0;
}

#endif
