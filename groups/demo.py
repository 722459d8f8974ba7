"""Demo groups, posts and replies for `manage.py seed_demo`. Clearly fictional and idempotent:
a group that already exists (by slug) is left as it is."""

from datetime import time, timedelta

from django.utils import timezone

from groups.meetings import actions as meetings
from groups.meetings import schedule
from groups.membership import actions as membership_actions
from groups.membership.actions import join_group
from groups.membership.counts import recount_members
from groups.models import Group, JoinQuestion, Meeting, Membership, ModerationLog, Topic
from groups.moderation.appeals import appeal_decision
from groups.moderation.content import remove_content
from groups.moderation.intake import create_report
from groups.posts import actions as post_actions
from groups.posts.reactions import toggle_reaction

RULES = """\
1. Be kind and patient. Everyone here is carrying something heavy.
2. What is shared here stays here: no screenshots, no copying, no recording.
3. Speak from your own experience. Do not tell anyone to start, change or stop a treatment.
4. You may talk about suicidal thoughts; do not describe methods, and add a content warning.
5. No selling or recruiting.
"""

DEMO_GROUPS = [
    {
        "slug": "living-with-trd",
        "name": "Living with TRD",
        "description": "Day-to-day support for adults whose depression has not lifted after several treatments.",
        "about": "A steady, gentle space to talk about what it is like when treatments have not worked yet.",
        "format": Group.Format.ONLINE,
        "join_policy": Group.JoinPolicy.OPEN,
        "topics": ["living-with-trd", "medication-changes"],
        "owner": "Harbor Light",
        "moderators": ["Maple_Leaf"],
        "members": ["River", "Juniper", "New Here"],
    },
    {
        "slug": "esketamine-and-ketamine-journeys",
        "name": "Esketamine and Ketamine Journeys",
        "description": "For people considering or going through esketamine (Spravato) or ketamine treatment.",
        "about": "Share what sessions are like, how you get there and home, and what you noticed over time.",
        "format": Group.Format.BOTH,
        "city": "Salt Lake City",
        "region": "Utah",
        "join_policy": Group.JoinPolicy.REQUEST,
        "topics": ["esketamine-ketamine"],
        "owner": "Maple_Leaf",
        "moderators": ["Harbor Light"],
        "members": ["River"],
        "questions": ["What brings you to this group?", "Are you in treatment now, or still deciding?"],
    },
    {
        "slug": "tms-circle-denver",
        "name": "TMS Circle Denver",
        "description": "An in-person circle in Denver for people having or considering TMS.",
        "format": Group.Format.IN_PERSON,
        "city": "Denver",
        "region": "Colorado",
        "join_policy": Group.JoinPolicy.OPEN,
        "topics": ["tms"],
        "owner": "River",
        "moderators": [],
        "members": ["Harbor Light"],
    },
    {
        "slug": "caregivers-corner",
        "name": "Caregivers Corner",
        "description": "Partners, parents and friends supporting someone with hard-to-treat depression.",
        "format": Group.Format.ONLINE,
        "join_policy": Group.JoinPolicy.INVITE,
        "is_listed": False,
        "topics": ["caregivers"],
        "owner": "Juniper",
        "moderators": [],
        "members": [],
    },
]


def seed_groups(members: dict) -> None:
    now = timezone.now()
    for spec in DEMO_GROUPS:
        if Group.objects.filter(slug=spec["slug"]).exists():
            continue
        group = Group.objects.create(
            slug=spec["slug"],
            name=spec["name"],
            description=spec["description"],
            about=spec.get("about", ""),
            rules=RULES,
            format=spec["format"],
            city=spec.get("city", ""),
            region=spec.get("region", ""),
            join_policy=spec["join_policy"],
            is_listed=spec.get("is_listed", True),
            # The demo conversation is written first; holding new members' posts starts after it.
            hold_first_posts=0,
        )
        group.topics.set(Topic.objects.filter(slug__in=spec["topics"]))
        for position, text in enumerate(spec.get("questions", [])):
            JoinQuestion.objects.create(group=group, position=position, text=text)
        roles = [(spec["owner"], Membership.Role.OWNER)]
        roles += [(name, Membership.Role.MODERATOR) for name in spec["moderators"]]
        roles += [(name, Membership.Role.MEMBER) for name in spec["members"]]
        for name, role in roles:
            Membership.objects.create(
                group=group,
                user=members[name],
                role=role,
                status=Membership.Status.ACTIVE,
                rules_accepted_at=now,
                joined_at=now,
            )
        recount_members(Group.objects.filter(pk=group.pk))
    _seed_conversation(members)
    _seed_moderation(members)
    seed_meetings(members)


def _seed_conversation(members: dict) -> None:
    group = Group.objects.get(slug="living-with-trd")
    if group.posts.exists():
        return
    welcome = post_actions.create_post(
        author=members["Harbor Light"],
        group=group,
        title="Welcome: introduce yourself if you like",
        body="Hello and welcome. There is no pressure to share anything. If you want, tell us a little about "
        "where you are right now: what you have tried, what you hope for, or just how today is going.",
    )
    post_actions.set_post_state(moderator=members["Harbor Light"], post=welcome, pinned=True)
    post_actions.create_reply(
        author=members["River"],
        post=welcome,
        body="Hi all. Fourth medication so far. Some days are better than others; glad to find people who get it.",
    )
    reply = post_actions.create_reply(
        author=members["Juniper"],
        post=welcome,
        body="Welcome @River. I remember the fourth-medication feeling. It did get easier to talk about here.",
    )
    toggle_reaction(user=members["River"], reply=reply, kind="thank_you")
    toggle_reaction(user=members["Maple_Leaf"], post=welcome, kind="support")

    post_actions.create_post(
        author=members["River"],
        group=group,
        title="A harder week",
        body="This week the old heavy thoughts came back. I made a plan with my therapist and I am using it. "
        "Writing it here helps me feel less alone with it.",
        content_warning="suicidal thoughts (no details)",
    )
    anonymous = post_actions.create_post(
        author=members["Juniper"],
        group=group,
        title="Telling my family about treatment",
        body="I have not told my family I am starting a new treatment. How did you decide who to tell?",
        is_anonymous=True,
    )
    post_actions.create_reply(
        author=members["Maple_Leaf"],
        post=anonymous,
        body="I told one person first, someone I trusted to listen without fixing. That made the rest easier.",
    )
    toggle_reaction(user=members["River"], post=anonymous, kind="me_too")
    # Make the demo look lived-in: spread the activity over a few days.
    for offset, post in enumerate(group.posts.order_by("pk")):
        earlier = timezone.now() - timedelta(days=3 - offset)
        group.posts.filter(pk=post.pk).update(last_activity_at=earlier)


def _seed_moderation(members: dict) -> None:
    """Give Harbor Light (a moderator) a queue with one of each kind of item."""
    group = Group.objects.get(slug="living-with-trd")
    if group.posts.filter(title="Hi, I am new").exists():
        return
    group.hold_first_posts = 1
    group.save(update_fields=["hold_first_posts"])
    # A new member's first post, held for review.
    post_actions.create_post(
        author=members["New Here"],
        group=group,
        title="Hi, I am new",
        body="Diagnosed with TRD last year. Starting to look into TMS. Glad this group exists.",
    )
    # A reply with crisis language, written with care: flagged as possible risk.
    thread = group.posts.get(title="A harder week")
    post_actions.create_reply(
        author=members["Juniper"],
        post=thread,
        body="Some nights I catch myself thinking everyone would be better off without me. I am safe tonight "
        "and I have told my partner, but I wanted to say it somewhere I would be understood.",
        content_warning="suicidal thoughts (no details)",
    )
    # A report about a post that tells others to stop their medication.
    risky = post_actions.create_post(
        author=members["River"],
        group=group,
        title="Stopped my meds",
        body="I stopped my antidepressant all at once last week and feel fine. Everyone should just try it.",
    )
    create_report(
        reporter=members["Juniper"],
        group=group,
        post=risky,
        reason="misinformation",
        note="This could be dangerous for someone to copy.",
    )
    # A decision by Maple that Juniper appeals: it goes to the other moderator, Harbor Light.
    removed = post_actions.create_reply(
        author=members["Juniper"],
        post=group.posts.get(title="Telling my family about treatment"),
        body="My last hospital stay was awful and I still have flashbacks about it.",
    )
    remove_content(
        moderator=members["Maple_Leaf"],
        content=removed,
        reason="no_warning",
        note="Please add a content warning and post it again.",
    )
    decision = ModerationLog.objects.filter(reply=removed, action=ModerationLog.Action.REMOVED).latest("id")
    appeal_decision(
        user=members["Juniper"], decision=decision, text="I did not think of it as a hard topic; I can add a warning."
    )
    # A join request waiting in a group Harbor Light also moderates.
    membership_actions.join_group(
        user=members["New Here"],
        group=Group.objects.get(slug="esketamine-and-ketamine-journeys"),
        accepted_rules=True,
        answers=["I start Spravato next month and feel nervous.", "Still deciding, really."],
    )


def seed_meetings(members: dict) -> None:
    """Weekly online and in-person series in different zones; one date cancelled, one
    nearly full with a waitlist."""
    if Meeting.objects.exists():
        return
    today = timezone.localdate()
    trd = Group.objects.get(slug="living-with-trd")
    online = meetings.schedule_meeting(
        organiser=members["Harbor Light"],
        group=trd,
        title="Tuesday evening circle",
        kind=Meeting.Kind.ONLINE,
        description="An hour to check in with each other. Cameras optional; listening is enough.",
        video_url="https://video.example.org/demo-room-tuesday",
        time_zone="America/Denver",
        starts_on=today + timedelta(days=(1 - today.weekday()) % 7 or 7),
        start_time=time(19, 0),
        duration_minutes=60,
        capacity=None,
        rrule=schedule.build_rule(frequency="weekly", starts_on=today, start_time=time(19, 0), zone="America/Denver"),
    )
    first, second = online.occurrences.order_by("start")[:2]
    meetings.cancel_occurrence(
        organiser=members["Harbor Light"], occurrence=second, note="A holiday week: we will meet again the week after."
    )
    for name in ["River", "Juniper", "Maple_Leaf"]:
        meetings.rsvp(user=members[name], occurrence=first)

    denver = Group.objects.get(slug="tms-circle-denver")
    starts = today + timedelta(days=(3 - today.weekday()) % 7 or 7)
    in_person = meetings.schedule_meeting(
        organiser=members["River"],
        group=denver,
        title="TMS circle at the library",
        kind=Meeting.Kind.IN_PERSON,
        description="Coffee and conversation about TMS. Newcomers welcome.",
        place_name="Sample Branch Library, Room 2",
        address="100 Example Street, Denver, CO",
        access_notes="Step-free entrance on the east side; quiet room available.",
        time_zone="America/Denver",
        starts_on=starts,
        start_time=time(18, 30),
        duration_minutes=90,
        capacity=2,
        rrule=schedule.build_rule(
            frequency="biweekly", starts_on=starts, start_time=time(18, 30), zone="America/Denver", count=8
        ),
    )
    full = in_person.occurrences.order_by("start").first()
    meetings.rsvp(user=members["River"], occurrence=full)
    meetings.rsvp(user=members["Harbor Light"], occurrence=full)
    join_group(user=members["New Here"], group=denver, accepted_rules=True)
    meetings.rsvp(user=members["New Here"], occurrence=full)  # the waitlist

    esk = Group.objects.get(slug="esketamine-and-ketamine-journeys")
    meetings.schedule_meeting(
        organiser=members["Maple_Leaf"],
        group=esk,
        title="Treatment-day debrief (UK evening)",
        kind=Meeting.Kind.HYBRID,
        video_url="https://video.example.org/demo-room-debrief",
        place_name="Sample Community Centre",
        address="1 Example Road, London",
        time_zone="Europe/London",
        starts_on=today + timedelta(days=10),
        start_time=time(18, 0),
        duration_minutes=60,
        capacity=12,
        rrule=schedule.build_rule(
            frequency="monthly",
            starts_on=today + timedelta(days=10),
            start_time=time(18, 0),
            zone="Europe/London",
            count=6,
        ),
    )
