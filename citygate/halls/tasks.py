"""Background work of the halls app: the day-before reminder and the missed-appointment sweep.

Task arguments hold ids and dates only.
"""

from __future__ import annotations

from datetime import date

from django_tasks import task

from citygate.core.logging import get_logger

log = get_logger(__name__)


@task()
def appointment_reminder_send(*, appointment_id: str, day: str) -> bool:
    """Reminds the person of an appointment on `day`, unless it was cancelled or moved."""
    from citygate.halls.services import appointment_remind

    return appointment_remind(appointment_id=appointment_id, day=date.fromisoformat(day))


@task()
def appointments_sweep_no_shows() -> int:
    """Marks every appointment not checked in by its end (plus the grace) as missed."""
    from citygate.halls.services import appointments_mark_no_show

    return appointments_mark_no_show()
