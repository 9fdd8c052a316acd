"""The subscription domain's expected failures."""
from enum import StrEnum


class SubscriptionErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    NOT_CHANGEABLE = "NOT_CHANGEABLE"  # cancelled, expired, paused, past due: no plan change
    PERIOD_ENDED = "PERIOD_ENDED"  # the current period is over and not yet renewed
    SAME_PLAN = "SAME_PLAN"
    VARIANT_UNAVAILABLE = "VARIANT_UNAVAILABLE"  # unknown, no longer sold, or not sold in the currency here
    INVALID_QUANTITY = "INVALID_QUANTITY"
    INVALID_PRORATION_DATE = "INVALID_PRORATION_DATE"
    NO_PENDING_CHANGE = "NO_PENDING_CHANGE"
    INVALID_PAUSE = "INVALID_PAUSE"  # neither or both of a date and cycles, a date past, cycles out of range
    BEYOND_HORIZON = "BEYOND_HORIZON"  # longer than the merchant allows
    INVALID_SKIP = "INVALID_SKIP"  # cycles out of range
    NOT_SKIPPED = "NOT_SKIPPED"  # nothing to unskip
    INVALID_CADENCE = "INVALID_CADENCE"  # an interval count below 1, or the cadence it has
    NOT_RECURRING_ORDER = "NOT_RECURRING_ORDER"  # a plan: an ADMIN changes it with subscriptionChangePlan
    ACTION_DISABLED = "ACTION_DISABLED"  # the merchant's portal does not offer it
    INVALID_COMMENT = "INVALID_COMMENT"  # a cancellation comment too long
    INVALID_DATE = "INVALID_DATE"  # a next date in the past or the one it has
    INVALID_CONFIGURATION = "INVALID_CONFIGURATION"  # a portal setting out of range
    NO_OFFER = "NO_OFFER"  # no retention offer configured, none fits, or it was not shown
    OFFER_DECIDED = "OFFER_DECIDED"  # the offer was accepted or declined already
    NO_PAYMENT_METHOD = "NO_PAYMENT_METHOD"
    PAYMENT_FAILED = "PAYMENT_FAILED"
