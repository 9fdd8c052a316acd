// The portal's only way to the server: the public GraphQL API, by persisted queries. Each
// operation is sent by its hash (from /portal/config.json, which the server computes from the
// operation files it registered at startup), never as text.

const TOKEN_KEY = "portalql.token";
const NEXT_KEY = "portalql.next";
let config = null;
let onExpired = () => {};

export class ApiError extends Error {
  constructor(message, code, errors) {
    super(message);
    this.code = code;
    this.errors = errors || [];
  }
}

export async function loadConfig() {
  const response = await fetch("/portal/config.json", { headers: { accept: "application/json" } });
  config = await response.json();
  return config;
}

export const getConfig = () => config;
export const token = () => sessionStorage.getItem(TOKEN_KEY);
export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}
export function whenExpired(callback) { onExpired = callback; }
// Where to return once signed in again.
export function rememberPlace(hash) { sessionStorage.setItem(NEXT_KEY, hash); }
export function takePlace() {
  const next = sessionStorage.getItem(NEXT_KEY);
  sessionStorage.removeItem(NEXT_KEY);
  return next;
}

function authHeaders() {
  const t = token();
  return t ? { authorization: `Bearer ${t}` } : {};
}

// Runs a named operation; returns {data, errors}. A session that ended (401 or UNAUTHENTICATED)
// calls the expiry handler and throws.
export async function call(operationName, variables = {}) {
  const sha256Hash = config.operations[operationName];
  if (!sha256Hash) throw new ApiError(`unknown operation ${operationName}`, "PORTAL");
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...authHeaders() },
    body: JSON.stringify({ operationName, variables, extensions: { persistedQuery: { version: 1, sha256Hash } } }),
  });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`HTTP ${response.status}`, "HTTP");
  }
  const errors = body.errors || [];
  const codes = errors.map((e) => e.extensions && e.extensions.code);
  if (response.status === 401 || (codes.includes("UNAUTHENTICATED") && token())) {
    setToken(null);
    onExpired();
    throw new ApiError(errors[0] ? errors[0].message : "Signed out", "UNAUTHENTICATED", errors);
  }
  if (!body.data) throw new ApiError(errors[0] ? errors[0].message : `HTTP ${response.status}`, codes[0], errors);
  return { data: body.data, errors };
}

// The first coded error of a field path, for pages that show "not allowed" from the API's own answer.
export function errorAt(errors, ...path) {
  const hit = errors.find((e) => e.path && path.every((p, i) => e.path[i] === p));
  return hit ? hit.extensions && hit.extensions.code : null;
}

// A document the API serves only with the bearer token (PDF, CSV): fetched, then saved.
export async function download(path, filename) {
  const response = await fetch(path, { headers: authHeaders() });
  if (response.status === 401) {
    setToken(null);
    onExpired();
    throw new ApiError("Signed out", "UNAUTHENTICATED");
  }
  if (!response.ok) throw new ApiError(`HTTP ${response.status}`, "HTTP");
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return blob;
}

// A mutation with files (return photos): a GraphQL multipart request carrying the operation's
// registered text (a multipart request has no hash-only form), with the bearer token.
// `files`: a list for a [Upload!] variable, or one File for a single Upload! (a purchase-order file).
export async function upload(operationName, variables, fileVariable, files) {
  const file = config.files[operationName];
  const query = await (await fetch(`/portal/operations/${file}`)).text();
  const single = !Array.isArray(files);
  if (single) files = [files];
  const form = new FormData();
  form.append("operations", JSON.stringify({ query, operationName,
    variables: { ...variables, [fileVariable]: single ? null : files.map(() => null) } }));
  form.append("map", JSON.stringify(Object.fromEntries(files.map((_, i) =>
    [String(i), [single ? `variables.${fileVariable}` : `variables.${fileVariable}.${i}`]]))));
  files.forEach((f, i) => form.append(String(i), f, f.name));
  const response = await fetch("/graphql", { method: "POST", headers: { accept: "application/json", ...authHeaders() }, body: form });
  if (response.status === 401) {
    setToken(null);
    onExpired();
    throw new ApiError("Signed out", "UNAUTHENTICATED");
  }
  const body = await response.json();
  if (!body.data) throw new ApiError(body.errors ? body.errors[0].message : `HTTP ${response.status}`, "HTTP", body.errors);
  return { data: body.data, errors: body.errors || [] };
}
