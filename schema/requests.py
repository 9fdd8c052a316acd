"""What the server takes from the API to serve a request (server → schema → resolvers): the
context every resolver reads and the settings in it, which server/app.py builds per request, and
what its routes outside GraphQL answer in the API's terms (a return photo by its global ID,
invoices as documents, an Account's global ID decoded, the invoice and statement exports)."""
from resolvers import billing as invoice_exports
from resolvers.context import Context, Settings
from resolvers.documents import Printable, credit_note_printable, invoice_documents, receipt_printable, statement_printable
from resolvers.globalid import decode_as
from resolvers.account_files import document_download, order_file_download
from resolvers.digital import digital_download, license_call
from resolvers.returns import photo_download
from resolvers.support import attachment_download
from schema.billing import InvoiceFilter, InvoiceSortKey, SortDirection, invoice_filter

__all__ = ["Context", "attachment_download", "InvoiceFilter", "InvoiceSortKey", "Printable", "Settings", "SortDirection",
           "credit_note_printable", "decode_as", "digital_download", "document_download", "invoice_documents",
           "invoice_exports", "invoice_filter", "license_call", "order_file_download", "photo_download",
           "receipt_printable", "statement_printable"]
