function total(prices, discount) {
  let t = 0;
  for (const p of prices) {
    t += p;
  }
  if (discount && t > 100) {
    t -= discount;
  }
  return t;
}

function empty(items) {
  return items.length === 0 ? true : false;
}

function unused() {
  return 42;
}

module.exports = { total, empty, unused };
