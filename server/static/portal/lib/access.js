// What the signed-in person may do, from the API's own policy (Query.accessRules, the table the
// API enforces) and the person's roles (Viewer.memberships). The portal hides what is not allowed;
// the API refuses it anyway, so a hidden button is never the only protection.

let rules = new Map();
let memberships = [];

export function setAccess(accessRules, viewerMemberships) {
  rules = new Map(accessRules.map((r) => [r.name, new Set(r.roles)]));
  memberships = viewerMemberships || [];
}

// May the person do `name` (`Mutation.orderPlace`, `Account.invoices`)? Optionally for one account,
// at one location, or only with the role account-wide (things of the account as a whole).
export function can(name, { accountId = null, locationId = null, accountWide = false } = {}) {
  const roles = rules.get(name);
  if (!roles) return false;
  return memberships.some((m) => (!accountId || m.account.id === accountId) && m.roles.some((g) =>
    roles.has(g.role) && (g.accountWide || (!accountWide && (!locationId || (g.location && g.location.id === locationId))))));
}

// Accounts on which the person may do `name` account-wide.
export function accountsFor(name) {
  return memberships.filter((m) => can(name, { accountId: m.account.id, accountWide: true })).map((m) => m.account);
}

export const viewerMemberships = () => memberships;
