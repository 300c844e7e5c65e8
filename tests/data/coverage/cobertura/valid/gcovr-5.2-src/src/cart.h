int cart_total(const int* prices, int n, int discount);
int cart_empty(int n);
