/* Minimal assertions for the C unit tests: print every check, fail at the end. */
#pragma once
#include <stdio.h>
static int mr_failures = 0;
#define CHECK(cond, ...)                                                                                                                                                                                                                                 \
  do {                                                                                                                                                                                                                                                   \
    int ok_ = (cond);                                                                                                                                                                                                                                    \
    printf(ok_ ? "ok   " : "FAIL ");                                                                                                                                                                                                                     \
    printf(__VA_ARGS__);                                                                                                                                                                                                                                 \
    printf("\n");                                                                                                                                                                                                                                        \
    if (!ok_) mr_failures++;                                                                                                                                                                                                                             \
  } while (0)
