def total(prices, discount=0):
    t = 0
    for p in prices:
        t += p
    if discount and t > 100:
        t -= discount
    return t


def empty(items):
    if not items:
        return True
    return False
