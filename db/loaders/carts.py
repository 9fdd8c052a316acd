"""Batch functions of carts: carts and their lines."""
from db.loaders import children, one_by
from db.models import Cart, CartLine

cart_by_id = one_by(Cart)
lines_by_cart = children(CartLine, "cart_id", CartLine.position)
