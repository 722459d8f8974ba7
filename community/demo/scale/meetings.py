"""Meeting series in the busiest groups, their dates, and who said they would come."""

from datetime import datetime, timedelta

from django.utils import timezone

from community.demo.scale.build import ZONES, Builder, pick
from groups.meetings import schedule
from groups.models import CalendarFeed, Meeting, Occurrence, Rsvp


def seed_meetings(build: Builder) -> None:
    build.progress.start("meetings")
    rng = build.rng
    today = timezone.localdate()
    meetings = []
    for n in range(build.sizes.meetings):
        # The busiest groups meet most; every benchmark account's groups have some.
        group_id = (
            build.group_ids[n % min(6, len(build.group_ids))]
            if n < 30
            else build.group_ids[pick(rng, build.group_weights)]
        )
        meetings.append(
            Meeting(
                group_id=group_id,
                title=f"Sample {rng.choice(['check-in', 'sharing circle', 'coping skills', 'carers evening'])} {n}",
                description="A fictional meeting for load tests.",
                kind=rng.choice(Meeting.Kind.values),
                video_url="https://meet.example.org/sample-" + str(n),
                place_name="Sample Community Hall",
                time_zone=rng.choice(ZONES),
                starts_on=today - timedelta(days=rng.randint(0, 60)),
                start_time=rng.choice([datetime.min.time().replace(hour=h) for h in (10, 13, 18, 19, 20)]),
                duration_minutes=rng.choice([60, 75, 90]),
                rrule=rng.choice(
                    ["FREQ=WEEKLY;COUNT=20", "FREQ=WEEKLY;INTERVAL=2;COUNT=12", "FREQ=MONTHLY;BYDAY=+1TU;COUNT=8"]
                ),
                capacity=rng.choice([None, 12, 20, 30]),
                created_by_id=(build.moderators_of.get(group_id) or build.user_ids[:1])[0],
            )
        )
    meetings = Meeting.objects.bulk_create(meetings, batch_size=build.batch)
    occurrences = []
    for meeting in meetings:
        for slot in schedule.expand(
            rule=meeting.rrule,
            starts_on=meeting.starts_on,
            start_time=meeting.start_time,
            zone=meeting.time_zone,
            duration_minutes=meeting.duration_minutes,
        ):
            occurrences.append(
                Occurrence(
                    meeting_id=meeting.pk,
                    original_start=slot.start,
                    start=slot.start,
                    end=slot.end,
                    is_cancelled=rng.random() < 0.02,
                )
            )
    occurrences = build.insert(Occurrence, occurrences, len(occurrences))
    group_of_meeting = {meeting.pk: meeting.group_id for meeting in meetings}
    capacity_of = {meeting.pk: meeting.capacity for meeting in meetings}
    benchmark_people = set(build.user_ids[:2])
    member_sets = {group_id: set(people) for group_id, people in build.members_of.items()}
    regulars_go_to = {meeting.pk for meeting in meetings[:6]}
    rsvps = []
    for occurrence in occurrences:
        if occurrence.is_cancelled:
            continue
        members = build.members_of.get(group_of_meeting[occurrence.meeting_id]) or []
        capacity = capacity_of[occurrence.meeting_id] or 40
        wanted = min(len(members), rng.randint(0, 8))
        going = set(rng.sample(members, wanted))
        if occurrence.meeting_id in regulars_go_to:
            # The benchmark accounts go to every date of a few series, as regulars do.
            going |= benchmark_people & member_sets.get(group_of_meeting[occurrence.meeting_id], set())
        for position, user_id in enumerate(sorted(going)):
            status = Rsvp.Status.CONFIRMED if position < capacity else Rsvp.Status.WAITLISTED
            rsvps.append(
                Rsvp(
                    occurrence_id=occurrence.pk,
                    user_id=user_id,
                    status=status,
                    requested_at=occurrence.start - timedelta(days=rng.randint(1, 20)),
                )
            )
    build.insert(Rsvp, rsvps, len(rsvps))
    CalendarFeed.objects.bulk_create(CalendarFeed(user_id=user_id) for user_id in build.user_ids[:2])
    build.progress.finish()
