from django.core.management.base import BaseCommand
from django.db import transaction

from community import demo, resources_demo
from groups.demo import seed_groups


class Command(BaseCommand):
    help = "Fill an empty database with a small, clearly fictional demo community. Safe to run twice."

    def handle(self, *args, **options):
        with transaction.atomic():
            members = demo.seed_members()
            seed_groups(members)
            resources_demo.seed_resources()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Log in with any of these (password below):"))
        for email, display_name, _zone, is_staff in demo.DEMO_MEMBERS:
            role = " (staff)" if is_staff else ""
            self.stdout.write(f"  {email:<24} {display_name}{role}")
        self.stdout.write(f"  password: {demo.DEMO_PASSWORD}")
