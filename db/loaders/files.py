"""Batch functions of digital products and license keys: a variant's files, a purchase's downloads,
a key's activations in use and its subscription."""
from sqlmodel import func, select

from db.loaders import children, keys_param, one_by, sums
from db.models import DigitalFile, DownloadEvent, LicenseActivation, Subscription
from db.reads import Read

files_by_variant = children(DigitalFile, "variant_id")
downloads_by_purchase = children(DownloadEvent, "purchase_id")
activations_by_license = sums(Read(select(LicenseActivation.license_id, func.count())
                                   .where(LicenseActivation.license_id.in_(keys_param()))
                                   .group_by(LicenseActivation.license_id)))
subscription_by_id = one_by(Subscription)
