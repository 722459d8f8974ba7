"""Holding, reports, the queue, decisions, appeals, mutes, bans, suspensions and the log."""

from datetime import timedelta
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from community.core.errors import ActionRefused
from community.models import Notification
from groups.models import (
    Appeal,
    ContentStatus,
    Membership,
    ModerationLog,
    ModeratorNote,
    Post,
    QueueItem,
    Report,
    WatchedWord,
)
from groups.moderation.appeals import appeal_decision, decide_appeal
from groups.moderation.intake import create_report
from groups.moderation.members import mute_member, remove_member, warn_member
from groups.moderation.queue import approve_item, claim_item, queue_for, reject_item
from groups.moderation.suspensions import lift_suspension, suspend_account
from groups.posts.actions import set_post_state

A = ModerationLog.Action


@pytest.fixture
def circle(make_group, make_member, add_member):
    group = make_group("Circle", slug="circle", hold_first_posts=1)
    people = {name: make_member(name) for name in ["Newbie", "Regular", "Mod", "Mod Two", "Owner", "Outsider"]}
    for name, role in [
        ("Newbie", "member"),
        ("Regular", "member"),
        ("Mod", "moderator"),
        ("Mod Two", "moderator"),
        ("Owner", "owner"),
    ]:
        add_member(group, people[name], role=role)
    return group, people


def queue(user, **filters):
    return list(queue_for(user, **filters))


def url(name, group, **kwargs):
    return reverse(f"groups:{name}", kwargs={"group_slug": group.slug, **kwargs})


# --- holding ------------------------------------------------------------------------------------


def test_new_members_first_post_is_held_then_approved(client, circle, make_post):
    group, people = circle
    post = make_post(group, people["Newbie"], title="Hello everyone")
    assert (post.status, post.hold_reason) == ("held", "new_member")
    # Only the author and moderators see it, marked as waiting.
    client.force_login(people["Newbie"])
    assert "Waiting for review" in client.get(post.get_absolute_url()).content.decode()
    client.force_login(people["Regular"])
    assert client.get(post.get_absolute_url()).status_code == 404
    assert "Hello everyone" not in client.get(url("post-list", group)).content.decode()
    [item] = queue(people["Mod"])
    assert item.kind == "held_post"
    assert Notification.objects.get(recipient=people["Newbie"]).kind == "held"

    approve_item(moderator=people["Mod"], item=item)
    post.refresh_from_db()
    assert post.status == "published"
    assert client.get(post.get_absolute_url()).status_code == 200
    assert list(ModerationLog.objects.filter(post=post).values_list("action", flat=True).order_by("id")) == [
        A.HELD,
        A.APPROVED,
    ]
    # After one approved post, the next one publishes at once.
    assert make_post(group, people["Newbie"]).status == "published"


def test_hold_count_zero_turns_holding_off(circle, make_post):
    group, people = circle
    group.hold_first_posts = 0
    group.save()
    assert make_post(group, people["Newbie"]).status == "published"


def test_strict_group_holds_every_post_and_reply_but_not_moderators(circle, make_post, make_reply):
    group, people = circle
    group.hold_all = True
    group.save()
    assert make_post(group, people["Regular"]).hold_reason == "strict"
    mods_post = make_post(group, people["Mod"])
    assert mods_post.status == "published"
    reply = make_reply(mods_post, people["Regular"])
    assert reply.status == "held"
    mods_post.refresh_from_db()
    assert mods_post.reply_count == 0  # counted once approved
    approve_item(moderator=people["Mod"], item=QueueItem.objects.get(reply=reply))
    mods_post.refresh_from_db()
    assert mods_post.reply_count == 1


def test_watched_words_hold_block_and_flag(circle, make_post):
    group, people = circle
    group.hold_first_posts = 0
    group.save()
    WatchedWord.objects.create(phrase="miracle cure", action="hold")
    WatchedWord.objects.create(phrase="buy now", action="block", message="Please do not advertise here.")
    WatchedWord.objects.create(phrase="stop your meds", action="flag")
    assert make_post(group, people["Regular"], body="Try this m i r a c l e cure!").hold_reason == "watched_word"
    with pytest.raises(ActionRefused, match="Please do not advertise here."):
        make_post(group, people["Regular"], title="Deal", body="Buy now")
    assert not Post.objects.filter(title="Deal").exists()
    assert ModerationLog.objects.filter(action=A.BLOCKED, target_user=people["Regular"]).exists()
    flagged = make_post(group, people["Regular"], body="My doctor said stop your meds slowly")
    assert flagged.status == "published"
    assert QueueItem.objects.get(post=flagged).kind == "flagged_post"


# --- crisis language ----------------------------------------------------------------------------


def test_crisis_words_show_the_author_help_and_reach_the_top_of_the_queue(
    client, circle, make_post, django_capture_on_commit_callbacks, mailoutbox
):
    group, people = circle
    earlier = make_post(group, people["Newbie"], title="Earlier, ordinary")
    make_post(group, people["Regular"], title="Regular has posted before")
    approve_item(moderator=people["Mod"], item=QueueItem.objects.get(post__title="Regular has posted before"))
    client.force_login(people["Regular"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("post-create", group),
            {
                "title": "Tonight",
                "body": "I don't want to be here anymore. I keep thinking I should end it all.",
            },
            follow=True,
        )
    html = response.content.decode()
    assert "Thank you for sharing this. You are not alone." in html
    assert "Call or text 988" in html
    post = Post.objects.get(title="Tonight")
    # Published as the group's rules say; never deleted.
    assert post.is_risk
    assert post.status == "published"
    items = queue(people["Mod"])
    assert [i.post for i in items] == [post, earlier]
    assert items[0].is_risk
    # The moderators are alerted by email, without the words or the author.
    alerts = [m for m in mailoutbox if "Possible risk in Circle" in m.subject]
    assert {m.to[0] for m in alerts} == {people[n].email for n in ["Mod", "Mod Two", "Owner"]}
    assert "end it all" not in alerts[0].body
    assert "Regular" not in alerts[0].body
    # The panel is shown once, not on every page after.
    assert "You are not alone" not in client.get(reverse("community:home")).content.decode()


def test_crisis_alert_that_fails_to_send_never_loses_the_post(
    circle, make_post, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.mail import EmailMultiAlternatives

    group, people = circle

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(group, people["Regular"], body="I have been suicidal this week")
    assert Post.objects.filter(pk=post.pk, is_risk=True).exists()
    assert QueueItem.objects.filter(post=post, is_risk=True).exists()


# --- reports ------------------------------------------------------------------------------------


def test_report_reasons_and_at_risk_first(circle, make_post):
    group, people = circle
    older = make_post(group, people["Mod"], title="Older")
    newer = make_post(group, people["Mod"], title="Newer")
    create_report(reporter=people["Regular"], group=group, post=older, reason="spam")
    create_report(reporter=people["Regular"], group=group, post=newer, reason="at_risk")
    kinds = [(i.post.title, i.is_risk) for i in queue(people["Owner"])]
    assert kinds == [("Newer", True), ("Older", False)]


def test_one_open_report_per_reporter_and_not_your_own(circle, make_post):
    group, people = circle
    post = make_post(group, people["Mod"])
    create_report(reporter=people["Regular"], group=group, post=post, reason="spam")
    with pytest.raises(ActionRefused, match="already reported"):
        create_report(reporter=people["Regular"], group=group, post=post, reason="other")
    with pytest.raises(ActionRefused, match="your own"):
        create_report(reporter=people["Mod"], group=group, post=post, reason="spam")
    with pytest.raises(ActionRefused, match="what you can see"):
        create_report(reporter=people["Outsider"], group=group, post=post, reason="spam")
    assert Report.objects.count() == 1


def test_report_with_an_unknown_reason_is_refused(circle, make_post):
    group, people = circle
    post = make_post(group, people["Mod"])
    with pytest.raises(ActionRefused):
        create_report(reporter=people["Regular"], group=group, post=post, reason="i_dont_like_it")
    assert not Report.objects.exists()


def test_reported_person_never_learns_who_reported(client, circle, make_post):
    group, people = circle
    post = make_post(group, people["Mod"], title="Reported one")
    create_report(reporter=people["Regular"], group=group, post=post, reason="at_risk", note="worried")
    # No automatic "someone is worried about you" message goes to the reported member.
    assert not Notification.objects.filter(recipient=people["Mod"]).exists()
    item = QueueItem.objects.get(kind="report")
    reject_item(moderator=people["Owner"], item=item, reason="unsafe", note="Please avoid details.")
    client.force_login(people["Mod"])
    html = client.get(reverse("moderation:my-decisions")).content.decode()
    assert "Please avoid details." in html
    assert "Regular" not in html
    assert "worried" not in html


def test_content_reported_by_three_members_is_hidden_and_the_author_told(circle, make_post, make_member, add_member):
    group, people = circle
    post = make_post(group, people["Mod"])
    reporters = [people["Regular"], people["Newbie"], people["Owner"]]
    for reporter in reporters[:2]:
        create_report(reporter=reporter, group=group, post=post, reason="spam")
    post.refresh_from_db()
    assert post.status == "published"
    create_report(reporter=reporters[2], group=group, post=post, reason="spam")
    post.refresh_from_db()
    assert (post.status, post.hold_reason) == ("held", "reports")
    assert Notification.objects.get(recipient=people["Mod"]).kind == "under_review"
    assert ModerationLog.objects.filter(action=A.HIDDEN_BY_REPORTS, post=post, actor=None).exists()


# --- the queue ------------------------------------------------------------------------------------


def test_queue_covers_every_group_a_moderator_has_and_filters(circle, make_group, add_member, make_post):
    group, people = circle
    other = make_group("Other", hold_first_posts=1)
    add_member(other, people["Mod"], role="moderator")
    add_member(other, people["Regular"])
    make_post(group, people["Newbie"])
    make_post(other, people["Regular"])
    assert {i.group for i in queue(people["Mod"])} == {group, other}
    assert {i.group for i in queue(people["Mod Two"])} == {group}
    assert [i.group for i in queue(people["Mod"], group_id=other.pk)] == [other]
    assert queue(people["Mod"], kind="report") == []


def test_queue_item_in_another_group_is_out_of_reach(client, circle, make_group, make_member, add_member, make_post):
    group, people = circle
    make_post(group, people["Newbie"])
    item = QueueItem.objects.get()
    stranger_mod = make_member("Stranger Mod")
    add_member(make_group(), stranger_mod, role="moderator")
    client.force_login(stranger_mod)
    response = client.post(reverse("moderation:item-decide", kwargs={"item_id": item.pk}), {"decision": "approve"})
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == "open"


def test_second_decision_on_a_handled_item_says_who_handled_it(circle, make_post):
    group, people = circle
    make_post(group, people["Newbie"])
    item = QueueItem.objects.get()
    approve_item(moderator=people["Mod"], item=item)
    with pytest.raises(ActionRefused, match="Already handled by Mod"):
        reject_item(moderator=people["Mod Two"], item=item, reason="unkind")
    assert Post.objects.get().status == "published"
    assert Notification.objects.filter(recipient=people["Newbie"], kind="moderation").count() == 0


def test_claims_show_who_is_handling_an_item(client, circle, make_post):
    group, people = circle
    make_post(group, people["Newbie"])
    item = QueueItem.objects.get()
    claim_item(moderator=people["Mod"], item=item)
    with pytest.raises(ActionRefused, match="Mod is already handling this"):
        claim_item(moderator=people["Mod Two"], item=item)
    client.force_login(people["Mod Two"])
    assert "Being handled by Mod" in client.get(reverse("moderation:queue")).content.decode()


def test_reject_needs_a_reason_from_the_list(client, circle, make_post):
    group, people = circle
    make_post(group, people["Newbie"])
    item = QueueItem.objects.get()
    with pytest.raises(ActionRefused, match="reason"):
        reject_item(moderator=people["Mod"], item=item, reason="because")
    client.force_login(people["Mod"])
    response = client.post(
        reverse("moderation:item-decide", kwargs={"item_id": item.pk}), {"decision": "reject"}, follow=True
    )
    assert "Choose the reason the member will see." in response.content.decode()
    item.refresh_from_db()
    assert item.status == "open"


def test_rejection_tells_the_author_which_rule_and_allows_one_appeal(client, circle, make_post):
    group, people = circle
    post = make_post(group, people["Newbie"], title="Details")
    item = QueueItem.objects.get()
    reject_item(moderator=people["Mod"], item=item, reason="unsafe", note="Please leave out the details.")
    post.refresh_from_db()
    assert post.status == "removed"
    decision = ModerationLog.objects.get(action=A.REJECTED)
    notice = Notification.objects.get(recipient=people["Newbie"], kind="moderation")
    assert notice.decision == decision
    client.force_login(people["Newbie"])
    html = client.get(reverse("moderation:my-decisions")).content.decode()
    assert "Unsafe content: method details, graphic self-harm or glamorising" in html
    assert "Please leave out the details." in html
    appeal_url = reverse("moderation:appeal-create", kwargs={"decision_id": decision.pk})
    client.post(appeal_url, {"text": "I removed the details, please look again."})
    response = client.post(appeal_url, {"text": "Again!"}, follow=True)
    assert "already appealed" in response.content.decode()
    assert Appeal.objects.count() == 1
    # The appeal goes to a different moderator than the one who decided.
    appeal_item = QueueItem.objects.get(kind="appeal")
    assert appeal_item not in queue(people["Mod"])
    assert appeal_item in queue(people["Mod Two"])
    with pytest.raises(ActionRefused, match="Another moderator"):
        decide_appeal(moderator=people["Mod"], item=appeal_item, grant=True)
    decide_appeal(moderator=people["Mod Two"], item=appeal_item, grant=True, response="Fair enough.")
    post.refresh_from_db()
    assert post.status == "published"
    assert Notification.objects.filter(recipient=people["Newbie"], kind="appeal_decided").exists()


def test_a_rejected_reply_restored_on_appeal_counts_once_and_is_announced_once(circle, make_post, make_reply):
    group, people = circle
    post = make_post(group, people["Owner"], title="Ask")
    reply = make_reply(post, people["Newbie"], body="My answer")  # a first post: held
    assert reply.status == "held"
    reject_item(moderator=people["Mod"], item=QueueItem.objects.get(reply=reply), reason="unkind")
    decision = ModerationLog.objects.get(action=A.REJECTED)
    appeal_decision(user=people["Newbie"], decision=decision, text="Please look again.")
    decide_appeal(moderator=people["Mod Two"], item=QueueItem.objects.get(kind="appeal"), grant=True)
    post.refresh_from_db()
    assert post.reply_count == 1
    assert Notification.objects.filter(recipient=people["Owner"], reply=reply, kind="reply_to_post").count() == 1


def test_only_the_person_decided_about_can_appeal(client, circle):
    group, people = circle
    decision = warn_member(moderator=people["Mod"], group=group, user=people["Regular"], reason="unkind")
    client.force_login(people["Newbie"])
    url_ = reverse("moderation:appeal-create", kwargs={"decision_id": decision.pk})
    assert client.post(url_, {"text": "Not fair"}).status_code == 404
    assert not Appeal.objects.exists()


# --- content actions -------------------------------------------------------------------------------


def test_remove_hides_but_keeps_and_restore_brings_back(client, circle, make_post, make_reply):
    group, people = circle
    post = make_post(group, people["Mod Two"])
    reply = make_reply(post, people["Mod"], body="Kept safe")
    client.force_login(people["Owner"])
    client.post(url("reply-moderate", group, reply_id=reply.pk), {"action": "remove", "reason": "off_topic"})
    reply.refresh_from_db()
    assert reply.status == "removed"
    assert reply.body == "Kept safe"
    client.force_login(people["Regular"])
    assert "Kept safe" not in client.get(post.get_absolute_url()).content.decode()
    client.force_login(people["Owner"])
    client.post(url("reply-moderate", group, reply_id=reply.pk), {"action": "restore"})
    reply.refresh_from_db()
    assert reply.status == "published"
    assert [e.action for e in ModerationLog.objects.filter(reply=reply).order_by("id")] == [A.REMOVED, A.RESTORED]


def test_lock_and_slow_mode_are_logged_and_enforced(circle, make_post, make_reply):
    group, people = circle
    post = make_post(group, people["Mod Two"])
    set_post_state(moderator=people["Mod"], post=post, slow_mode_seconds=600, reason_text="Heated thread")
    make_reply(post, people["Owner"])
    with pytest.raises(ActionRefused, match="slow mode"):
        make_reply(post, people["Owner"])
    set_post_state(moderator=people["Mod"], post=post, locked=True)
    with pytest.raises(ActionRefused, match="locked"):
        make_reply(post, people["Regular"])
    assert {e.action for e in ModerationLog.objects.filter(post=post)} >= {A.SLOW_MODE, A.LOCKED}
    with pytest.raises(ActionRefused):
        set_post_state(moderator=people["Mod"], post=post, slow_mode_seconds=600, reason_text="")


# --- member actions --------------------------------------------------------------------------------


def test_mute_stops_posting_and_reacting_and_ends_by_itself(client, circle, make_post):
    group, people = circle
    post = make_post(group, people["Mod"])
    entry = mute_member(moderator=people["Mod"], group=group, user=people["Regular"], minutes=60, reason="unkind")
    client.force_login(people["Regular"])
    page = client.get(url("post-list", group)).content.decode()
    assert "muted you in this group until" in page
    response = client.post(url("post-create", group), {"title": "Hi", "body": "Hello"})
    assert response.status_code == 400
    client.post(url("post-react", group, post_id=post.pk), {"kind": "support"})
    assert not post.reactions.exists()
    assert client.get(post.get_absolute_url()).status_code == 200  # still reads
    # Time passes; no job is needed for the mute to end.
    Membership.objects.filter(user=people["Regular"]).update(muted_until=timezone.now() - timedelta(seconds=1))
    assert client.post(url("post-create", group), {"title": "Back", "body": "Hello again"}).status_code == 302
    assert entry.until is not None


@pytest.mark.parametrize("minutes", [0, -10, 60 * 24 * 91])
def test_mute_for_a_bad_length_is_refused(circle, minutes):
    group, people = circle
    with pytest.raises(ActionRefused, match="1 minute to 90 days"):
        mute_member(moderator=people["Mod"], group=group, user=people["Regular"], minutes=minutes, reason="unkind")
    assert Membership.objects.get(user=people["Regular"]).muted_until is None


def test_moderator_cannot_ban_an_owner_staff_or_another_moderator(circle, staff, add_member):
    group, people = circle
    add_member(group, staff)
    for target in [people["Owner"], staff, people["Mod Two"]]:
        with pytest.raises(ActionRefused):
            remove_member(moderator=people["Mod"], group=group, user=target, reason="unkind", ban=True)
    assert Membership.objects.filter(status="banned").count() == 0
    # The owner may act on a moderator.
    remove_member(moderator=people["Owner"], group=group, user=people["Mod Two"], reason="unkind")
    assert Membership.objects.get(user=people["Mod Two"]).status == "removed"


def test_ban_and_remove_change_membership_and_counts(circle):
    group, people = circle
    group.refresh_from_db()
    before = group.member_count
    remove_member(moderator=people["Mod"], group=group, user=people["Regular"], reason="unkind", ban=True)
    group.refresh_from_db()
    assert group.member_count == before - 1
    assert Membership.objects.get(user=people["Regular"]).status == "banned"
    assert Notification.objects.get(recipient=people["Regular"]).decision.action == A.BANNED


def test_warning_is_a_private_message_with_the_rule(client, circle):
    group, people = circle
    warn_member(
        moderator=people["Mod"],
        group=group,
        user=people["Regular"],
        reason="medical_advice",
        note="Please share your experience rather than telling others what to take.",
    )
    client.force_login(people["Regular"])
    html = client.get(reverse("community:notification-list")).content.decode()
    assert "A moderator's decision in Circle" in unescape(html)
    client.force_login(people["Newbie"])
    assert "what to take" not in client.get(reverse("moderation:my-decisions")).content.decode()


def test_moderator_notes_are_for_moderators_only(client, circle):
    group, people = circle
    membership = Membership.objects.get(user=people["Regular"])
    client.force_login(people["Mod"])
    client.post(url("member-note", group, membership_id=membership.pk), {"text": "Seemed low; checked in."})
    assert ModeratorNote.objects.get().text == "Seemed low; checked in."
    assert "Seemed low" in client.get(url("member-moderate", group, membership_id=membership.pk)).content.decode()
    client.force_login(people["Regular"])
    assert client.get(url("member-moderate", group, membership_id=membership.pk)).status_code == 404


# --- suspensions ------------------------------------------------------------------------------------


def test_suspended_account_is_refused_at_login_with_until_when(client, circle, staff):
    group, people = circle
    suspend_account(staff=staff, user=people["Regular"], days=7, reason_text="Repeated harassment")
    response = client.post(
        reverse("account_login"), {"login": people["Regular"].email, "password": "a-long-password-1"}
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert "This account is suspended" in html
    assert "You can log in again after" in html
    assert "Repeated harassment" in html
    assert 'href="/help/"' in html
    assert "_auth_user_id" not in client.session
    lift_suspension(staff=staff, user=people["Regular"])
    response = client.post(
        reverse("account_login"), {"login": people["Regular"].email, "password": "a-long-password-1"}
    )
    assert response.status_code == 302


def test_suspension_signs_out_a_member_who_is_already_in(client, circle, staff):
    group, people = circle
    client.force_login(people["Regular"])
    suspend_account(staff=staff, user=people["Regular"], days=None, reason_text="Threats")
    response = client.get(reverse("community:home"))
    assert response.status_code == 403
    assert "This suspension has no end date." in response.content.decode()


def test_only_staff_suspend_and_never_staff(circle, staff):
    group, people = circle
    with pytest.raises(ActionRefused):
        suspend_account(staff=people["Owner"], user=people["Regular"], days=7, reason_text="x")
    with pytest.raises(ActionRefused):
        suspend_account(staff=staff, user=staff, days=7, reason_text="x")
    with pytest.raises(ActionRefused):
        suspend_account(staff=staff, user=people["Regular"], days=-1, reason_text="x")


# --- the log ----------------------------------------------------------------------------------------


def test_log_entries_cannot_be_changed_or_deleted(circle):
    group, people = circle
    entry = warn_member(moderator=people["Mod"], group=group, user=people["Regular"], reason="unkind")
    entry.note = "rewritten"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    assert ModerationLog.objects.get(pk=entry.pk).note == ""


def test_admin_cannot_edit_or_delete_log_entries(client, staff, circle):
    group, people = circle
    entry = warn_member(moderator=people["Mod"], group=group, user=people["Regular"], reason="unkind")
    client.force_login(staff)
    change_url = reverse("admin:groups_moderationlog_change", args=[entry.pk])
    response = client.post(change_url, {"note": "rewritten"})
    assert ModerationLog.objects.get(pk=entry.pk).note == ""
    assert response.status_code in (403, 200)
    delete_url = reverse("admin:groups_moderationlog_delete", args=[entry.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert ModerationLog.objects.filter(pk=entry.pk).exists()


def test_moderators_read_only_their_groups_log(client, circle, make_group, make_member, add_member):
    group, people = circle
    other = make_group("Elsewhere")
    other_mod, member = make_member("Other Mod"), make_member("Other Member")
    add_member(other, other_mod, role="moderator")
    add_member(other, member)
    warn_member(moderator=other_mod, group=other, user=member, reason="unkind", note="elsewhere-note")
    warn_member(moderator=people["Mod"], group=group, user=people["Regular"], reason="unkind", note="here-note")
    client.force_login(people["Mod"])
    html = client.get(reverse("moderation:log")).content.decode()
    assert "here-note" in html
    assert "elsewhere-note" not in html


def test_staff_download_the_log_as_formula_safe_csv(client, staff, circle):
    group, people = circle
    warn_member(
        moderator=people["Mod"], group=group, user=people["Regular"], reason="unkind", note='=HYPERLINK("http://evil")'
    )
    client.force_login(staff)
    today = timezone.localdate()
    response = client.get(reverse("moderation:log-export"), {"start": today - timedelta(days=1), "end": today})
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "Warned" in body
    assert "'=HYPERLINK" in body
    empty = client.get(
        reverse("moderation:log-export"), {"start": today - timedelta(days=30), "end": today - timedelta(days=20)}
    )
    assert b"".join(empty.streaming_content).decode().count("\n") == 1  # the header only
    bad = client.get(reverse("moderation:log-export"), {"start": today, "end": today - timedelta(days=1)})
    assert bad.status_code == 302


# --- new accounts ------------------------------------------------------------------------------------


def test_new_accounts_can_post_only_a_few_times_an_hour(settings, make_group, make_member, add_member, make_post):
    settings.NEW_ACCOUNT_POSTS_PER_HOUR = 2
    group = make_group()
    newcomer = make_member("Fresh", date_joined=timezone.now())
    add_member(group, newcomer)
    make_post(group, newcomer)
    make_post(group, newcomer)
    with pytest.raises(ActionRefused, match="You can post again at"):
        make_post(group, newcomer)
    assert Post.objects.filter(author=newcomer).count() == 2


def test_new_accounts_cannot_mention_people_outside_their_groups(make_group, make_member, add_member, make_post):
    group = make_group()
    newcomer = make_member("Fresh", date_joined=timezone.now())
    add_member(group, newcomer)
    make_member("Stranger")
    make_post(group, newcomer, body="Hi @Stranger")
    assert not Notification.objects.filter(kind="mention").exists()


# --- concurrency on PostgreSQL ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_moderators_deciding_at_once_one_wins(circle, make_post):
    from django.conf import settings as django_settings

    from tests.test_groups_concurrency import run_at_once

    if not django_settings.IS_POSTGRES:
        pytest.skip("row locks are tested on PostgreSQL")
    group, people = circle
    make_post(group, people["Newbie"])
    item = QueueItem.objects.get()
    moderators = iter([people["Mod"], people["Mod Two"]])
    lock = __import__("threading").Lock()

    def decide():
        with lock:
            moderator = next(moderators)
        reject_item(moderator=moderator, item=item, reason="unkind")

    refusals = run_at_once(decide, times=2)
    assert len(refusals) == 1
    assert "Already handled by" in refusals[0].message
    assert ModerationLog.objects.filter(action=A.REJECTED).count() == 1
    assert Notification.objects.filter(recipient=people["Newbie"], kind="moderation").count() == 1
    assert Post.objects.get().status == ContentStatus.REMOVED
