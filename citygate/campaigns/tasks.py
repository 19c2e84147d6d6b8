"""Background work of campaigns: releasing a scheduled one when its time comes, and pushing
a released one to those who chose a channel that pushes, a batch at a time."""

from __future__ import annotations

from django_tasks import task

from citygate.campaigns import services


@task()
def campaign_release_due(*, campaign_id: str) -> bool:
    return services.campaign_release_if_due(campaign_id=campaign_id)


@task()
def campaign_push_task(*, campaign_id: str) -> bool:
    """A campaign's push for a while; what is left goes on in a task of its own.

    A backend that runs tasks at once (development, tests) does the whole walk in one call.
    """
    if not campaign_push_task.get_backend().supports_defer:
        return services.campaign_push(campaign_id=campaign_id, seconds=float("inf"))
    more = services.campaign_push(campaign_id=campaign_id)
    if more:
        campaign_push_task.enqueue(campaign_id=campaign_id)
    return more
