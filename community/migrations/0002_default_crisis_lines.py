from django.db import migrations

# The US set from docs/safety.md rule 1; staff change these in the admin without code.
DEFAULT_LINES = [
    {
        "name": "988 Suicide & Crisis Lifeline",
        "how": "Call or text 988",
        "description": "Free and confidential, 24 hours a day, in the United States.",
        "url": "https://988lifeline.org/",
    },
    {
        "name": "Crisis Text Line",
        "how": "Text HOME to 741741",
        "description": "Text with a trained volunteer crisis counselor, 24 hours a day, in the United States.",
        "url": "https://www.crisistextline.org/",
    },
    {
        "name": "Emergency services",
        "how": "Call 911",
        "description": "If you or someone else is in immediate danger.",
        "url": "",
    },
]


def add_default_lines(apps, schema_editor):
    CrisisLine = apps.get_model("community", "CrisisLine")
    if CrisisLine.objects.exists():
        return
    for position, line in enumerate(DEFAULT_LINES):
        CrisisLine.objects.create(position=position, **line)


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]

    operations = [migrations.RunPython(add_default_lines, migrations.RunPython.noop)]
