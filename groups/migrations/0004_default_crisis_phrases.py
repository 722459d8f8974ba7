from django.db import migrations

# A starting list of phrases that can signal risk, drawn from the warning signs that
# crisis services publish. Staff edit it in the admin. A match never deletes anything:
# it shows the author crisis resources and puts the item first in the moderators' queue.
PHRASES = [
    "kill myself",
    "killing myself",
    "end my life",
    "ending my life",
    "take my life",
    "want to die",
    "wanna die",
    "wish I was dead",
    "wish I were dead",
    "better off dead",
    "better off without me",
    "no reason to live",
    "not worth living",
    "can't go on",
    "cannot go on",
    "end it all",
    "suicidal",
    "suicide",
    "hurt myself",
    "harm myself",
    "self harm",
    "don't want to be here anymore",
    "don't want to wake up",
    "goodbye forever",
    "made a plan",
]


def add_phrases(apps, schema_editor):
    CrisisPhrase = apps.get_model("groups", "CrisisPhrase")
    for phrase in PHRASES:
        CrisisPhrase.objects.get_or_create(phrase=phrase)


class Migration(migrations.Migration):
    dependencies = [("groups", "0003_add_moderation")]

    operations = [migrations.RunPython(add_phrases, migrations.RunPython.noop)]
