"""Batch functions of the catalog: products and their variants."""
from db.loaders import children, one_by
from db.models import Product, ProductVariant

product_by_id = one_by(Product)
variant_by_id = one_by(ProductVariant)
variants_by_product = children(ProductVariant, "product_id", ProductVariant.position)
# What a customer sees of a product.
active_variants_by_product = children(ProductVariant, "product_id", ProductVariant.position,
                                      where=ProductVariant.is_active == True)  # noqa: E712
