"""Background work of the inbox: planning a message's pushes, sending them, the digests.

Task arguments hold ids only; what a task sends it reads from the database when it runs.
"""

from __future__ import annotations

from django_tasks import task

from citygate.inbox import delivery


@task()
def deliveries_plan_task(*, message_id: str) -> str:
    """Decides what else than the inbox a new message gets, and queues it."""
    return delivery.deliveries_plan(message_id=message_id)


@task()
def delivery_send(*, delivery_id: str) -> str:
    """One attempt of a queued delivery (a second run of the same task sends nothing)."""
    return delivery.delivery_attempt(delivery_id=delivery_id)


@task()
def news_digests_send_task() -> int:
    return delivery.news_digests_send()


@task()
def deliveries_resume_task() -> int:
    return delivery.deliveries_resume()
