"""The benchmark's operations, as a portal frontend sends them."""

ORDER_HISTORY = """query OrderHistory($first: Int!) {
  viewer { orders(first: $first) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id number status poNumber placedAt
      total { amount currencyCode }
      lines { sku title quantity unitPrice { amount currencyCode } total { amount currencyCode }
              variant { sku title listPrice { amount currencyCode } } }
      fulfilments { status carrier trackingNumber trackingUrl shippedAt deliveredAt } } } } }"""

INVOICE_FIND = """query InvoiceFind($search: String!) {
  viewer {
    invoiceTotals { currencyCode count amountDue { amount } overdueCount amountOverdue { amount } }
    invoices(first: 25, sortBy: DUE_DATE, direction: ASC,
             filter: {status: [OPEN, UNCOLLECTIBLE], search: $search, minTotal: "10"}) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { id number status issuedAt dueDate isOverdue poNumber
        total { amount currencyCode } amountDue { amount currencyCode } } } } }"""

STATEMENT = """query Statement($account: ID!, $from: Date!, $to: Date!) {
  node(id: $account) { ... on Account { statement(from: $from, to: $to) {
    currencyCode openingBalance { amount } totalInvoiced { amount } totalPaid { amount } totalCredited { amount }
    closingBalance { amount }
    lines { kind occurredAt reference invoiceNumber debit { amount } credit { amount } balance { amount } } } } } }"""

INVOICE_SEARCH = """query InvoiceSearch {
  viewer { invoices(first: 25, filter: {status: [OPEN, PAID]}) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id number status issuedAt dueDate isOverdue poNumber
      total { amount currencyCode } amountDue { amount currencyCode } } } } }"""

ORDER_DETAIL = """query OrderDetail($id: ID!) {
  node(id: $id) { __typename ... on Order { id number status poNumber note placedAt
    subtotal { amount currencyCode } tax { amount currencyCode } total { amount currencyCode }
    shippingAddress { line1 city postalCode country }
    location { __typename name } placedBy { name email }
    lines { sku title quantity unitPrice { amount currencyCode } total { amount currencyCode }
            variant { sku title product { title vendor } } }
    fulfilments { status carrier trackingNumber trackingUrl shippedAt estimatedDeliveryAt deliveredAt }
    invoices { __typename number status total { amount currencyCode } } } } }"""

CATALOG = """query Catalog($location: ID!) {
  node(id: $location) { __typename ... on Location { name
    catalog(first: 50) { pageInfo { hasNextPage endCursor }
      nodes { id title vendor
        variants { sku title listPrice { amount currencyCode } price(quantity: 1) { amount currencyCode }
                   quantityRule { minimum increment } } } } } } }"""

SUBSCRIPTIONS = """query Subscriptions($first: Int!) {
  viewer { subscriptions(first: $first) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id number status kind interval intervalCount currentPeriodEnd nextBillingAt cancelAtPeriodEnd
      total { amount currencyCode } nextInvoiceAmount { amount currencyCode } location { __typename name }
      items { quantity unitPrice { amount currencyCode } variant { sku title } } } } } }"""
