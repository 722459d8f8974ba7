from django.core.management.base import BaseCommand

from community.library.articles import ARTICLES_DIR, load_articles


class Command(BaseCommand):
    help = (
        "Add the articles in community/library/content/articles/ that the database does not have yet. "
        "Existing articles are left as they are, so edits made on the site are kept."
    )

    def handle(self, *args, **options):
        created = load_articles()
        self.stdout.write(self.style.SUCCESS(f"{created} new article(s) added from {ARTICLES_DIR}."))
