#include "cart.h"

int cart_total(const int* prices, int n, int discount) {
  int total = 0;
  for (int i = 0; i < n; ++i) {
    total += prices[i];
  }
  if (discount > 0 && total > 100) {
    total -= discount;
  } else {
    total += 0;
  }
  return total;
}

int cart_empty(int n) {
  if (n == 0) {
    return 1;
  }
  return 0;
}
