const cart = require('./lib/cart');
console.log(cart.total([50, 40, 30], 10), cart.empty([1]));
