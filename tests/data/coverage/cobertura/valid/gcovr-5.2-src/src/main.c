#include <stdio.h>
#include "cart.h"

int clamp(int v, int lo, int hi);

static void unused(void) {
  printf("never\n");
}

int main(int argc, char** argv) {
  (void)argv;
  int prices[3] = {50, 40, 30};
  int t = cart_total(prices, 3, 10);
  if (argc > 5) {
    unused();
  }
  printf("%d %d %d\n", t, cart_empty(3), clamp(t, 0, 100));
  return 0;
}
