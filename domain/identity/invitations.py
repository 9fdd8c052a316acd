"""Invitations: an account ADMIN invites a person by email with roles (and locations); the
invitee accepts with the emailed token, setting a password or later signing in by link."""
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from db.enums import Role
from db.models import Account, Invitation
from db.repositories import invitations as repo
from db.repositories.users import add_user, user_by_email, user_by_id
from domain import audit, mail
from domain.auth import hash_password, token_hash
from domain.errors import reject
from domain.identity.emails import normalize_email
from domain.identity.env import AuthEnv
from domain.identity.errors import InvitationErrorCode as E, SignInErrorCode
from domain.identity.passwords import password_problem
from domain.identity.signin import MAX_PASSWORD_INPUT, SignedIn, start_session
from domain.identity.signup import MAX_NAME_INPUT, check_name
from domain.identity.tokens import PREFIX, new_secret

INVITATION_TTL = timedelta(days=7)
MAX_GRANTS = 50


async def invite(session: AsyncSession, env: AuthEnv, account: Account, email: str,
                 grants: list[tuple[Role, int | None]]) -> Invitation:
    """Invite `email` to the account with these roles, from the person acting (env.actor)."""
    email = normalize_email(email, E)
    if not grants or len(grants) > MAX_GRANTS:
        raise reject(E.INVALID_ROLES, f"Give between 1 and {MAX_GRANTS} roles", "input", "roles")
    known = await repo.location_ids_of(session, account.id)  # type: ignore[arg-type]
    if any(loc is not None and loc not in known for _, loc in grants):
        raise reject(E.INVALID_LOCATION, "A location is not one of this account's", "input", "roles")
    existing = await user_by_email(session, email)
    if existing is not None and await repo.membership_of(session, existing.id, account.id) is not None:  # type: ignore[arg-type]
        raise reject(E.ALREADY_MEMBER, "This person is a member of the account already", "input", "email")
    inviter = await user_by_id(session, env.actor.user_id) if env.actor.user_id else None
    await repo.revoke_pending(session, account.id, email, env.now)  # type: ignore[arg-type]
    token, digest = new_secret("INVITATION")
    unique = sorted({(r.value, loc) for r, loc in grants}, key=lambda g: (g[0], g[1] or 0))
    invitation = Invitation(account_id=account.id, email=email, invited_by_user_id=inviter.id if inviter else None,  # type: ignore[arg-type]
                            roles=[{"role": r, "location_id": loc} for r, loc in unique], token_hash=digest,
                            created_at=env.now, expires_at=env.now + INVITATION_TTL)
    session.add(invitation)
    await session.flush()
    locale = (existing.locale if existing else None) or account.locale or "en"
    mail.enqueue(session, to=email, template="invitation", now=env.now, locale=locale,
                 inviter=inviter.name if inviter else account.name, account=account.name,
                 link=env.link("accept-invitation", token))
    audit.record(session, env.actor, "invitation.create", env.now, account_id=account.id, target_type="Invitation",
                 target_id=invitation.id, roles=invitation.roles)
    return invitation


def check_accept_input(token: str, name: str | None, password: str | None) -> None:
    """Refuse inputs too long to be real before the attempt is counted."""
    if len(token) > 200 or (name and len(name) > MAX_NAME_INPUT) or (password and len(password) > MAX_PASSWORD_INPUT):
        raise reject(SignInErrorCode.INVALID_INPUT, "An input is too long", "input", attempted=False)


async def accept(session: AsyncSession, env: AuthEnv, token: str, name: str | None,
                 password: str | None) -> SignedIn:
    S = SignInErrorCode
    field = ("input", "token")
    invitation = None
    if token.startswith(PREFIX["INVITATION"]) and len(token) <= 100:
        invitation = await repo.invitation_by_hash(session, token_hash(token))
    if invitation is None or invitation.revoked_at is not None:
        raise reject(S.INVALID_TOKEN, "This invitation is not valid", *field)
    if invitation.accepted_at is not None:
        raise reject(S.USED_TOKEN, "This invitation was accepted already: sign in", *field)
    if env.now >= invitation.expires_at:
        raise reject(S.EXPIRED_TOKEN, "This invitation has expired: ask for a new one", *field)
    user = await user_by_email(session, invitation.email)
    if user is None:
        if name is None:
            raise reject(S.INVALID_NAME, "Enter your name", "input", "name")
        name = check_name(name, S)
        password_hash = None  # without a password the new member signs in by link or code
        if password is not None:
            problem = password_problem(password, invitation.email, name)
            if problem:
                raise reject(S.WEAK_PASSWORD, problem, "input", "password")
            password_hash = hash_password(password)
        user = await add_user(session, email=invitation.email, name=name, password_hash=password_hash,
                              locale=None, now=env.now)
    elif await repo.membership_of(session, user.id, invitation.account_id) is not None:  # type: ignore[arg-type]
        raise reject(S.ALREADY_MEMBER, "You are a member of this account already: sign in", *field)
    grants = [(Role(g["role"]), g["location_id"]) for g in invitation.roles]
    membership = await repo.add_membership(session, user.id, invitation.account_id, grants, env.now)  # type: ignore[arg-type]
    invitation.accepted_at = env.now
    invitation.accepted_user_id = user.id
    session.add(invitation)
    actor = env.as_user(user.id)
    audit.record(session, actor, "invitation.accept", env.now, account_id=invitation.account_id,
                 target_type="Invitation", target_id=invitation.id)
    audit.record(session, actor, "membership.roles_granted", env.now, account_id=invitation.account_id,
                 target_type="Membership", target_id=membership.id, roles=invitation.roles,
                 invitation_id=invitation.id)
    # An existing member with two-factor still has to pass it.
    return await start_session(session, env, user, "invitation")


async def revoke(session: AsyncSession, env: AuthEnv, invitation: Invitation) -> Invitation:
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise reject(E.NOT_PENDING, "This invitation is not pending", "input", "id")
    invitation.revoked_at = env.now
    session.add(invitation)
    audit.record(session, env.actor, "invitation.revoke", env.now, account_id=invitation.account_id,
                 target_type="Invitation", target_id=invitation.id)
    return invitation
