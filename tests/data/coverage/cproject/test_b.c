#include <stdio.h>

#include "calc.h"

int main(void) {
  int ok = 1;
  divide(1, 0, &ok);
  printf("%s %d %d\n", classify(-3), clamp(-5, 0, 9), clamp(50, 0, 9));
  return ok ? 1 : 0;
}
