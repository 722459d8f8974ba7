"""Groups as people use them: find, read the rules, join, post, reply, react, be notified."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Invite, JoinQuestion, Membership, Post
from groups.posts.counts import recount_replies

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

RULES = "1. Be kind.\n2. No method details.\n3. What is shared here stays here."


def test_member_finds_joins_posts_with_warning_and_hears_of_a_reply(open_session, make_member, make_group, add_member):
    group = make_group(
        "Living with TRD",
        slug="living-with-trd",
        rules=RULES,
        description="Day-to-day support when treatments have not worked yet.",
    )
    make_group("Caregivers Corner", description="For people supporting someone.")
    fern = make_member("Quiet Fern")
    river = make_member("River")
    add_member(group, river)

    me = open_session("fern")
    me.login_as(fern)
    me.goto("/groups/")
    me.page.get_by_label("Search groups").fill("treatments")
    me.page.get_by_role("button", name="Show groups").click()
    me.check("directory-search")
    me.page.get_by_role("link", name="Living with TRD").click()
    expect(me.page.get_by_text("No method details.")).to_be_visible()
    me.check("group-about")
    me.page.get_by_role("link", name="Join group").click()
    me.page.get_by_label("I have read the group's rules").check()
    me.check("join")
    me.page.get_by_role("button", name="Join group").click()
    expect(me.page.get_by_text("Welcome to Living with TRD")).to_be_visible()
    assert Membership.objects.get(user=fern).rules_accepted_at is not None

    me.page.get_by_role("link", name="New post").click()
    me.page.get_by_label("Title").fill("A hard week")
    me.page.get_by_label("What would you like to say?").fill("The dark thoughts came back, but I have a plan.")
    me.page.get_by_label("Content warning").fill("suicidal thoughts (no details)")
    me.check("new-post")
    # Preview first: the text as it will be published, behind its warning; nothing saved.
    me.page.get_by_role("button", name="Preview").click()
    preview = me.page.get_by_role("region", name="Preview")
    expect(preview.get_by_text("Content warning: suicidal thoughts (no details)")).to_be_visible()
    expect(preview.get_by_text("The dark thoughts came back")).not_to_be_visible()
    assert not Post.objects.filter(title="A hard week").exists()
    assert me.page.get_by_label("Title").input_value() == "A hard week"
    me.check("new-post-preview")
    me.page.get_by_role("button", name="Publish post").click()
    me.page.wait_for_url(re.compile(r"/posts/\d+/$"))
    summary = me.page.get_by_text("Content warning: suicidal thoughts (no details)")
    expect(summary).to_be_visible()
    expect(me.page.get_by_text("The dark thoughts came back")).not_to_be_visible()  # collapsed until opened
    summary.click()
    expect(me.page.get_by_text("The dark thoughts came back")).to_be_visible()
    me.check("post-with-warning")

    friend = open_session("river")
    friend.login_as(river)
    friend.goto("/groups/living-with-trd/posts/")
    friend.check("post-list")
    friend.page.get_by_role("link", name="A hard week").click()
    friend.page.get_by_label("Your reply").fill("I am glad you have a plan. Sending strength.")
    friend.page.get_by_role("button", name="Post reply").click()
    friend.page.wait_for_url(re.compile(r"\?latest=1#reply-\d+$"))  # on the page that ends with the reply
    expect(friend.page.get_by_text("I am glad you have a plan. Sending strength.")).to_be_visible()
    friend.page.get_by_role("button", name="Sending support").first.click()
    expect(friend.page.get_by_role("button", name="Sending support 1")).to_be_visible()
    friend.check("thread")

    me.goto("/")
    # The account menu in the header says something is waiting, and opens to the link.
    me.page.get_by_role("banner").get_by_text("Quiet Fern").click()
    me.page.get_by_role("link", name=re.compile(r"^Notifications\W+1 unread$")).click()
    me.page.wait_for_url("**/notifications/")
    expect(me.page.get_by_text("New reply in Living with TRD")).to_be_visible()
    me.check("notifications")
    me.page.get_by_role("link", name="New reply in Living with TRD").click()
    expect(me.page.get_by_text("I am glad you have a plan.")).to_be_visible()


def test_request_to_join_is_approved_by_a_moderator(open_session, make_member, make_group, add_member):
    group = make_group("Esketamine Journeys", slug="esketamine", join_policy="request", rules=RULES)
    JoinQuestion.objects.create(group=group, text="What brings you here?")
    moderator, asker = make_member("Maple"), make_member("Juniper")
    add_member(group, moderator, role="moderator")

    me = open_session("asker")
    me.login_as(asker)
    me.goto("/groups/esketamine/")
    me.page.get_by_role("link", name="Request to join").click()
    me.page.get_by_label("What brings you here?").fill("Starting Spravato next month.")
    me.page.get_by_label("I have read the group's rules").check()
    me.check("request-form")
    me.page.get_by_role("button", name="Send request").click()
    expect(me.page.get_by_text("Your request is sent")).to_be_visible()

    mod = open_session("moderator")
    mod.login_as(moderator)
    mod.goto("/groups/esketamine/requests/")
    expect(mod.page.get_by_text("Starting Spravato next month.")).to_be_visible()
    mod.check("join-requests")
    mod.page.get_by_label("Approve").check()
    mod.page.get_by_role("button", name="Save decision").click()
    assert Membership.objects.get(user=asker).status == "active"

    me.goto("/notifications/")
    expect(me.page.get_by_role("link", name="Welcome to Esketamine Journeys")).to_be_visible()
    me.goto("/groups/esketamine/posts/")
    expect(me.page.get_by_role("link", name="New post")).to_be_visible()


def test_invite_link_works_then_is_refused_once_expired(open_session, make_member, make_group):
    group = make_group("Caregivers Corner", slug="caregivers", join_policy="invite", is_listed=False, rules=RULES)
    invite = Invite.objects.create(group=group, expires_at=timezone.now() + timedelta(days=2))
    guest, latecomer = make_member("Guest"), make_member("Latecomer")

    me = open_session("guest")
    me.login_as(guest)
    me.goto(f"/groups/invite/{invite.token}/")
    me.check("invite")
    me.page.get_by_label("I have read the group's rules").check()
    me.page.get_by_role("button", name="Join group").click()
    expect(me.page.get_by_text("Welcome to Caregivers Corner")).to_be_visible()

    Invite.objects.filter(pk=invite.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    late = open_session("latecomer")
    late.login_as(latecomer)
    late.goto(f"/groups/invite/{invite.token}/")
    expect(late.page.get_by_role("heading", name="This invite link cannot be used")).to_be_visible()
    expect(late.page.get_by_text("This invite link has expired.")).to_be_visible()
    late.check("invite-expired")
    assert not Membership.objects.filter(user=latecomer).exists()


def test_long_thread_reads_in_pages_and_a_reply_link_lands_on_its_page(
    open_session, make_member, make_group, add_member, make_post
):
    from groups.models import Reply

    group = make_group("Evening check-in", slug="evening")
    ash, poster = make_member("Ash"), make_member("Poster")
    add_member(group, ash)
    add_member(group, poster)
    post = make_post(group, poster, title="What helped today")
    start = timezone.now() - timedelta(hours=2)
    replies = Reply.objects.bulk_create(
        Reply(post=post, author=poster, body=f"Small win number {n}.", body_html=f"<p>Small win number {n}.</p>")
        for n in range(1, 61)
    )
    for n, reply in enumerate(replies):
        Reply.objects.filter(pk=reply.pk).update(created_at=start + timedelta(minutes=n))
    recount_replies(type(post).objects.filter(pk=post.pk))

    me = open_session("ash")
    me.login_as(ash)
    me.goto(post.get_absolute_url())
    expect(me.page.get_by_text("Small win number 50.")).to_be_visible()
    assert me.page.get_by_text("Small win number 51.").count() == 0
    expect(me.page.get_by_role("heading", name="60 replies")).to_be_visible()
    me.page.get_by_role("link", name="Later replies").click()
    expect(me.page.get_by_text("Small win number 60.")).to_be_visible()
    assert me.page.get_by_text("Small win number 50.").count() == 0
    me.check("thread-later-replies")
    me.page.get_by_role("link", name="Earlier replies").click()
    expect(me.page.get_by_text("Small win number 1.", exact=True)).to_be_visible()
    # A link to one reply (as in a notification) opens the page that starts with it.
    me.goto(replies[54].get_absolute_url())
    expect(me.page.get_by_text("Small win number 55.")).to_be_in_viewport()
