"""Batch functions of support tickets: their messages (customers never get internal notes) and
the attachments of each message."""
from db.loaders import children, one_by
from db.models import KbTopic, SupportAttachment, SupportMessage

messages_by_ticket = children(SupportMessage, "ticket_id", SupportMessage.created_at)
public_messages_by_ticket = children(SupportMessage, "ticket_id", SupportMessage.created_at,
                                     where=SupportMessage.internal.is_(False))
attachments_by_message = children(SupportAttachment, "message_id")
topic_by_id = one_by(KbTopic)
