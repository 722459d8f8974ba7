from django.db import migrations

from community.library.articles import load_articles


def load(apps, schema_editor):
    # The loader only creates missing articles, with fields that exist since 0004, so
    # it is safe to call with the historical models here. If the Article model ever
    # changes in a way the loader cannot follow, freeze a copy of it in this file.
    load_articles(
        article_model=apps.get_model("community", "Article"),
        source_model=apps.get_model("community", "ArticleSource"),
    )


class Migration(migrations.Migration):
    dependencies = [("community", "0004_add_resources_and_care_directory")]

    # Unloading would delete staff edits too, so going back leaves the articles in place.
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
