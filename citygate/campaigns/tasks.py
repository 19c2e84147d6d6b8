"""Background work of campaigns: releasing a scheduled one when its time comes."""

from __future__ import annotations

from django_tasks import task

from citygate.campaigns import services


@task()
def campaign_release_due(*, campaign_id: str) -> bool:
    return services.campaign_release_if_due(campaign_id=campaign_id)
