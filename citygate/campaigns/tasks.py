"""Background work of campaigns: releasing a scheduled one when its time comes, and pushing
a released one to those who chose a channel that pushes, a batch at a time."""

from __future__ import annotations

from django_tasks import task

from citygate.campaigns import services


@task()
def campaign_release_due(*, campaign_id: str) -> bool:
    return services.campaign_release_if_due(campaign_id=campaign_id)


@task()
def campaign_push(*, campaign_id: str, after: str) -> str:
    """One batch of a campaign's push; the next batch is a task of its own."""
    last = services.campaign_push_batch(campaign_id=campaign_id, after=after)
    if last:
        campaign_push.enqueue(campaign_id=campaign_id, after=last)
    return last
