"""Batch functions of accounts: accounts, locations and their addresses, users, memberships and roles."""
from db.loaders import children, in_scope, one_by
from db.models import Account, Address, Location, MembershipRole, User
from db.repositories.accounts import LocationRepository, MembershipRepository

account_by_id = one_by(Account)
location_by_id = one_by(Location)
user_by_id = one_by(User)
address_by_id = one_by(Address)
addresses_by_location = children(Address, "location_id", Address.is_default.desc())
roles_by_membership = children(MembershipRole, "membership_id")
# Scoped: an account's locations and members as the caller may see them.
locations_by_account = in_scope(lambda s, scope, keys: LocationRepository(s, scope).by_account(keys))
memberships_by_account = in_scope(lambda s, scope, keys: MembershipRepository(s, scope).by_account(keys))
