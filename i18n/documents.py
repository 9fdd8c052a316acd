"""Printed documents (invoices, credit notes, receipts, statements): the locales they are written
in, which one a request gets, and their labels in each.

The labels are one table per locale, as plain data, like the mail templates are one file per
locale: tests/integrations/test_pdf.py fails on a locale without every key of English."""
from dataclasses import dataclass

from babel import Locale

DEFAULT = "en"
# The languages documents are written in. Babel formats money, numbers and dates for each.
LOCALES = ("en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da", "fi", "nb", "cs", "tr", "ja", "zh")
# Languages Babel names otherwise that read one of ours (Norwegian 'no'/'nn' read Bokmål).
_SAME = {"no": "nb", "nn": "nb"}


@dataclass(frozen=True)
class DocumentLocale:
    locale: str             # one of LOCALES
    fell_back: bool         # what was asked for is not one of LOCALES: English instead
    asked: str | None = None


def document_locale(requested: str | None, *preferences: str | None) -> DocumentLocale:
    """The locale a document is written in: `requested` (a parameter) when given, else the first
    of `preferences` (the user's locale, then the account's) that we write. Something asked for
    that we do not write falls back to English, and says so (fell_back)."""
    if requested:
        found = _ours(requested)
        return DocumentLocale(found or DEFAULT, found is None, requested)
    given = [p for p in preferences if p]
    for preference in given:
        found = _ours(preference)
        if found:
            return DocumentLocale(found, False, preference)
    return DocumentLocale(DEFAULT, bool(given), given[0] if given else None)


def _ours(value: str) -> str | None:
    """'de-AT', 'de_DE' and 'de' are German; None for a language we do not write."""
    language = value.strip().replace("-", "_").split("_", 1)[0].lower()
    language = _SAME.get(language, language)
    return language if language in LOCALES else None


def labels(locale: str) -> dict[str, str]:
    return LABELS.get(locale, LABELS[DEFAULT])


def country_name(code: str | None, locale: str) -> str | None:
    """'DE' in French: 'Allemagne'; an unknown code as given."""
    if not code:
        return None
    return Locale.parse(locale).territories.get(code.upper(), code)


LABELS: dict[str, dict[str, str]] = {
    "en": {
        "bank": "Bank", "account_holder": "Account holder",
        "invoice": "Invoice", "credit_note": "Credit note", "receipt": "Receipt",
        "statement": "Statement of account", "seller": "Seller", "bill_to": "Bill to", "tax_id": "Tax ID",
        "number": "Number", "issue_date": "Issue date", "due_date": "Due date", "po_number": "PO number",
        "order_number": "Order number", "description": "Description", "quantity": "Quantity",
        "unit_price": "Unit price", "amount": "Amount", "subtotal": "Subtotal", "tax": "Tax", "total": "Total",
        "amount_paid": "Amount paid", "amount_due": "Amount due", "payment_instructions": "Payment instructions",
        "reverse_charge": "Reverse charge: VAT to be accounted for by the recipient",
        "tax_exempt": "Tax exempt", "opening_balance": "Opening balance", "closing_balance": "Closing balance",
        "page": "Page", "date": "Date", "document": "Document", "charges": "Charges", "credits": "Credits",
        "balance": "Balance", "period": "Period", "payment": "Payment", "payment_method": "Payment method",
        "reference": "Reference", "reason": "Reason", "original_invoice": "Original invoice", "draft": "Draft",
        "void": "Void", "paid": "Paid", "thanks": "Thank you for your payment.",
        "amount_received": "Amount received", "balance_due": "Balance due",
        "method_card": "Card", "method_ach": "ACH transfer", "method_wire": "Wire transfer", "method_check": "Check",
        "method_account_credit": "Account credit",
    },
    "de": {
        "bank": "Bank", "account_holder": "Kontoinhaber",
        "invoice": "Rechnung", "credit_note": "Gutschrift", "receipt": "Zahlungsbestätigung",
        "statement": "Kontoauszug", "seller": "Verkäufer", "bill_to": "Rechnungsempfänger",
        "tax_id": "Steuernummer", "number": "Nummer", "issue_date": "Rechnungsdatum",
        "due_date": "Fälligkeitsdatum", "po_number": "Bestellnummer", "order_number": "Auftragsnummer",
        "description": "Beschreibung", "quantity": "Menge", "unit_price": "Einzelpreis", "amount": "Betrag",
        "subtotal": "Zwischensumme", "tax": "Steuer", "total": "Gesamtbetrag", "amount_paid": "Bezahlt",
        "amount_due": "Offener Betrag", "payment_instructions": "Zahlungshinweise",
        "reverse_charge": "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge)",
        "tax_exempt": "Steuerbefreit", "opening_balance": "Anfangssaldo", "closing_balance": "Endsaldo",
        "page": "Seite", "date": "Datum", "document": "Beleg", "charges": "Belastungen",
        "credits": "Gutschriften", "balance": "Saldo", "period": "Zeitraum", "payment": "Zahlung",
        "payment_method": "Zahlungsart", "reference": "Referenz", "reason": "Grund",
        "original_invoice": "Ursprüngliche Rechnung", "draft": "Entwurf", "void": "Storniert", "paid": "Bezahlt",
        "thanks": "Vielen Dank für Ihre Zahlung.", "amount_received": "Erhaltener Betrag",
        "balance_due": "Restbetrag",
        "method_card": "Karte", "method_ach": "ACH-Überweisung", "method_wire": "Überweisung", "method_check": "Scheck",
        "method_account_credit": "Kundenguthaben",
    },
    "fr": {
        "bank": "Banque", "account_holder": "Titulaire du compte",
        "invoice": "Facture", "credit_note": "Avoir", "receipt": "Reçu", "statement": "Relevé de compte",
        "seller": "Vendeur", "bill_to": "Facturer à", "tax_id": "Identifiant fiscal", "number": "Numéro",
        "issue_date": "Date d'émission", "due_date": "Date d'échéance", "po_number": "N° de bon de commande",
        "order_number": "N° de commande", "description": "Désignation", "quantity": "Quantité",
        "unit_price": "Prix unitaire", "amount": "Montant", "subtotal": "Sous-total", "tax": "Taxe",
        "total": "Total", "amount_paid": "Montant payé", "amount_due": "Montant dû",
        "payment_instructions": "Instructions de paiement",
        "reverse_charge": "Autoliquidation : TVA due par le preneur", "tax_exempt": "Exonéré de taxe",
        "opening_balance": "Solde d'ouverture", "closing_balance": "Solde de clôture", "page": "Page",
        "date": "Date", "document": "Document", "charges": "Débits", "credits": "Crédits", "balance": "Solde",
        "period": "Période", "payment": "Paiement", "payment_method": "Mode de paiement",
        "reference": "Référence", "reason": "Motif", "original_invoice": "Facture d'origine",
        "draft": "Brouillon", "void": "Annulée", "paid": "Payée", "thanks": "Merci pour votre paiement.",
        "amount_received": "Montant reçu", "balance_due": "Solde dû",
        "method_card": "Carte", "method_ach": "Virement ACH", "method_wire": "Virement bancaire", "method_check": "Chèque",
        "method_account_credit": "Avoir client",
    },
    "es": {
        "bank": "Banco", "account_holder": "Titular de la cuenta",
        "invoice": "Factura", "credit_note": "Nota de crédito", "receipt": "Recibo",
        "statement": "Estado de cuenta", "seller": "Vendedor", "bill_to": "Facturar a",
        "tax_id": "Identificación fiscal", "number": "Número", "issue_date": "Fecha de emisión",
        "due_date": "Fecha de vencimiento", "po_number": "N.º de orden de compra",
        "order_number": "N.º de pedido", "description": "Descripción", "quantity": "Cantidad",
        "unit_price": "Precio unitario", "amount": "Importe", "subtotal": "Subtotal", "tax": "Impuesto",
        "total": "Total", "amount_paid": "Importe pagado", "amount_due": "Importe pendiente",
        "payment_instructions": "Instrucciones de pago", "reverse_charge": "Inversión del sujeto pasivo",
        "tax_exempt": "Exento de impuestos", "opening_balance": "Saldo inicial", "closing_balance": "Saldo final",
        "page": "Página", "date": "Fecha", "document": "Documento", "charges": "Cargos", "credits": "Abonos",
        "balance": "Saldo", "period": "Período", "payment": "Pago", "payment_method": "Método de pago",
        "reference": "Referencia", "reason": "Motivo", "original_invoice": "Factura original",
        "draft": "Borrador", "void": "Anulada", "paid": "Pagada", "thanks": "Gracias por su pago.",
        "amount_received": "Importe recibido", "balance_due": "Saldo pendiente",
        "method_card": "Tarjeta", "method_ach": "Transferencia ACH", "method_wire": "Transferencia bancaria", "method_check": "Cheque",
        "method_account_credit": "Saldo a favor",
    },
    "it": {
        "bank": "Banca", "account_holder": "Intestatario del conto",
        "invoice": "Fattura", "credit_note": "Nota di credito", "receipt": "Ricevuta",
        "statement": "Estratto conto", "seller": "Venditore", "bill_to": "Intestatario",
        "tax_id": "Partita IVA", "number": "Numero", "issue_date": "Data di emissione",
        "due_date": "Data di scadenza", "po_number": "N. ordine d'acquisto", "order_number": "N. ordine",
        "description": "Descrizione", "quantity": "Quantità", "unit_price": "Prezzo unitario",
        "amount": "Importo", "subtotal": "Subtotale", "tax": "Imposta", "total": "Totale",
        "amount_paid": "Importo pagato", "amount_due": "Importo dovuto",
        "payment_instructions": "Istruzioni di pagamento", "reverse_charge": "Inversione contabile (reverse charge)",
        "tax_exempt": "Esente da imposta", "opening_balance": "Saldo iniziale", "closing_balance": "Saldo finale",
        "page": "Pagina", "date": "Data", "document": "Documento", "charges": "Addebiti", "credits": "Accrediti",
        "balance": "Saldo", "period": "Periodo", "payment": "Pagamento", "payment_method": "Metodo di pagamento",
        "reference": "Riferimento", "reason": "Motivo", "original_invoice": "Fattura originale",
        "draft": "Bozza", "void": "Annullata", "paid": "Pagata", "thanks": "Grazie per il pagamento.",
        "amount_received": "Importo ricevuto", "balance_due": "Saldo dovuto",
        "method_card": "Carta", "method_ach": "Bonifico ACH", "method_wire": "Bonifico bancario", "method_check": "Assegno",
        "method_account_credit": "Credito cliente",
    },
    "nl": {
        "bank": "Bank", "account_holder": "Rekeninghouder",
        "invoice": "Factuur", "credit_note": "Creditnota", "receipt": "Ontvangstbewijs",
        "statement": "Rekeningoverzicht", "seller": "Verkoper", "bill_to": "Factureren aan",
        "tax_id": "Btw-nummer", "number": "Nummer", "issue_date": "Factuurdatum", "due_date": "Vervaldatum",
        "po_number": "Inkoopordernummer", "order_number": "Bestelnummer", "description": "Omschrijving",
        "quantity": "Aantal", "unit_price": "Stukprijs", "amount": "Bedrag", "subtotal": "Subtotaal",
        "tax": "Btw", "total": "Totaal", "amount_paid": "Betaald bedrag", "amount_due": "Te betalen",
        "payment_instructions": "Betalingsinstructies", "reverse_charge": "Btw verlegd",
        "tax_exempt": "Vrijgesteld van btw", "opening_balance": "Beginsaldo", "closing_balance": "Eindsaldo",
        "page": "Pagina", "date": "Datum", "document": "Document", "charges": "Debet", "credits": "Credit",
        "balance": "Saldo", "period": "Periode", "payment": "Betaling", "payment_method": "Betaalmethode",
        "reference": "Referentie", "reason": "Reden", "original_invoice": "Oorspronkelijke factuur",
        "draft": "Concept", "void": "Geannuleerd", "paid": "Betaald", "thanks": "Bedankt voor uw betaling.",
        "amount_received": "Ontvangen bedrag", "balance_due": "Openstaand saldo",
        "method_card": "Kaart", "method_ach": "ACH-overboeking", "method_wire": "Bankoverschrijving", "method_check": "Cheque",
        "method_account_credit": "Tegoed",
    },
    "pt": {
        "bank": "Banco", "account_holder": "Titular da conta",
        "invoice": "Fatura", "credit_note": "Nota de crédito", "receipt": "Recibo",
        "statement": "Extrato de conta", "seller": "Vendedor", "bill_to": "Faturar a",
        "tax_id": "Número de identificação fiscal", "number": "Número", "issue_date": "Data de emissão",
        "due_date": "Data de vencimento", "po_number": "N.º da ordem de compra", "order_number": "N.º do pedido",
        "description": "Descrição", "quantity": "Quantidade", "unit_price": "Preço unitário", "amount": "Valor",
        "subtotal": "Subtotal", "tax": "Imposto", "total": "Total", "amount_paid": "Valor pago",
        "amount_due": "Valor em dívida", "payment_instructions": "Instruções de pagamento",
        "reverse_charge": "Autoliquidação: IVA devido pelo adquirente", "tax_exempt": "Isento de impostos",
        "opening_balance": "Saldo inicial", "closing_balance": "Saldo final", "page": "Página", "date": "Data",
        "document": "Documento", "charges": "Débitos", "credits": "Créditos", "balance": "Saldo",
        "period": "Período", "payment": "Pagamento", "payment_method": "Forma de pagamento",
        "reference": "Referência", "reason": "Motivo", "original_invoice": "Fatura original",
        "draft": "Rascunho", "void": "Anulada", "paid": "Paga", "thanks": "Obrigado pelo seu pagamento.",
        "amount_received": "Valor recebido", "balance_due": "Saldo devedor",
        "method_card": "Cartão", "method_ach": "Transferência ACH", "method_wire": "Transferência bancária", "method_check": "Cheque",
        "method_account_credit": "Crédito em conta",
    },
    "pl": {
        "bank": "Bank", "account_holder": "Właściciel rachunku",
        "invoice": "Faktura", "credit_note": "Faktura korygująca", "receipt": "Potwierdzenie zapłaty",
        "statement": "Wyciąg z konta", "seller": "Sprzedawca", "bill_to": "Nabywca", "tax_id": "NIP",
        "number": "Numer", "issue_date": "Data wystawienia", "due_date": "Termin płatności",
        "po_number": "Numer zamówienia zakupu", "order_number": "Numer zamówienia", "description": "Opis",
        "quantity": "Ilość", "unit_price": "Cena jednostkowa", "amount": "Wartość", "subtotal": "Suma częściowa",
        "tax": "Podatek", "total": "Razem", "amount_paid": "Zapłacono", "amount_due": "Kwota do zapłaty",
        "payment_instructions": "Instrukcje płatności", "reverse_charge": "Odwrotne obciążenie",
        "tax_exempt": "Zwolniony z podatku", "opening_balance": "Saldo początkowe",
        "closing_balance": "Saldo końcowe", "page": "Strona", "date": "Data", "document": "Dokument",
        "charges": "Obciążenia", "credits": "Uznania", "balance": "Saldo", "period": "Okres",
        "payment": "Płatność", "payment_method": "Metoda płatności", "reference": "Tytuł płatności",
        "reason": "Przyczyna", "original_invoice": "Faktura pierwotna", "draft": "Szkic", "void": "Anulowana",
        "paid": "Zapłacona", "thanks": "Dziękujemy za płatność.", "amount_received": "Otrzymana kwota",
        "balance_due": "Pozostało do zapłaty",
        "method_card": "Karta", "method_ach": "Przelew ACH", "method_wire": "Przelew bankowy", "method_check": "Czek",
        "method_account_credit": "Saldo konta",
    },
    "sv": {
        "bank": "Bank", "account_holder": "Kontoinnehavare",
        "invoice": "Faktura", "credit_note": "Kreditnota", "receipt": "Kvitto", "statement": "Kontoutdrag",
        "seller": "Säljare", "bill_to": "Faktureras till", "tax_id": "Momsregistreringsnummer",
        "number": "Nummer", "issue_date": "Fakturadatum", "due_date": "Förfallodatum",
        "po_number": "Inköpsordernummer", "order_number": "Ordernummer", "description": "Beskrivning",
        "quantity": "Antal", "unit_price": "Styckpris", "amount": "Belopp", "subtotal": "Delsumma",
        "tax": "Moms", "total": "Totalt", "amount_paid": "Betalt belopp", "amount_due": "Att betala",
        "payment_instructions": "Betalningsinstruktioner", "reverse_charge": "Omvänd skattskyldighet",
        "tax_exempt": "Momsbefriad", "opening_balance": "Ingående saldo", "closing_balance": "Utgående saldo",
        "page": "Sida", "date": "Datum", "document": "Dokument", "charges": "Debet", "credits": "Kredit",
        "balance": "Saldo", "period": "Period", "payment": "Betalning", "payment_method": "Betalningssätt",
        "reference": "Referens", "reason": "Orsak", "original_invoice": "Ursprunglig faktura",
        "draft": "Utkast", "void": "Makulerad", "paid": "Betald", "thanks": "Tack för din betalning.",
        "amount_received": "Mottaget belopp", "balance_due": "Återstående belopp",
        "method_card": "Kort", "method_ach": "ACH-överföring", "method_wire": "Banköverföring", "method_check": "Check",
        "method_account_credit": "Kontotillgodohavande",
    },
    "da": {
        "bank": "Bank", "account_holder": "Kontohaver",
        "invoice": "Faktura", "credit_note": "Kreditnota", "receipt": "Kvittering", "statement": "Kontoudtog",
        "seller": "Sælger", "bill_to": "Faktureres til", "tax_id": "Momsnummer", "number": "Nummer",
        "issue_date": "Fakturadato", "due_date": "Forfaldsdato", "po_number": "Indkøbsordrenummer",
        "order_number": "Ordrenummer", "description": "Beskrivelse", "quantity": "Antal",
        "unit_price": "Enhedspris", "amount": "Beløb", "subtotal": "Subtotal", "tax": "Moms", "total": "I alt",
        "amount_paid": "Betalt beløb", "amount_due": "Skyldigt beløb",
        "payment_instructions": "Betalingsoplysninger", "reverse_charge": "Omvendt betalingspligt",
        "tax_exempt": "Momsfritaget", "opening_balance": "Primosaldo", "closing_balance": "Ultimosaldo",
        "page": "Side", "date": "Dato", "document": "Dokument", "charges": "Debet", "credits": "Kredit",
        "balance": "Saldo", "period": "Periode", "payment": "Betaling", "payment_method": "Betalingsmetode",
        "reference": "Reference", "reason": "Årsag", "original_invoice": "Oprindelig faktura",
        "draft": "Kladde", "void": "Annulleret", "paid": "Betalt", "thanks": "Tak for din betaling.",
        "amount_received": "Modtaget beløb", "balance_due": "Restbeløb",
        "method_card": "Kort", "method_ach": "ACH-overførsel", "method_wire": "Bankoverførsel", "method_check": "Check",
        "method_account_credit": "Kontotilgodehavende",
    },
    "fi": {
        "bank": "Pankki", "account_holder": "Tilinhaltija",
        "invoice": "Lasku", "credit_note": "Hyvityslasku", "receipt": "Kuitti", "statement": "Tiliote",
        "seller": "Myyjä", "bill_to": "Laskutetaan", "tax_id": "ALV-tunniste", "number": "Numero",
        "issue_date": "Laskun päivämäärä", "due_date": "Eräpäivä", "po_number": "Ostotilausnumero",
        "order_number": "Tilausnumero", "description": "Kuvaus", "quantity": "Määrä",
        "unit_price": "Yksikköhinta", "amount": "Summa", "subtotal": "Välisumma", "tax": "Vero",
        "total": "Yhteensä", "amount_paid": "Maksettu", "amount_due": "Maksettava",
        "payment_instructions": "Maksuohjeet", "reverse_charge": "Käännetty verovelvollisuus",
        "tax_exempt": "Verovapaa", "opening_balance": "Alkusaldo", "closing_balance": "Loppusaldo",
        "page": "Sivu", "date": "Päivämäärä", "document": "Asiakirja", "charges": "Veloitukset",
        "credits": "Hyvitykset", "balance": "Saldo", "period": "Jakso", "payment": "Maksu",
        "payment_method": "Maksutapa", "reference": "Viite", "reason": "Syy",
        "original_invoice": "Alkuperäinen lasku", "draft": "Luonnos", "void": "Mitätöity", "paid": "Maksettu",
        "thanks": "Kiitos maksustasi.", "amount_received": "Vastaanotettu summa", "balance_due": "Avoin saldo",
        "method_card": "Kortti", "method_ach": "ACH-siirto", "method_wire": "Tilisiirto", "method_check": "Sekki",
        "method_account_credit": "Tilin hyvitys",
    },
    "nb": {
        "bank": "Bank", "account_holder": "Kontoinnehaver",
        "invoice": "Faktura", "credit_note": "Kreditnota", "receipt": "Kvittering",
        "statement": "Kontoutskrift", "seller": "Selger", "bill_to": "Faktureres til",
        "tax_id": "MVA-nummer", "number": "Nummer", "issue_date": "Fakturadato", "due_date": "Forfallsdato",
        "po_number": "Innkjøpsordrenummer", "order_number": "Ordrenummer", "description": "Beskrivelse",
        "quantity": "Antall", "unit_price": "Enhetspris", "amount": "Beløp", "subtotal": "Delsum",
        "tax": "MVA", "total": "Totalt", "amount_paid": "Betalt beløp", "amount_due": "Å betale",
        "payment_instructions": "Betalingsinformasjon", "reverse_charge": "Omvendt avgiftsplikt",
        "tax_exempt": "Avgiftsfri", "opening_balance": "Inngående saldo", "closing_balance": "Utgående saldo",
        "page": "Side", "date": "Dato", "document": "Dokument", "charges": "Debet", "credits": "Kredit",
        "balance": "Saldo", "period": "Periode", "payment": "Betaling", "payment_method": "Betalingsmåte",
        "reference": "Referanse", "reason": "Årsak", "original_invoice": "Opprinnelig faktura",
        "draft": "Utkast", "void": "Annullert", "paid": "Betalt", "thanks": "Takk for betalingen.",
        "amount_received": "Mottatt beløp", "balance_due": "Gjenstående beløp",
        "method_card": "Kort", "method_ach": "ACH-overføring", "method_wire": "Bankoverføring", "method_check": "Sjekk",
        "method_account_credit": "Kontokreditt",
    },
    "cs": {
        "bank": "Banka", "account_holder": "Majitel účtu",
        "invoice": "Faktura", "credit_note": "Dobropis", "receipt": "Potvrzení o platbě",
        "statement": "Výpis z účtu", "seller": "Dodavatel", "bill_to": "Odběratel", "tax_id": "DIČ",
        "number": "Číslo", "issue_date": "Datum vystavení", "due_date": "Datum splatnosti",
        "po_number": "Číslo objednávky odběratele", "order_number": "Číslo objednávky", "description": "Popis",
        "quantity": "Množství", "unit_price": "Jednotková cena", "amount": "Částka", "subtotal": "Mezisoučet",
        "tax": "Daň", "total": "Celkem", "amount_paid": "Zaplaceno", "amount_due": "K úhradě",
        "payment_instructions": "Platební údaje", "reverse_charge": "Přenesená daňová povinnost",
        "tax_exempt": "Osvobozeno od daně", "opening_balance": "Počáteční zůstatek",
        "closing_balance": "Konečný zůstatek", "page": "Strana", "date": "Datum", "document": "Doklad",
        "charges": "Vyúčtováno", "credits": "Připsáno", "balance": "Zůstatek", "period": "Období",
        "payment": "Platba", "payment_method": "Způsob platby", "reference": "Reference", "reason": "Důvod",
        "original_invoice": "Původní faktura", "draft": "Koncept", "void": "Stornováno", "paid": "Zaplaceno",
        "thanks": "Děkujeme za vaši platbu.", "amount_received": "Přijatá částka", "balance_due": "Zbývá uhradit",
        "method_card": "Karta", "method_ach": "Převod ACH", "method_wire": "Bankovní převod", "method_check": "Šek",
        "method_account_credit": "Kredit účtu",
    },
    "tr": {
        "bank": "Banka", "account_holder": "Hesap sahibi",
        "invoice": "Fatura", "credit_note": "İade faturası", "receipt": "Makbuz", "statement": "Hesap ekstresi",
        "seller": "Satıcı", "bill_to": "Alıcı", "tax_id": "Vergi numarası", "number": "Numara",
        "issue_date": "Düzenleme tarihi", "due_date": "Son ödeme tarihi", "po_number": "Satın alma sipariş no.",
        "order_number": "Sipariş numarası", "description": "Açıklama", "quantity": "Miktar",
        "unit_price": "Birim fiyat", "amount": "Tutar", "subtotal": "Ara toplam", "tax": "Vergi",
        "total": "Toplam", "amount_paid": "Ödenen tutar", "amount_due": "Ödenecek tutar",
        "payment_instructions": "Ödeme talimatları",
        "reverse_charge": "Sorumlu sıfatıyla KDV: vergi alıcı tarafından beyan edilir",
        "tax_exempt": "Vergiden muaf", "opening_balance": "Açılış bakiyesi", "closing_balance": "Kapanış bakiyesi",
        "page": "Sayfa", "date": "Tarih", "document": "Belge", "charges": "Borç", "credits": "Alacak",
        "balance": "Bakiye", "period": "Dönem", "payment": "Ödeme", "payment_method": "Ödeme yöntemi",
        "reference": "Referans", "reason": "Neden", "original_invoice": "Orijinal fatura", "draft": "Taslak",
        "void": "İptal edildi", "paid": "Ödendi", "thanks": "Ödemeniz için teşekkür ederiz.",
        "amount_received": "Alınan tutar", "balance_due": "Kalan bakiye",
        "method_card": "Kart", "method_ach": "ACH havalesi", "method_wire": "Banka havalesi", "method_check": "Çek",
        "method_account_credit": "Hesap alacağı",
    },
    "ja": {
        "bank": "銀行", "account_holder": "口座名義",
        "invoice": "請求書", "credit_note": "返金伝票", "receipt": "領収書", "statement": "取引明細書",
        "seller": "発行者", "bill_to": "請求先", "tax_id": "登録番号", "number": "番号", "issue_date": "発行日",
        "due_date": "支払期日", "po_number": "発注番号", "order_number": "注文番号", "description": "品目",
        "quantity": "数量", "unit_price": "単価", "amount": "金額", "subtotal": "小計", "tax": "税額",
        "total": "合計", "amount_paid": "支払済額", "amount_due": "ご請求金額",
        "payment_instructions": "お支払い方法", "reverse_charge": "リバースチャージ（受領者が消費税を納付）",
        "tax_exempt": "免税", "opening_balance": "期首残高", "closing_balance": "期末残高", "page": "ページ",
        "date": "日付", "document": "書類", "charges": "請求額", "credits": "入金・返金", "balance": "残高",
        "period": "期間", "payment": "お支払い", "payment_method": "支払方法", "reference": "参照番号",
        "reason": "理由", "original_invoice": "元の請求書", "draft": "下書き", "void": "無効",
        "paid": "支払済み", "thanks": "お支払いいただきありがとうございます。", "amount_received": "受領金額",
        "balance_due": "残額",
        "method_card": "カード", "method_ach": "ACH振込", "method_wire": "銀行振込", "method_check": "小切手",
        "method_account_credit": "アカウントクレジット",
    },
    "zh": {
        "bank": "银行", "account_holder": "账户持有人",
        "invoice": "发票", "credit_note": "贷项通知单", "receipt": "收据", "statement": "对账单",
        "seller": "销售方", "bill_to": "购买方", "tax_id": "税号", "number": "编号", "issue_date": "开票日期",
        "due_date": "到期日", "po_number": "采购订单号", "order_number": "订单号", "description": "描述",
        "quantity": "数量", "unit_price": "单价", "amount": "金额", "subtotal": "小计", "tax": "税额",
        "total": "合计", "amount_paid": "已付金额", "amount_due": "应付金额", "payment_instructions": "付款说明",
        "reverse_charge": "反向征税：由购买方缴纳增值税", "tax_exempt": "免税", "opening_balance": "期初余额",
        "closing_balance": "期末余额", "page": "页", "date": "日期", "document": "单据", "charges": "借方",
        "credits": "贷方", "balance": "余额", "period": "期间", "payment": "付款", "payment_method": "付款方式",
        "reference": "参考号", "reason": "原因", "original_invoice": "原发票", "draft": "草稿",
        "void": "已作废", "paid": "已付款", "thanks": "感谢您的付款。", "amount_received": "已收金额",
        "balance_due": "剩余应付",
        "method_card": "银行卡", "method_ach": "ACH转账", "method_wire": "电汇", "method_check": "支票",
        "method_account_credit": "账户余额",
    },
}
