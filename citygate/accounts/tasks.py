"""Background work of the accounts app."""

from __future__ import annotations

from django_tasks import task

from citygate.accounts.sms import get_sms_gateway
from citygate.core.logging import get_logger
from citygate.privacy import crypto

log = get_logger(__name__)

# Task arguments sit in the task queue's table until a worker runs them; the number and the
# text (which holds the code) are sealed so that table holds no personal data in clear.
SMS_TASK_CONTEXT = "accounts.tasks.sms_deliver"


def seal(value: str) -> str:
    return crypto.encrypt(value, context=SMS_TASK_CONTEXT)


@task()
def sms_deliver(*, sealed_phone: str, sealed_text: str, template: str) -> str:
    phone = crypto.decrypt(sealed_phone, context=SMS_TASK_CONTEXT)
    text = crypto.decrypt(sealed_text, context=SMS_TASK_CONTEXT)
    message_id = get_sms_gateway().send(phone=phone, text=text, template=template)
    log.info("sms.delivered", template=template, message_id=message_id)
    return message_id
