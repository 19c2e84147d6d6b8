"""The five life events (一件事) every city bundles, as reference data."""

from django.db import migrations

LIFE_EVENTS = [
    (
        "newborn",
        "新生儿出生一件事",
        "Having a baby",
        "出生医学证明、户口登记、医保参保、社保卡一次办好。",
        "Birth certificate, household registration, medical insurance and social security card in one go.",
        "baby",
    ),
    (
        "start-business",
        "开办企业一件事",
        "Starting a business",
        "营业执照、公章刻制、税务登记、社保和公积金开户一起办。",
        "Business licence, company seal, tax registration, social security and housing fund accounts together.",
        "building",
    ),
    (
        "retirement",
        "退休一件事",
        "Retiring",
        "养老金申领、医保和公积金提取一起办。",
        "Pension claim, medical insurance and housing fund withdrawal settled together.",
        "sun",
    ),
    (
        "second-hand-home",
        "二手房交易一件事",
        "Buying or selling a second-hand home",
        "不动产转移登记、税费缴纳和水电气过户一起办。",
        "Property transfer, taxes and the change of water, power and gas accounts together.",
        "key",
    ),
    (
        "residence-permit",
        "居住证一件事",
        "Getting a residence permit",
        "居住登记和居住证申领一次提交。",
        "Residence registration and the residence permit in one application.",
        "id-card",
    ),
]


def seed(apps, schema_editor):
    LifeEvent = apps.get_model("catalog", "LifeEvent")
    for order, (slug, name_zh, name_en, summary_zh, summary_en, icon) in enumerate(LIFE_EVENTS):
        LifeEvent.objects.update_or_create(
            slug=slug,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "summary_zh": summary_zh,
                "summary_en": summary_en,
                "icon": icon,
                "order": order,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("catalog", "LifeEvent").objects.filter(
        slug__in=[event[0] for event in LIFE_EVENTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_items")]

    operations = [migrations.RunPython(seed, unseed)]
