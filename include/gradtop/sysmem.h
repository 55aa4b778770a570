/*
 * sysmem.h - what this machine has: how much memory, so that a network or a
 * dataset too large for it is refused before allocating, with the size it
 * would need; and how many cores, for --threads 0 and its cap.  Any thread
 * may call it.
 */
#ifndef GRADTOP_SYSMEM_H
#define GRADTOP_SYSMEM_H

/* Physical memory in bytes (0 when unknown: then nothing is refused). */
double sysmem_total(void);
/* Online cores, at least 1. */
int sysmem_cores(void);

#endif
