#include "calc.h"

int add(int a, int b) {
  return a + b;
}

int divide(int a, int b, int *ok) {
  if (b == 0) {
    *ok = 0;
    return 0;
  }
  *ok = 1;
  return a / b;
}

const char *classify(int n) {
  if (n < 0)
    return "negative";
  else if (n == 0)
    return "zero";
  else if (n < 10)
    return "small";
  // Large numbers are rare in the tests.
  return "large";
}
