"""Batch functions of quotes: quotes and their lines."""
from db.loaders import children, one_by
from db.models import Quote, QuoteLine

quote_by_id = one_by(Quote)
lines_by_quote = children(QuoteLine, "quote_id", QuoteLine.position)
