from pkg import cart
print(cart.total([50, 40, 30], 10), cart.empty([1]))
