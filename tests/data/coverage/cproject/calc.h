/* A tiny C project for vigil's real-tool coverage test (tests/integration/coverage_tools_test.cc):
   built with --coverage into two test programs, run, and reported by lcov and gcovr. */
#ifndef CALC_H
#define CALC_H
int add(int a, int b);
int divide(int a, int b, int* ok);
const char* classify(int n);
int clamp(int v, int lo, int hi);
int never_called(int x);
#endif
