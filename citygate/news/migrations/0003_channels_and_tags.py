"""The newsroom's channels and topic tags. Other apps find the tags by these slugs (a person
follows topics; a campaign targets them), so a slug is never renamed."""

from django.db import migrations

CHANNELS = [
    ("news", "要闻", "Top stories"),
    ("policy", "政策解读", "Policy explained"),
    ("services", "便民服务", "Everyday services"),
    ("culture", "文化旅游", "Culture and travel"),
]
# Ordinary topics only: none names a sensitive trait of a person.
TAGS = [
    ("education", "教育", "Education"),
    ("transport", "交通", "Transport"),
    ("health", "医疗", "Health care"),
    ("elderly-care", "养老", "Elderly care"),
    ("jobs", "就业", "Jobs"),
    ("housing", "住房", "Housing"),
    ("culture", "文旅", "Culture and tourism"),
    ("environment", "环境", "Environment"),
    ("water", "水务", "Water"),
]


def load(apps, schema_editor):
    NewsChannel = apps.get_model("news", "NewsChannel")
    NewsTag = apps.get_model("news", "NewsTag")
    for order, (slug, zh, en) in enumerate(CHANNELS):
        NewsChannel.objects.update_or_create(
            slug=slug, defaults={"name_zh": zh, "name_en": en, "order": order}
        )
    for order, (slug, zh, en) in enumerate(TAGS):
        NewsTag.objects.update_or_create(
            slug=slug, defaults={"name_zh": zh, "name_en": en, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("news", "0002_story_published_version")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
