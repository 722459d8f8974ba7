from django.db import migrations

TOPICS = [
    ("living-with-trd", "Living with TRD"),
    ("esketamine-ketamine", "Esketamine and ketamine treatment"),
    ("tms", "TMS"),
    ("ect", "ECT"),
    ("medication-changes", "Medication changes"),
    ("caregivers", "Caregivers and loved ones"),
    ("newly-diagnosed", "Newly diagnosed"),
    ("young-adults", "Young adults"),
]


def add_topics(apps, schema_editor):
    Topic = apps.get_model("groups", "Topic")
    for position, (slug, name) in enumerate(TOPICS):
        Topic.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("groups", "0001_initial")]

    operations = [migrations.RunPython(add_topics, migrations.RunPython.noop)]
