"""Loads the State Council's holiday arrangements, every year `chinese_calendar` publishes.

Holidays are stored with the Chinese name of the holiday they belong to, weekend days of a
holiday period included (they give the period its name); the weekends worked in exchange
(调休) are stored as working days named after the holiday they pay for.
"""

from django.db import migrations
from django.utils import timezone

# The names the State Council's notices use; the package's own short forms otherwise.
OFFICIAL_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
}
EXCHANGED_SUFFIX = "调休上班"


def _chinese(english, holiday_type):
    if english in OFFICIAL_NAMES:
        return OFFICIAL_NAMES[english]
    try:
        return holiday_type(english).chinese
    except ValueError:
        return english


def load(apps, schema_editor):
    # The constants module alone: the data, without the package's helpers.
    from chinese_calendar.constants import Holiday, holidays, workdays

    CalendarDay = apps.get_model("workdays", "CalendarDay")
    now = timezone.now()
    rows = [
        CalendarDay(
            day=day, kind="holiday", name=_chinese(name, Holiday), source="official", updated_at=now
        )
        for day, name in holidays.items()
    ]
    rows += [
        CalendarDay(
            day=day,
            kind="workday",
            name=_chinese(name, Holiday) + EXCHANGED_SUFFIX,
            source="official",
            updated_at=now,
        )
        for day, name in workdays.items()
        if day not in holidays
    ]
    CalendarDay.objects.bulk_create(rows, batch_size=500)


def unload(apps, schema_editor):
    apps.get_model("workdays", "CalendarDay").objects.filter(source="official").delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_calendar_days")]

    operations = [migrations.RunPython(load, unload)]
