"""Every denormalised count (Group.member_count, Post.reply_count, Occurrence.confirmed_count),
computed from the rows the other stages wrote: right by construction, not by bookkeeping."""

from django.db import connection
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from community.demo.scale.build import Builder
from groups.membership.counts import recount_members
from groups.models import Group, Occurrence, Post, Rsvp
from groups.posts.counts import recount_replies


def recount(build: Builder) -> None:
    build.progress.start("counters")
    if connection.vendor == "postgresql":
        # The tables were empty when last analysed: without fresh statistics the planner
        # counts each post's replies with a sequential scan (80 s at medium, not 2 s).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE groups_membership, groups_reply, groups_rsvp, groups_post, groups_occurrence")
    recount_members(Group.objects.filter(pk__in=build.group_ids))
    build.progress.update(1, 3)
    recount_replies(Post.objects.filter(group_id__in=build.group_ids))
    build.progress.update(2, 3)
    going = Rsvp.objects.filter(occurrence=OuterRef("pk"), status=Rsvp.Status.CONFIRMED)
    Occurrence.objects.filter(meeting__group_id__in=build.group_ids).update(
        confirmed_count=Coalesce(Subquery(going.values("occurrence").annotate(n=Count("pk")).values("n")), 0)
    )
    build.progress.update(3, 3)
    build.progress.finish()
