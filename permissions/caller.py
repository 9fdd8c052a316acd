"""The caller of a request, and what the policy table lets it do."""
from dataclasses import dataclass, field
from enum import StrEnum

from db.enums import Role, StaffRole
from db.scope import EVERYTHING, NOTHING, AccountScope, RowScope
from permissions.policy import IMPLIED_SCOPES, Rule

# Per account, each role the caller holds and where: None for account-wide, else location ids.
Grants = dict[int, dict[Role, frozenset[int] | None]]


class CallerKind(StrEnum):
    ANONYMOUS = "ANONYMOUS"
    CUSTOMER = "CUSTOMER"
    STAFF = "STAFF"
    INTEGRATION = "INTEGRATION"


@dataclass
class Caller:
    kind: CallerKind = CallerKind.ANONYMOUS
    user_id: int | None = None
    session_id: int | None = None
    staff_role: StaffRole | None = None
    grants: Grants = field(default_factory=dict)
    # Integration clients: the scopes granted to the client.
    oauth_scopes: frozenset[str] = frozenset()
    # A session made by the merchant's backend (API key) acts for this one account only.
    session_account_id: int | None = None
    _scopes: dict[Rule, RowScope] = field(default_factory=dict, repr=False)
    # allows() answers, per request: a page asks the same few questions for every row.
    _answers: dict[tuple[int, int | None, int | None, int | None], tuple[Rule, bool]] = field(
        default_factory=dict, repr=False)

    @property
    def is_authenticated(self) -> bool:
        return self.kind is not CallerKind.ANONYMOUS

    @property
    def is_staff(self) -> bool:
        return self.kind is CallerKind.STAFF

    def _scope_ok(self, rule: Rule) -> bool:
        if self.kind is CallerKind.INTEGRATION:
            return rule.oauth_scope is not None and (rule.oauth_scope in self.oauth_scopes
                                                     or rule.oauth_scope in IMPLIED_SCOPES)
        return True

    def allows(self, rule: Rule, account_id: int | None = None, location_id: int | None = None,
               owner_user_id: int | None = None) -> bool:
        """May the caller do `rule` on a thing of this account (and location, and owner)?

        account_id None: a thing of no account (a catalog variant): any grant will do."""
        if rule.public:
            return True
        if self.kind is CallerKind.STAFF:
            return self.staff_role in rule.staff
        if not self.is_authenticated or not self._scope_ok(rule):
            return False
        if account_id is None:
            return any(role in rule.roles for roles in self.grants.values() for role in roles)
        held = self.grants.get(account_id)
        if held is None:
            return False
        if rule.owner and owner_user_id is not None and owner_user_id == self.user_id:
            return True
        for role, locations in held.items():
            if role not in rule.roles:
                continue
            if locations is None or (location_id is not None and location_id in locations):
                return True
        return False

    def allows_on(self, rule: Rule, obj: object) -> bool:
        account, location, owner = _scope_attributes(type(obj))
        # The rule by identity (hashing a dataclass is slow), kept with the answer so that the id
        # of a rule gone since cannot be taken for another's.
        key = (id(rule), getattr(obj, account) if account else None, getattr(obj, location) if location else None,
               getattr(obj, owner) if owner else None)
        found = self._answers.get(key)
        if found is None or found[0] is not rule:
            found = self._answers[key] = (rule, self.allows(rule, key[1], key[2], key[3]))
        return found[1]

    def scope(self, rule: Rule) -> RowScope:
        """The rows `rule` lets the caller see, for a repository's WHERE clause."""
        cached = self._scopes.get(rule)
        if cached is not None:
            return cached
        if self.kind is CallerKind.STAFF:
            result = EVERYTHING if self.staff_role in rule.staff else NOTHING
        elif not self.is_authenticated or not self._scope_ok(rule):
            result = NOTHING
        else:
            accounts = []
            for account_id, held in sorted(self.grants.items()):
                locations: set[int] = set()
                wide = False
                for role, where in held.items():
                    if role not in rule.roles:
                        continue
                    if where is None:
                        wide = True
                    else:
                        locations |= where
                owner = self.user_id if rule.owner else None
                if wide:
                    accounts.append(AccountScope(account_id, None))
                elif locations or owner is not None:
                    accounts.append(AccountScope(account_id, frozenset(locations), owner))
            result = RowScope(accounts=tuple(accounts))
        self._scopes[rule] = result
        return result

    def roles_in(self, account_id: int) -> dict[Role, frozenset[int] | None]:
        return self.grants.get(account_id, {})


ANONYMOUS = Caller()

_SCOPE_ATTRIBUTES: dict[type, tuple[str | None, str | None, str | None]] = {}


def _scope_attributes(cls: type) -> tuple[str | None, str | None, str | None]:
    """Which of account_id, location_id and the owner's user id objects of `cls` carry.

    Worked out once per class: probing a missing attribute on a SQLModel row goes through
    pydantic's slow path and an exception, and permission checks run for every row."""
    found = _SCOPE_ATTRIBUTES.get(cls)
    if found is None:
        names = {name for klass in cls.__mro__ for name in vars(klass)}
        owner = "owner_user_id" if "owner_user_id" in names else ("user_id" if "user_id" in names else None)
        found = ("account_id" if "account_id" in names else None,
                 "location_id" if "location_id" in names else None, owner)
        _SCOPE_ATTRIBUTES[cls] = found
    return found
