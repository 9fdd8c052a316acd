// Messages in English and German, and amounts, numbers and dates formatted by Intl for the
// person's locale. A page adds its own keys here (both languages; a test checks they match).

export const LOCALES = { en: "English", de: "Deutsch" };
const LOCALE_KEY = "portalql.locale";

const messages = {
  en: {
    "app.name": "Customer portal", "app.skip": "Skip to content", "app.language": "Language",
    "app.menu": "Menu", "app.signOut": "Sign out", "app.signedInAs": "Signed in as {name}",
    "app.loading": "Loading…", "app.error": "Something went wrong: {message}",
    "app.denied": "Your role does not allow this page.", "app.notFound": "This page does not exist.",
    "app.expired": "Your session has ended. Sign in again to continue where you were.",
    "nav.home": "Overview", "nav.catalog": "Catalog", "nav.cart": "Cart", "nav.orders": "Orders",
    "nav.approvals": "Approvals", "nav.invoices": "Invoices", "nav.subscriptions": "Subscriptions",
    "nav.members": "Members",
    "signIn.title": "Sign in", "signIn.email": "Email", "signIn.password": "Password",
    "signIn.submit": "Sign in", "signIn.code": "Code from your authenticator app or a recovery code",
    "signIn.verify": "Verify", "signIn.twoFactor": "Two-factor authentication",
    "signIn.magic": "Sign in without a password", "signIn.magicSend": "Email me a link and code",
    "signIn.magicSent": "If {email} has an account, a sign-in link and code are on their way.",
    "signIn.emailCode": "Code from the email", "signIn.magicUse": "Sign in with the code",
    "signIn.demo": "Demo users", "signIn.demoHint": "Every demo user's password is {password}.",
    "signIn.as": "Sign in as {email}", "signIn.failed": "Sign-in failed: {message}",
    "home.title": "Welcome, {name}", "home.memberships": "Your accounts and roles",
    "home.accountWide": "account-wide", "home.at": "at {location}", "home.spendingLimit": "Spending limit {amount}",
    "catalog.title": "Catalog", "catalog.search": "Search products", "catalog.location": "Location",
    "catalog.searchButton": "Search", "catalog.sku": "SKU", "catalog.product": "Product",
    "catalog.price": "Your price", "catalog.list": "List price", "catalog.breaks": "Price breaks",
    "catalog.rule": "Quantity", "catalog.quantity": "Quantity of {sku}", "catalog.add": "Add",
    "catalog.addLabel": "Add {sku} to the cart", "catalog.added": "{sku} added to the cart.",
    "catalog.from": "from {quantity}: {price}", "catalog.ruleText": "min {minimum}, steps of {increment}",
    "catalog.ruleMax": ", max {maximum}", "catalog.noPrices": "Prices are not shown to your role.",
    "catalog.more": "More products", "catalog.count": "{count} products",
    "cart.title": "Cart", "cart.empty": "The cart is empty.", "cart.subtotal": "Subtotal",
    "cart.remove": "Remove {sku}", "cart.quick": "Quick order", "cart.quickHint": "One SKU and quantity per line, e.g. SKU-1,10",
    "cart.quickLines": "SKUs and quantities", "cart.quickAdd": "Add to cart",
    "cart.quickResult": "Row {row} ({sku}): {message}", "cart.po": "PO number", "cart.note": "Note",
    "cart.place": "Place order", "cart.placed": "Order {number} placed ({status}).",
    "cart.priceChanged": "Prices changed since these lines were added; review them and place the order again.",
    "cart.unitPrice": "Unit price", "cart.total": "Total", "cart.qty": "Quantity",
    "orders.title": "Orders", "orders.number": "Order", "orders.placed": "Placed", "orders.status": "Status",
    "orders.po": "PO", "orders.total": "Total", "orders.open": "Open order {number}",
    "orders.filter": "Status", "orders.all": "All", "orders.lines": "Lines", "orders.tracking": "Shipments",
    "orders.noShipments": "Nothing shipped yet.", "orders.trackingLink": "Track {number} with {carrier}",
    "orders.reorder": "Order again", "orders.reordered": "The lines are in your cart.",
    "orders.repriced": "Prices changed since this order", "orders.unavailable": "Not available any more",
    "orders.was": "was {before}, now {after}", "orders.back": "All orders",
    "approvals.title": "Orders waiting for approval", "approvals.empty": "No order is waiting for you.",
    "approvals.comment": "Comment on {number}", "approvals.approve": "Approve {number}",
    "approvals.reject": "Reject {number}", "approvals.approved": "Order {number} approved.",
    "approvals.rejected": "Order {number} rejected.", "approvals.by": "by {name}",
    "invoices.title": "Invoices", "invoices.search": "Search (number, PO, order)", "invoices.status": "Status",
    "invoices.overdue": "Overdue only", "invoices.apply": "Apply filters", "invoices.number": "Invoice",
    "invoices.issued": "Issued", "invoices.due": "Due", "invoices.total": "Total", "invoices.amountDue": "Amount due",
    "invoices.pdf": "PDF of {number}", "invoices.csv": "Export CSV", "invoices.select": "Select {number} to pay",
    "invoices.pay": "Pay selected", "invoices.paid": "Payment recorded: {count} invoice(s).",
    "invoices.totals": "Open: {open}, past due: {overdue}", "invoices.payWith": "Pay with",
    "invoices.card": "{brand} ending {last4} ({month}/{year})", "invoices.credit": "Account credit", "invoices.account": "Account",
    "subs.title": "Subscriptions", "subs.number": "Subscription", "subs.status": "Status", "subs.cadence": "Every {count} {unit}", "subs.cadence1": "{unit}", "invoices.isOverdue": "overdue",
    "subs.cadenceChoose": "Change how often", "subs.cadenceChange": "New cadence", "subs.every": "Every", "subs.unit": "Unit",
    "subs.next": "Next billing", "subs.items": "Items", "subs.actions": "Actions for {number}",
    "subs.pause": "Pause one cycle", "subs.skip": "Skip the next delivery", "subs.cancel": "Cancel",
    "subs.resume": "Resume", "subs.preview": "Preview", "subs.confirm": "Confirm",
    "subs.previewText": "Takes effect {effective}; next billing {next}.", "subs.noCharge": "Nothing is charged.",
    "subs.reason": "Why are you cancelling?", "subs.retention": "Before you go: you can pause instead of cancelling.",
    "subs.done": "Done.", "subs.none": "—",
    "members.title": "Members", "members.name": "Name", "members.email": "Email", "members.roles": "Roles",
    "members.limit": "Spending limit", "members.invite": "Invite a member", "members.inviteEmail": "Email to invite",
    "members.inviteRole": "Role", "members.inviteSend": "Send invitation", "members.invited": "Invitation sent to {email}.",
    "members.pending": "Pending invitations", "members.change": "Change role",
    "members.changeFor": "Role of {name}", "members.save": "Save", "members.changed": "The role of {name} is changed.", "members.noLimit": "no limit",
    "status.PENDING_APPROVAL": "Waiting for approval", "status.OPEN": "Open", "status.PARTIALLY_FULFILLED": "Partly shipped",
    "status.FULFILLED": "Shipped", "status.CANCELLED": "Cancelled", "status.REJECTED": "Rejected",
    "status.PAID": "Paid", "status.VOID": "Void", "status.UNCOLLECTIBLE": "Uncollectible", "status.DRAFT": "Draft",
    "status.ACTIVE": "Active", "status.PAUSED": "Paused", "status.PAST_DUE": "Past due", "status.TRIALING": "Trial",
    "status.EXPIRED": "Expired",
    "reason.TOO_EXPENSIVE": "Too expensive", "reason.MISSING_FEATURES": "Missing features",
    "reason.SWITCHED_SERVICE": "Switched to another service", "reason.UNUSED": "Not used enough",
    "reason.CUSTOMER_SERVICE": "Customer service", "reason.TOO_COMPLEX": "Too complex",
    "reason.LOW_QUALITY": "Quality", "reason.OTHER": "Other", "subs.comment": "Comment (optional)",
    "subs.keep": "Keep it and pause instead",
    "nav.security": "Security", "security.twoFactor": "Two-factor sign-in", "security.on": "Two-factor sign-in is on.",
    "security.off": "Two-factor sign-in is off: signing in needs only your password.", "security.setUp": "Set up two-factor sign-in",
    "security.qr": "QR code to scan with your authenticator app", "security.secret": "Or enter this key in the app:",
    "security.code": "Code from the app", "security.confirm": "Turn on", "security.recovery": "Recovery codes, each usable once if you lose the app. Keep them safe: they are shown only now.",
    "security.sessions": "Signed-in sessions", "security.device": "Device", "security.method": "Signed in by",
    "security.lastSeen": "Last used", "security.expires": "Ends", "security.current": "this one", "security.end": "End session",
    "security.ended": "The session has ended.",
    "cart.askQuote": "Ask for a quote instead", "nav.lists": "Requisition lists", "lists.updated": "Changed {date}", "lists.addAll": "Put “{name}” in the cart",
    "lists.none": "No requisition lists yet.", "nav.quotes": "Quotes", "quotes.quote": "Quote", "quotes.none": "No quotes yet.",
    "quotes.expires": "valid until {date}", "quotes.accept": "Accept {number} and order", "quotes.decline": "Decline {number}",
    "quotes.declined": "Quote {number} declined.", "quote.REQUESTED": "Requested", "quote.QUOTED": "Quoted",
    "quote.EXPIRED": "Expired", "quote.ACCEPTED": "Accepted", "quote.DECLINED": "Declined",
    "nav.audit": "Audit log", "audit.action": "Action", "audit.actionHint": "The start of an action's name, e.g. order. or invoice.",
    "audit.actor": "Who", "audit.target": "What", "audit.at": "When", "audit.clients": "Integration clients", "audit.scopes": "Scopes",
    "audit.lastUsed": "Last used", "audit.revoked": "revoked", "audit.noClients": "No integration clients.",
    "nav.statement": "Statement", "statement.from": "From", "statement.to": "To", "statement.pdf": "Download PDF",
    "statement.csv": "Export CSV", "statement.opening": "Opening balance", "statement.invoiced": "Invoiced",
    "statement.paid": "Paid", "statement.credited": "Credited", "statement.closing": "Closing balance",
    "statement.entry": "Entry", "statement.debit": "Debit", "statement.credit": "Credit", "statement.balance": "Balance",
    "unit.DAY": "days", "unit.WEEK": "weeks", "unit.MONTH": "months", "unit.YEAR": "years",
    "unit1.DAY": "daily", "unit1.WEEK": "weekly", "unit1.MONTH": "monthly", "unit1.YEAR": "yearly",
  },
  de: {
    "app.name": "Kundenportal", "app.skip": "Zum Inhalt springen", "app.language": "Sprache",
    "app.menu": "Menü", "app.signOut": "Abmelden", "app.signedInAs": "Angemeldet als {name}",
    "app.loading": "Wird geladen…", "app.error": "Etwas ist schiefgegangen: {message}",
    "app.denied": "Ihre Rolle erlaubt diese Seite nicht.", "app.notFound": "Diese Seite gibt es nicht.",
    "app.expired": "Ihre Sitzung ist abgelaufen. Melden Sie sich erneut an, um dort weiterzumachen, wo Sie waren.",
    "nav.home": "Übersicht", "nav.catalog": "Katalog", "nav.cart": "Warenkorb", "nav.orders": "Bestellungen",
    "nav.approvals": "Freigaben", "nav.invoices": "Rechnungen", "nav.subscriptions": "Abonnements",
    "nav.members": "Mitglieder",
    "signIn.title": "Anmelden", "signIn.email": "E-Mail", "signIn.password": "Passwort",
    "signIn.submit": "Anmelden", "signIn.code": "Code aus Ihrer Authenticator-App oder ein Wiederherstellungscode",
    "signIn.verify": "Bestätigen", "signIn.twoFactor": "Zwei-Faktor-Authentifizierung",
    "signIn.magic": "Ohne Passwort anmelden", "signIn.magicSend": "Link und Code per E-Mail senden",
    "signIn.magicSent": "Falls {email} ein Konto hat, sind ein Anmeldelink und ein Code unterwegs.",
    "signIn.emailCode": "Code aus der E-Mail", "signIn.magicUse": "Mit dem Code anmelden",
    "signIn.demo": "Demo-Benutzer", "signIn.demoHint": "Das Passwort aller Demo-Benutzer ist {password}.",
    "signIn.as": "Als {email} anmelden", "signIn.failed": "Anmeldung fehlgeschlagen: {message}",
    "home.title": "Willkommen, {name}", "home.memberships": "Ihre Konten und Rollen",
    "home.accountWide": "kontoweit", "home.at": "in {location}", "home.spendingLimit": "Ausgabenlimit {amount}",
    "catalog.title": "Katalog", "catalog.search": "Produkte suchen", "catalog.location": "Standort",
    "catalog.searchButton": "Suchen", "catalog.sku": "Artikelnr.", "catalog.product": "Produkt",
    "catalog.price": "Ihr Preis", "catalog.list": "Listenpreis", "catalog.breaks": "Staffelpreise",
    "catalog.rule": "Menge", "catalog.quantity": "Menge von {sku}", "catalog.add": "Hinzufügen",
    "catalog.addLabel": "{sku} in den Warenkorb legen", "catalog.added": "{sku} liegt im Warenkorb.",
    "catalog.from": "ab {quantity}: {price}", "catalog.ruleText": "mind. {minimum}, in Schritten von {increment}",
    "catalog.ruleMax": ", höchstens {maximum}", "catalog.noPrices": "Ihrer Rolle werden keine Preise angezeigt.",
    "catalog.more": "Weitere Produkte", "catalog.count": "{count} Produkte",
    "cart.title": "Warenkorb", "cart.empty": "Der Warenkorb ist leer.", "cart.subtotal": "Zwischensumme",
    "cart.remove": "{sku} entfernen", "cart.quick": "Schnellbestellung", "cart.quickHint": "Eine Artikelnummer und Menge pro Zeile, z. B. SKU-1,10",
    "cart.quickLines": "Artikelnummern und Mengen", "cart.quickAdd": "In den Warenkorb",
    "cart.quickResult": "Zeile {row} ({sku}): {message}", "cart.po": "Bestellnummer (PO)", "cart.note": "Notiz",
    "cart.place": "Bestellung aufgeben", "cart.placed": "Bestellung {number} aufgegeben ({status}).",
    "cart.priceChanged": "Preise haben sich geändert, seit diese Positionen hinzugefügt wurden; bitte prüfen und erneut bestellen.",
    "cart.unitPrice": "Stückpreis", "cart.total": "Summe", "cart.qty": "Menge",
    "orders.title": "Bestellungen", "orders.number": "Bestellung", "orders.placed": "Aufgegeben", "orders.status": "Status",
    "orders.po": "PO", "orders.total": "Summe", "orders.open": "Bestellung {number} öffnen",
    "orders.filter": "Status", "orders.all": "Alle", "orders.lines": "Positionen", "orders.tracking": "Sendungen",
    "orders.noShipments": "Noch nichts versandt.", "orders.trackingLink": "{number} bei {carrier} verfolgen",
    "orders.reorder": "Erneut bestellen", "orders.reordered": "Die Positionen liegen in Ihrem Warenkorb.",
    "orders.repriced": "Preisänderungen seit dieser Bestellung", "orders.unavailable": "Nicht mehr lieferbar",
    "orders.was": "vorher {before}, jetzt {after}", "orders.back": "Alle Bestellungen",
    "approvals.title": "Bestellungen zur Freigabe", "approvals.empty": "Keine Bestellung wartet auf Sie.",
    "approvals.comment": "Kommentar zu {number}", "approvals.approve": "{number} freigeben",
    "approvals.reject": "{number} ablehnen", "approvals.approved": "Bestellung {number} freigegeben.",
    "approvals.rejected": "Bestellung {number} abgelehnt.", "approvals.by": "von {name}",
    "invoices.title": "Rechnungen", "invoices.search": "Suche (Nummer, PO, Bestellung)", "invoices.status": "Status",
    "invoices.overdue": "Nur überfällige", "invoices.apply": "Filter anwenden", "invoices.number": "Rechnung",
    "invoices.issued": "Ausgestellt", "invoices.due": "Fällig", "invoices.total": "Summe", "invoices.amountDue": "Offen",
    "invoices.pdf": "PDF von {number}", "invoices.csv": "Als CSV exportieren", "invoices.select": "{number} zum Bezahlen auswählen",
    "invoices.pay": "Auswahl bezahlen", "invoices.paid": "Zahlung erfasst: {count} Rechnung(en).",
    "invoices.totals": "Offen: {open}, überfällig: {overdue}", "invoices.payWith": "Bezahlen mit",
    "invoices.card": "{brand} mit Endziffern {last4} ({month}/{year})", "invoices.credit": "Guthaben des Kontos", "invoices.account": "Konto",
    "subs.title": "Abonnements", "subs.number": "Abonnement", "subs.status": "Status", "subs.cadence": "Alle {count} {unit}", "subs.cadence1": "{unit}", "invoices.isOverdue": "überfällig",
    "subs.cadenceChoose": "Rhythmus ändern", "subs.cadenceChange": "Neuer Rhythmus", "subs.every": "Alle", "subs.unit": "Einheit",
    "subs.next": "Nächste Abrechnung", "subs.items": "Artikel", "subs.actions": "Aktionen für {number}",
    "subs.pause": "Einen Zyklus pausieren", "subs.skip": "Nächste Lieferung überspringen", "subs.cancel": "Kündigen",
    "subs.resume": "Fortsetzen", "subs.preview": "Vorschau", "subs.confirm": "Bestätigen",
    "subs.previewText": "Wirksam {effective}; nächste Abrechnung {next}.", "subs.noCharge": "Es wird nichts berechnet.",
    "subs.reason": "Warum kündigen Sie?", "subs.retention": "Bevor Sie gehen: Sie können auch pausieren statt zu kündigen.",
    "subs.done": "Erledigt.", "subs.none": "—",
    "members.title": "Mitglieder", "members.name": "Name", "members.email": "E-Mail", "members.roles": "Rollen",
    "members.limit": "Ausgabenlimit", "members.invite": "Mitglied einladen", "members.inviteEmail": "E-Mail der Einladung",
    "members.inviteRole": "Rolle", "members.inviteSend": "Einladung senden", "members.invited": "Einladung an {email} gesendet.",
    "members.pending": "Offene Einladungen", "members.change": "Rolle ändern",
    "members.changeFor": "Rolle von {name}", "members.save": "Speichern", "members.changed": "Die Rolle von {name} ist geändert.", "members.noLimit": "kein Limit",
    "status.PENDING_APPROVAL": "Wartet auf Freigabe", "status.OPEN": "Offen", "status.PARTIALLY_FULFILLED": "Teilweise versandt",
    "status.FULFILLED": "Versandt", "status.CANCELLED": "Storniert", "status.REJECTED": "Abgelehnt",
    "status.PAID": "Bezahlt", "status.VOID": "Storniert", "status.UNCOLLECTIBLE": "Uneinbringlich", "status.DRAFT": "Entwurf",
    "status.ACTIVE": "Aktiv", "status.PAUSED": "Pausiert", "status.PAST_DUE": "Überfällig", "status.TRIALING": "Testphase",
    "status.EXPIRED": "Abgelaufen",
    "reason.TOO_EXPENSIVE": "Zu teuer", "reason.MISSING_FEATURES": "Fehlende Funktionen",
    "reason.SWITCHED_SERVICE": "Zu einem anderen Anbieter gewechselt", "reason.UNUSED": "Zu wenig genutzt",
    "reason.CUSTOMER_SERVICE": "Kundenservice", "reason.TOO_COMPLEX": "Zu kompliziert",
    "reason.LOW_QUALITY": "Qualität", "reason.OTHER": "Sonstiges", "subs.comment": "Kommentar (optional)",
    "subs.keep": "Behalten und stattdessen pausieren",
    "nav.security": "Sicherheit", "security.twoFactor": "Zwei-Faktor-Anmeldung", "security.on": "Die Zwei-Faktor-Anmeldung ist aktiv.",
    "security.off": "Die Zwei-Faktor-Anmeldung ist aus: zum Anmelden genügt Ihr Passwort.", "security.setUp": "Zwei-Faktor-Anmeldung einrichten",
    "security.qr": "QR-Code zum Scannen mit Ihrer Authenticator-App", "security.secret": "Oder diesen Schlüssel in der App eingeben:",
    "security.code": "Code aus der App", "security.confirm": "Aktivieren", "security.recovery": "Wiederherstellungscodes, jeder einmal nutzbar, falls Sie die App verlieren. Bewahren Sie sie sicher auf: sie werden nur jetzt angezeigt.",
    "security.sessions": "Angemeldete Sitzungen", "security.device": "Gerät", "security.method": "Angemeldet per",
    "security.lastSeen": "Zuletzt genutzt", "security.expires": "Endet", "security.current": "diese", "security.end": "Sitzung beenden",
    "security.ended": "Die Sitzung wurde beendet.",
    "cart.askQuote": "Stattdessen ein Angebot anfragen", "nav.lists": "Bestelllisten", "lists.updated": "Geändert {date}", "lists.addAll": "„{name}“ in den Warenkorb legen",
    "lists.none": "Noch keine Bestelllisten.", "nav.quotes": "Angebote", "quotes.quote": "Angebot", "quotes.none": "Noch keine Angebote.",
    "quotes.expires": "gültig bis {date}", "quotes.accept": "{number} annehmen und bestellen", "quotes.decline": "{number} ablehnen",
    "quotes.declined": "Angebot {number} abgelehnt.", "quote.REQUESTED": "Angefragt", "quote.QUOTED": "Angeboten",
    "quote.EXPIRED": "Abgelaufen", "quote.ACCEPTED": "Angenommen", "quote.DECLINED": "Abgelehnt",
    "nav.audit": "Protokoll", "audit.action": "Aktion", "audit.actionHint": "Der Anfang des Aktionsnamens, z. B. order. oder invoice.",
    "audit.actor": "Wer", "audit.target": "Was", "audit.at": "Wann", "audit.clients": "Integrationen", "audit.scopes": "Berechtigungen",
    "audit.lastUsed": "Zuletzt genutzt", "audit.revoked": "widerrufen", "audit.noClients": "Keine Integrationen.",
    "nav.statement": "Kontoauszug", "statement.from": "Von", "statement.to": "Bis", "statement.pdf": "PDF herunterladen",
    "statement.csv": "Als CSV exportieren", "statement.opening": "Anfangssaldo", "statement.invoiced": "In Rechnung gestellt",
    "statement.paid": "Bezahlt", "statement.credited": "Gutgeschrieben", "statement.closing": "Endsaldo",
    "statement.entry": "Buchung", "statement.debit": "Soll", "statement.credit": "Haben", "statement.balance": "Saldo",
    "unit.DAY": "Tage", "unit.WEEK": "Wochen", "unit.MONTH": "Monate", "unit.YEAR": "Jahre",
    "unit1.DAY": "täglich", "unit1.WEEK": "wöchentlich", "unit1.MONTH": "monatlich", "unit1.YEAR": "jährlich",
  },
};

export const catalogs = messages;
let current = pick(localStorage.getItem(LOCALE_KEY) || navigator.language);

function pick(tag) {
  const base = String(tag || "en").toLowerCase().split("-")[0];
  return base in messages ? base : "en";
}

export const locale = () => current;

export function setLocale(tag, { remember = false } = {}) {
  current = pick(tag);
  if (remember) localStorage.setItem(LOCALE_KEY, current);
  document.documentElement.lang = current;
  return current;
}

// The person's own choice (the language menu) wins over the account's.
export const chosenLocale = () => localStorage.getItem(LOCALE_KEY);

export function t(key, params = {}) {
  const text = messages[current][key] ?? messages.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

export function money(value) {
  if (!value) return "";
  return new Intl.NumberFormat(current, { style: "currency", currency: value.currencyCode }).format(Number(value.amount));
}

export function number(value) {
  return new Intl.NumberFormat(current).format(value);
}

export function date(value) {
  if (!value) return "";
  return new Intl.DateTimeFormat(current, { dateStyle: "medium" }).format(new Date(value));
}
