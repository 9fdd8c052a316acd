"""A person's own profile: name, phone, preferred locale and time zone, and the values of the
merchant's custom profile fields (which staff define: key, label, type, choices, required).

A custom value is stored as text in its canonical form (a number as a plain decimal, a date as
YYYY-MM-DD, a choice as one of the field's choices) on User.profile_values, by the field's key.
Required fields are checked whenever custom values are changed: the person cannot save a set
that leaves one empty. Values of fields the merchant deletes stay stored but are no longer shown."""
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from sqlmodel.ext.asyncio.session import AsyncSession

from db.enums import ProfileFieldType
from db.models import ProfileField, User
from db.repositories import profile as repo
from domain import audit
from domain.audit import Actor
from domain.errors import Problem, Rejected, reject
from domain.identity.signup import check_name
from i18n import locales

MAX_VALUE = 500
MAX_FIELDS = 50
MAX_CHOICES = 50
_PHONE = re.compile(r"^\+?[0-9 ()./-]{4,30}$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class ProfileErrorCode(StrEnum):
    INVALID_NAME = "INVALID_NAME"
    INVALID_PHONE = "INVALID_PHONE"
    INVALID_LOCALE = "INVALID_LOCALE"
    INVALID_TIME_ZONE = "INVALID_TIME_ZONE"
    UNKNOWN_FIELD = "UNKNOWN_FIELD"
    INVALID_VALUE = "INVALID_VALUE"
    FIELD_REQUIRED = "FIELD_REQUIRED"


class ProfileFieldErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    INVALID_KEY = "INVALID_KEY"
    KEY_TAKEN = "KEY_TAKEN"
    INVALID_LABEL = "INVALID_LABEL"
    INVALID_CHOICES = "INVALID_CHOICES"
    TOO_MANY_FIELDS = "TOO_MANY_FIELDS"


E = ProfileErrorCode
FE = ProfileFieldErrorCode


@lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_time_zone(value: str) -> str:
    """An IANA time zone name (Europe/Berlin, America/New_York, UTC) that zoneinfo knows."""
    value = value.strip()
    if value not in time_zones():
        raise reject(E.INVALID_TIME_ZONE, "Give an IANA time zone such as Europe/Berlin", "input", "timeZone")
    return value


def check_locale(value: str) -> str:
    """A Babel locale identifier ('de', 'en_GB'); 'de-AT' is taken as 'de_AT'."""
    found = locales.parse(value)
    if found is None:
        raise reject(E.INVALID_LOCALE, "Give a locale such as en, de or en-GB", "input", "locale")
    return found


def check_phone(value: str) -> str | None:
    """Digits with the usual separators and an optional leading +; 6 to 15 digits (E.164)."""
    value = " ".join(value.split())
    if not value:
        return None
    digits = sum(c.isdigit() for c in value)
    if not _PHONE.match(value) or not 6 <= digits <= 15:
        raise reject(E.INVALID_PHONE, "Give a phone number such as +49 30 1234567", "input", "phone")
    return value


def custom_value(field: ProfileField, value: str | None, where: tuple[str, ...]) -> str | None:
    """The value in its canonical form (None: empty), or Rejected with INVALID_VALUE."""
    value = (value or "").strip() or None
    if value is None:
        return None
    bad = None
    if len(value) > MAX_VALUE:
        bad = f"At most {MAX_VALUE} characters"
    elif field.type is ProfileFieldType.NUMBER:
        try:
            number = Decimal(value)
            if not number.is_finite() or abs(number) >= Decimal("1e15"):
                raise InvalidOperation
            value = format(number.normalize(), "f")
        except InvalidOperation:
            bad = f"{field.label}: give a number, such as 42 or 3.5"
    elif field.type is ProfileFieldType.DATE:
        try:
            value = date.fromisoformat(value).isoformat()
        except ValueError:
            bad = f"{field.label}: give a date as YYYY-MM-DD"
    elif field.type is ProfileFieldType.CHOICE and value not in field.choices:
        bad = f"{field.label}: choose one of {', '.join(field.choices)}"
    if bad:
        raise Rejected(Problem(E.INVALID_VALUE, bad, where))
    return value


def custom_values(fields: list[ProfileField], current: dict[str, Any], given: list[tuple[str, str | None]]
                  ) -> dict[str, Any]:
    """`current` with the given (key, value) pairs set (a null or blank value clears one), checked
    against the field definitions: every problem at once."""
    if len(given) > MAX_FIELDS:
        raise reject(E.UNKNOWN_FIELD, f"At most {MAX_FIELDS} values at once", "input", "customFields")
    by_key = {f.key: f for f in fields}
    out = dict(current)
    problems: list[Problem] = []
    invalid: set[str] = set()  # fields whose value was wrong: said once, not also as missing
    for i, (key, value) in enumerate(given):
        where = ("input", "customFields", str(i), "value")
        field = by_key.get(key)
        if field is None:
            problems.append(Problem(E.UNKNOWN_FIELD, f"No profile field {key[:40]!r}", ("input", "customFields",
                                                                                          str(i), "key")))
            continue
        try:
            checked = custom_value(field, value, where)
        except Rejected as r:
            problems.extend(r.problems)
            invalid.add(key)
            continue
        if checked is None:
            out.pop(key, None)
        else:
            out[key] = checked
    for field in fields:
        if field.required and out.get(field.key) is None and field.key not in invalid:
            problems.append(Problem(E.FIELD_REQUIRED, f"{field.label} is required", ("input", "customFields")))
    if problems:
        raise Rejected(*problems)
    return out


async def update(session: AsyncSession, user: User, changes: dict[str, Any], actor: Actor, now: datetime) -> User:
    """The person's own changes (the user row read under lock): fields left out stay as they are;
    null clears the phone, locale or time zone. Nothing changes when anything is wrong."""
    problems: list[Problem] = []

    def attempt(fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except Rejected as r:
            problems.extend(r.problems)
            return None
    values: dict[str, Any] = {}
    if "name" in changes:
        values["name"] = attempt(check_name, changes["name"] or "", E)
    if "phone" in changes:
        values["phone"] = attempt(check_phone, changes["phone"]) if changes["phone"] is not None else None
    if "locale" in changes:
        values["locale"] = attempt(check_locale, changes["locale"]) if changes["locale"] else None
    if "time_zone" in changes:
        values["time_zone"] = attempt(check_time_zone, changes["time_zone"]) if changes["time_zone"] else None
    if changes.get("custom_fields") is not None:
        given = [(f["key"], f.get("value")) for f in changes["custom_fields"]]
        values["profile_values"] = attempt(custom_values, await repo.profile_fields(session), user.profile_values or {},
                                           given)
    if problems:
        raise Rejected(*problems)
    for key, value in values.items():
        setattr(user, key, value)
    session.add(user)
    audit.record(session, actor, "profile.update", now, target_type="User", target_id=user.id,
                 changed=sorted(changes))
    return user


def shown_values(fields: list[ProfileField], values: dict[str, Any] | None) -> list[tuple[ProfileField, str | None]]:
    """Each defined field with the person's value (None: not set), in the merchant's order."""
    return [(f, (values or {}).get(f.key)) for f in fields]


# The merchant's definitions -----------------------------------------------------------------------

def _definition(field: ProfileField, changes: dict[str, Any]) -> None:
    problems: list[Problem] = []
    if field.id is not None and changes.get("key") not in (None, field.key):
        # People's values are stored by key: a new key would lose them.
        problems.append(Problem(FE.INVALID_KEY, "The key of a field cannot change", ("input", "key")))
    elif "key" in changes and field.id is None:
        key = (changes["key"] or "").strip()
        if not _KEY.match(key):
            problems.append(Problem(FE.INVALID_KEY, "A key is 1 to 40 lower-case letters, digits and _, starting "
                                    "with a letter", ("input", "key")))
        field.key = key
    if "label" in changes:
        label = " ".join((changes["label"] or "").split())
        if not label or len(label) > 100:
            problems.append(Problem(FE.INVALID_LABEL, "Give a label of at most 100 characters", ("input", "label")))
        field.label = label
    if changes.get("type") is not None:
        field.type = ProfileFieldType(changes["type"])
        if field.type is not ProfileFieldType.CHOICE and changes.get("choices") is None:
            field.choices = []
    if changes.get("choices") is not None:
        field.choices = [" ".join(c.split()) for c in changes["choices"]]
    if changes.get("required") is not None:
        field.required = bool(changes["required"])
    if changes.get("position") is not None:
        field.position = int(changes["position"])
    if field.type is ProfileFieldType.CHOICE:
        if (not field.choices or len(field.choices) > MAX_CHOICES or len(set(field.choices)) != len(field.choices)
                or not all(0 < len(c) <= 100 for c in field.choices)):
            problems.append(Problem(FE.INVALID_CHOICES, f"A choice field needs 1 to {MAX_CHOICES} different choices "
                                    "of at most 100 characters", ("input", "choices")))
    elif field.choices:
        problems.append(Problem(FE.INVALID_CHOICES, "Only a CHOICE field has choices", ("input", "choices")))
    if problems:
        raise Rejected(*problems)


async def define(session: AsyncSession, field_id: int | None, changes: dict[str, Any], actor: Actor,
                 now: datetime) -> ProfileField:
    """Add (`field_id` None) or change a custom profile field. A key is unique (a concurrent add of
    the same key loses on the constraint: KEY_TAKEN); existing values are not re-checked, the
    next change of a person's values is."""
    if field_id is None:
        fields = await repo.profile_fields(session)
        if len(fields) >= MAX_FIELDS:
            raise reject(FE.TOO_MANY_FIELDS, f"At most {MAX_FIELDS} profile fields", "input")
        field = ProfileField(key="", label="", type=ProfileFieldType.TEXT, created_at=now,
                             position=max((f.position for f in fields), default=-1) + 1)
        changes = {"key": changes.get("key"), "label": changes.get("label"), **changes}
    else:
        field = await repo.locked_field(session, field_id)
        if field is None:
            raise reject(FE.NOT_FOUND, "No such profile field", "input", "id")
    _definition(field, changes)
    if await repo.field_by_key(session, field.key, but=field.id):
        raise reject(FE.KEY_TAKEN, f"A profile field with the key {field.key} exists", "input", "key")
    session.add(field)
    await session.flush()
    audit.record(session, actor, "profile_field.save", now, target_type="ProfileField", target_id=field.id,
                 key=field.key)
    return field


async def remove(session: AsyncSession, field_id: int, actor: Actor, now: datetime) -> ProfileField:
    field = await repo.locked_field(session, field_id)
    if field is None:
        raise reject(FE.NOT_FOUND, "No such profile field", "input", "id")
    await session.delete(field)
    audit.record(session, actor, "profile_field.delete", now, target_type="ProfileField", target_id=field.id,
                 key=field.key)
    return field
