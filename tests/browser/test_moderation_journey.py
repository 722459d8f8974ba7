"""Moderation as volunteers and members live it, in the browser."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Membership, ModerationLog, Post, Reply
from groups.moderation.suspensions import suspend_account

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
A = ModerationLog.Action


@pytest.fixture
def circle(make_group, make_member, add_member):
    group = make_group("Living with TRD", slug="trd", hold_first_posts=1, rules="Be kind. No method details.")
    people = {name: make_member(name) for name in ["Fern", "River", "Maple", "Juniper"]}
    add_member(group, people["Fern"])
    add_member(group, people["River"])
    add_member(group, people["Maple"], role="moderator")
    add_member(group, people["Juniper"], role="moderator")
    return group, people


def write_post(session, title, body):
    session.goto("/groups/trd/posts/new/")
    session.page.get_by_label("Title").fill(title)
    session.page.get_by_label("What would you like to say?").fill(body)
    session.page.get_by_role("button", name="Publish post").click()


def decide(session, item_heading, decision, reason=None, note=""):
    card = session.page.locator("article.queue-item", has=session.page.get_by_role("heading", name=item_heading))
    card.get_by_text("Decide").first.click()
    card.get_by_label(decision).check()
    if reason:
        card.get_by_label("Reason", exact=True).select_option(label=reason)
    if note:
        card.get_by_label("Note to the member").fill(note)
    card.get_by_role("button", name="Save decision").click()


def test_first_post_is_held_then_approved_and_visible(open_session, circle):
    group, people = circle
    fern = open_session("fern")
    fern.login_as(people["Fern"])
    write_post(fern, "Hello from Fern", "First time posting here.")
    expect(fern.page.get_by_text("A moderator will read this before others see it")).to_be_visible()
    expect(fern.page.get_by_text("Waiting for review").first).to_be_visible()
    fern.check("held-post-author")

    river = open_session("river")
    river.login_as(people["River"])
    river.goto("/groups/trd/posts/")
    assert river.page.get_by_text("Hello from Fern").count() == 0

    maple = open_session("maple")
    maple.login_as(people["Maple"])
    maple.goto("/moderation/")
    expect(maple.page.get_by_text("Post waiting for review · Living with TRD")).to_be_visible()
    maple.check("queue-held")
    decide(maple, "Post waiting for review · Living with TRD", "Publish")
    expect(maple.page.get_by_text("Nothing is waiting.")).to_be_visible()

    # The promise "you will get a notification" is kept.
    fern.goto("/notifications/")
    expect(fern.page.get_by_role("link", name="Your post in Living with TRD was approved")).to_be_visible()
    fern.check("approved-notification")

    river.goto("/groups/trd/posts/")
    expect(river.page.get_by_role("link", name="Hello from Fern")).to_be_visible()
    maple.goto("/moderation/log/")
    expect(maple.page.get_by_role("cell", name="Held for review by a rule")).to_be_visible()
    expect(maple.page.get_by_role("cell", name="Approved")).to_be_visible()
    maple.check("log")


def test_crisis_words_show_help_and_go_to_the_top_of_the_queue(open_session, circle, make_post):
    group, people = circle
    group.hold_first_posts = 0
    group.save()
    make_post(group, people["River"], title="An ordinary week")
    fern = open_session("fern")
    fern.login_as(people["Fern"])
    write_post(fern, "Tonight", "Honestly I want to end my life. I am so tired.")
    expect(fern.page.get_by_role("heading", name="Thank you for sharing this. You are not alone.")).to_be_visible()
    expect(fern.page.get_by_text("Call or text 988").first).to_be_visible()
    fern.check("crisis-support")

    maple = open_session("maple")
    maple.login_as(people["Maple"])
    maple.goto("/moderation/")
    first = maple.page.locator("article.queue-item").first
    assert "Possible risk" in first.inner_text()
    # Risky content stays collapsed until the moderator opens it.
    expect(maple.page.get_by_text("I want to end my life")).not_to_be_visible()
    first.get_by_text("open to read").click()
    expect(maple.page.get_by_text("I want to end my life")).to_be_visible()
    maple.check("queue-risk")
    assert Post.objects.get(title="Tonight").status == "published"


def test_report_leads_to_removal_then_the_author_appeals(open_session, circle, make_post):
    group, people = circle
    group.hold_first_posts = 0
    group.save()
    post = make_post(group, people["Fern"], title="Dosing advice", body="Everyone should double their dose.")

    river = open_session("river")
    river.login_as(people["River"])
    river.goto(post.get_absolute_url())
    river.page.get_by_role("link", name="Report this post").click()
    river.page.get_by_label("Misinformation about treatment").check()
    river.check("report-form")
    river.page.get_by_role("button", name="Send report").click()
    expect(river.page.get_by_text("Thank you. A moderator will look at it")).to_be_visible()

    maple = open_session("maple")
    maple.login_as(people["Maple"])
    maple.goto("/moderation/")
    decide(
        maple,
        "Report · Living with TRD",
        "Remove it, with a reason",
        reason="Telling others to change treatment, or misinformation about treatment",
        note="Please share what worked for you instead.",
    )
    post.refresh_from_db()
    assert post.status == "removed"

    fern = open_session("fern")
    fern.login_as(people["Fern"])
    fern.goto("/notifications/")
    fern.page.get_by_role("link", name="A moderator's decision in Living with TRD").click()
    expect(fern.page.get_by_text("Please share what worked for you instead.")).to_be_visible()
    assert fern.page.get_by_text("River").count() == 0  # the reporter stays anonymous
    fern.check("my-decisions")
    fern.page.get_by_role("link", name="Appeal this decision").click()
    fern.page.get_by_label("Why should this decision change?").fill("I was describing my own plan, not advising.")
    fern.check("appeal")
    fern.page.get_by_role("button", name="Send appeal").click()
    expect(fern.page.get_by_text("Your appeal is sent")).to_be_visible()

    # Maple decided, so the appeal goes to the other moderator.
    maple.goto("/moderation/")
    assert maple.page.get_by_text("Appeal · Living with TRD").count() == 0
    juniper = open_session("juniper")
    juniper.login_as(people["Juniper"])
    juniper.goto("/moderation/")
    expect(juniper.page.get_by_text("I was describing my own plan, not advising.")).to_be_visible()
    juniper.check("queue-appeal")
    actions = list(ModerationLog.objects.filter(post=post).order_by("id").values_list("action", flat=True))
    assert actions == [A.REMOVED, A.APPEALED]


def test_mute_stops_posting_and_ends_by_itself(open_session, circle, make_post):
    group, people = circle
    group.hold_first_posts = 0
    group.save()
    membership = Membership.objects.get(user=people["Fern"])
    maple = open_session("maple")
    maple.login_as(people["Maple"])
    maple.goto(f"/groups/trd/members/{membership.pk}/moderate/")
    maple.page.get_by_label("Mute: they can read, not post or react").check()
    maple.page.get_by_label("Mute for").select_option(label="1 hour")
    maple.page.get_by_label("Reason").select_option(label="Unkind, harassing or bullying")
    maple.check("member-moderate")
    maple.page.get_by_role("button", name="Save").click()
    expect(maple.page.get_by_text("The member has been told")).to_be_visible()

    fern = open_session("fern")
    fern.login_as(people["Fern"])
    fern.goto("/groups/trd/posts/")
    expect(fern.page.get_by_text("A moderator has muted you in this group until")).to_be_visible()
    assert fern.page.get_by_role("link", name="New post").count() == 0
    fern.check("muted")

    # An hour later (moved by the test), the mute has ended by itself.
    Membership.objects.filter(pk=membership.pk).update(muted_until=timezone.now() - timedelta(minutes=1))
    write_post(fern, "Back again", "Thanks for the pause.")
    expect(fern.page.get_by_text("Your post is published.")).to_be_visible()
    assert ModerationLog.objects.filter(action=A.MUTED, target_user=people["Fern"]).exists()


def test_suspended_account_is_refused_at_login(open_session, circle, staff):
    group, people = circle
    suspend_account(staff=staff, user=people["River"], days=7, reason_text="Repeated harassment")
    visitor = open_session("river")
    visitor.goto("/accounts/login/")
    visitor.page.get_by_label("Email").fill(people["River"].email)
    visitor.page.get_by_label("Password").fill("a-long-password-1")
    visitor.page.get_by_role("button", name="Log in").click()
    expect(visitor.page.get_by_role("heading", name="This account is suspended")).to_be_visible()
    expect(visitor.page.get_by_text("You can log in again after")).to_be_visible()
    expect(visitor.page.get_by_role("banner").get_by_role("link", name="Get help now")).to_be_visible()
    visitor.check("suspended")
    assert ModerationLog.objects.filter(action=A.SUSPENDED, target_user=people["River"]).exists()


def test_a_new_account_over_its_limit_writing_crisis_words_is_heard(open_session, circle, make_post, make_member):
    group, people = circle
    group.hold_first_posts = 0
    group.save()
    post = make_post(group, people["River"], title="How is everyone tonight?")
    newcomer = make_member("Sage", date_joined=timezone.now())
    Membership.objects.create(group=group, user=newcomer, status="active", rules_accepted_at=timezone.now())
    for n in range(5):
        Reply.objects.create(post=post, author=newcomer, body=f"Earlier {n}", body_html="", status="published")

    sage = open_session("sage")
    sage.login_as(newcomer)
    sage.goto(post.get_absolute_url())
    sage.page.get_by_label("Your reply").fill("I can't go on, I want to die.")
    sage.page.get_by_role("button", name="Post reply").click()
    # Refused by the limit, but crisis help comes first and nothing typed is lost.
    expect(sage.page.get_by_text("New accounts can post a few times an hour")).to_be_visible()
    expect(sage.page.get_by_role("heading", name="Thank you for sharing this. You are not alone.")).to_be_visible()
    assert sage.page.get_by_label("Your reply").input_value() == "I can't go on, I want to die."
    sage.check("limit-with-crisis-panel")

    maple = open_session("maple")
    maple.login_as(people["Maple"])
    maple.goto("/moderation/")
    first = maple.page.locator("article.queue-item").first
    assert "Crisis words in a message that was not published" in first.inner_text()
    first.get_by_text("open to read").click()
    expect(first.get_by_text("I want to die")).to_be_visible()
    maple.check("queue-refused-risk")
    decide(
        maple,
        "Possible risk Crisis words in a message that was not published · Living with TRD",
        "I checked in with them",
    )
    expect(maple.page.get_by_text("Thank you for checking in")).to_be_visible()
    assert not Reply.objects.filter(body__contains="want to die").exists()
