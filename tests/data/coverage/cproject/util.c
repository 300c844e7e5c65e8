#include "calc.h"

int clamp(int v, int lo, int hi) {
  if (v < lo) {
    return lo;
  }
  else
  {
    if (v > hi) {
      return hi;
    }
  }
  return v;
}

int never_called(int x) {
  int y = x * 2;
  if (y > 10) {
    return y - 10;
  }
  return y;
}
