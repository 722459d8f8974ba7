"""The groups, a few busy ones and a long tail of quiet ones, and who belongs to each."""

from collections import defaultdict
from datetime import timedelta

from community.demo.scale.build import Builder, cumulative, pick
from groups.models import Group, Membership, Topic

BUSY_GROUP_SLUG = "sample-circle-0"  # group 0, the busiest: the benchmark's two accounts belong to it
TOPIC_NAMES = ["Living with TRD", "Esketamine", "TMS", "Carers", "New diagnosis", "Self-care", "Evenings"]


def seed_groups(build: Builder) -> None:
    build.progress.start("groups")
    rng = build.rng
    groups = build.insert(
        Group,
        (
            Group(
                name=f"Sample circle {n}: {TOPIC_NAMES[n % len(TOPIC_NAMES)]}",
                slug=f"sample-circle-{n}",
                description=f"A fictional group for load tests, about {TOPIC_NAMES[n % len(TOPIC_NAMES)].lower()}.",
                rules="1. Be kind.\n2. What is shared here stays here.\n3. No method details.",
                format=rng.choice(Group.Format.values),
                join_policy=Group.JoinPolicy.OPEN if n % 5 else Group.JoinPolicy.REQUEST,
                # A few unlisted groups, as real communities have; never the busiest.
                is_listed=n == 0 or n % 23 != 0,
                hold_first_posts=0,
            )
            for n in range(build.sizes.groups)
        ),
        build.sizes.groups,
    )
    build.group_ids = [group.pk for group in groups]
    topics = list(Topic.objects.values_list("pk", flat=True))
    if topics:
        Through = Group.topics.through
        Through.objects.bulk_create(
            Through(group_id=group_id, topic_id=topic)
            for n, group_id in enumerate(build.group_ids)
            for topic in {topics[n % len(topics)], topics[(n * 7) % len(topics)]}
        )
    # Zipf-like: a few busy groups, a long tail of quiet ones.
    build.group_weights = cumulative(1 / (rank + 1) ** 0.8 for rank in range(len(build.group_ids)))
    build.progress.finish()


def seed_memberships(build: Builder) -> None:
    build.progress.start("memberships")
    rng = build.rng
    chosen: dict[int, set[int]] = defaultdict(set)  # group index -> user indexes
    for index in range(len(build.user_ids)):
        for _ in range(rng.randint(1, 9)):
            chosen[pick(rng, build.group_weights)].add(index)
    # The benchmark's two accounts are in the busiest group and a handful of others.
    for index in (0, 1):
        for group_index in range(min(6, len(build.group_ids))):
            chosen[group_index].add(index)
    rows = []
    for group_index, people in chosen.items():
        ordered = sorted(people)
        group_id = build.group_ids[group_index]
        # The facilitator owns the busiest group; elsewhere the first members lead. The
        # benchmark's member (index 1) leads nowhere, so that it sees what members see.
        others = [i for i in ordered if i > 1]
        leaders = [0, *others[:2]] if group_index == 0 else others[:3]
        active = []
        for index in ordered:
            status = Membership.Status.ACTIVE
            if index not in leaders and index > 1 and rng.random() < 0.03:
                status = rng.choice([Membership.Status.PENDING, Membership.Status.LEFT, Membership.Status.BANNED])
            role = Membership.Role.MEMBER
            if index in leaders:
                role = Membership.Role.OWNER if index == leaders[0] else Membership.Role.MODERATOR
            joined = build.now - timedelta(days=rng.randint(30, 700))
            rows.append(
                Membership(
                    group_id=group_id,
                    user_id=build.user_ids[index],
                    role=role,
                    status=status,
                    rules_accepted_at=joined,
                    joined_at=joined if status != Membership.Status.PENDING else None,
                    requested_at=joined if status == Membership.Status.PENDING else None,
                )
            )
            if status == Membership.Status.ACTIVE:
                active.append(build.user_ids[index])
        build.members_of[group_id] = active
        build.moderators_of[group_id] = [build.user_ids[index] for index in leaders]
    build.insert(Membership, rows, len(rows))
    build.progress.finish()
