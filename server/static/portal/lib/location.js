// The location the person orders for (remembered in this browser), and its open cart.
import { call } from "./api.js";
import { can } from "./access.js";
import { field } from "./dom.js";
import { t } from "./i18n.js";

const KEY = "portalql.location";

export async function locations() {
  const { data } = await call("CatalogLocations");
  return data.viewer ? data.viewer.locations : [];
}

export function chosen(all, purpose = null) {
  const usable = purpose ? all.filter((l) => can(purpose, { accountId: l.account.id, locationId: l.id })) : all;
  const saved = localStorage.getItem(KEY);
  return usable.find((l) => l.id === saved) || usable[0] || all[0] || null;
}

export function picker(all, current, onChange) {
  const control = field(t("catalog.location"), { tag: "select", name: "location", value: current && current.id,
    options: all.map((l) => [l.id, `${l.name} (${l.account.name})`]),
    onchange: (e) => { localStorage.setItem(KEY, e.target.value); onChange(all.find((l) => l.id === e.target.value)); } });
  return control;
}

export async function openCart(locationId) {
  const { data } = await call("OpenCart", { locationId });
  const carts = data.node ? data.node.carts.nodes : [];
  return carts.find((c) => c.status === "OPEN") || null;
}

// Adds lines to the location's open cart, making one when there is none.
export async function addToCart(locationId, lines) {
  const cart = await openCart(locationId);
  if (cart) {
    const { data } = await call("CartLinesAdd", { cartId: cart.id, lines });
    return data.cartLinesAdd;
  }
  const { data } = await call("CartCreate", { locationId, lines });
  return data.cartCreate;
}
