#include <stdio.h>

#include "calc.h"

int main(void) {
  int ok = 0;
  int q = divide(8, 2, &ok);
  printf("%d %d %s %s\n", add(1, 2), q, classify(5), classify(0));
  return ok ? 0 : 1;
}
