"""Background work of the newsroom: a scheduled story's publication, and telling the people
who were sent a story of its correction or retraction."""

from __future__ import annotations

from django_tasks import task


@task()
def story_publish_due(*, story_id: str) -> bool:
    """Publishes the story if it is still scheduled and its time has come."""
    from citygate.news.services import story_publish

    return story_publish(story_id=story_id)


@task()
def story_recipients_tell(*, story_id: str, template: str, dedupe_key: str) -> int:
    """Tells those who were sent the story; the number told."""
    from citygate.news.services import story_recipients_tell as tell

    return tell(story_id=story_id, template=template, dedupe_key=dedupe_key)
