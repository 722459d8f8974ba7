from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from community.demo import members as demo
from community.demo import resources as resources_demo
from community.demo import scale
from community.journal.demo import seed_journal
from groups.demo import seed_groups


class Command(BaseCommand):
    help = "Fill an empty database with a small, clearly fictional demo community. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["medium", "large"],
            help="Instead of the small demo, build a large fictional community for load tests "
            "(large: 20,000 members, 200,000 posts, 1,000,000 replies; medium: a tenth).",
        )

    def handle(self, *args, **options):
        if options["scale"]:
            self.seed_scale(options["scale"])
            return
        with transaction.atomic():
            members = demo.seed_members()
            seed_groups(members)
            resources_demo.seed_resources()
            seed_journal(members["River"])
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Log in with any of these (password below):"))
        for email, display_name, _zone, is_staff in demo.DEMO_MEMBERS:
            role = " (staff)" if is_staff else ""
            self.stdout.write(f"  {email:<24} {display_name}{role}")
        self.stdout.write(f"  password: {demo.DEMO_PASSWORD}")

    def seed_scale(self, name: str) -> None:
        if scale.already_seeded():
            raise CommandError("This database already holds scale data; use a fresh database to build it again.")
        progress = scale.seed_scale(scale.SIZES[name], progress=scale.Progress(self.stdout))
        total = sum(progress.timings.values())
        self.stdout.write(self.style.SUCCESS(f"Scale data ({name}) is ready in {total:.0f}s. Accounts for load tests:"))
        self.stdout.write(f"  {scale.FACILITATOR_EMAIL} (owns {scale.BUSY_GROUP_SLUG}), {scale.MEMBER_EMAIL}")
        self.stdout.write(f"  password: {scale.SCALE_PASSWORD}")
