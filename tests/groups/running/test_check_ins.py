"""Check-ins: a moderator writes privately to a member; the member reads and answers on the
site; the group's other moderators and staff read the thread; nobody else learns it exists.
Logged; notifications and emails carry no text; crisis screening on both sides."""

import pytest
from django.urls import reverse

from community.core.errors import ActionRefused
from community.models import Notification
from groups.checkins import actions
from groups.models import CheckIn, CheckInMessage, Membership, ModerationLog

A = ModerationLog.Action
SECRET = "PRIVATE-words-5be1"


@pytest.fixture
def circle(make_group, make_member, add_member):
    group = make_group("Circle", slug="circle")
    people = {name: make_member(name) for name in ["Owner", "Mod", "Mod Two", "River", "Other", "Outsider", "Far Mod"]}
    add_member(group, people["Owner"], role="owner")
    add_member(group, people["Mod"], role="moderator")
    add_member(group, people["Mod Two"], role="moderator")
    add_member(group, people["River"])
    add_member(group, people["Other"])
    elsewhere = make_group("Elsewhere", slug="elsewhere")
    add_member(elsewhere, people["Far Mod"], role="moderator")
    add_member(elsewhere, people["River"])
    people["Staff"] = make_member("Staff Sam", is_staff=True)
    return group, people


def url(name, group, **kwargs):
    return reverse(f"groups:{name}", kwargs={"group_slug": group.slug, **kwargs})


def membership(group, user):
    return Membership.objects.get(group=group, user=user)


def start(group, people, body=f"Hi River, how are you doing? {SECRET}", **extra):
    return actions.start_check_in(moderator=people["Mod"], group=group, member=people["River"], body=body, **extra)


def test_moderator_checks_in_from_the_members_page_and_the_member_answers(
    client, circle, django_capture_on_commit_callbacks, mailoutbox
):
    group, people = circle
    for name in ["River", "Mod"]:
        people[name].email_frequency = "each"
        people[name].save()
    client.force_login(people["Mod"])
    page = client.get(url("member-moderate", group, membership_id=membership(group, people["River"]).pk))
    assert "Check in with River" in page.content.decode()
    new_url = url("check-in-create", group) + f"?membership={membership(group, people['River']).pk}"
    assert client.get(new_url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("check-in-create", group),
            {"membership": membership(group, people["River"]).pk, "body": f"Thinking of you. {SECRET}"},
            follow=True,
        )
    html = response.content.decode()
    assert "River gets a notification that there is a message" in html
    check_in = CheckIn.objects.get()
    assert (check_in.member, check_in.started_by) == (people["River"], people["Mod"])
    assert ModerationLog.objects.get(action=A.CHECK_IN_STARTED).target_user == people["River"]

    # River is told there is a message, and no more: not in the notification, not in the email.
    notification = Notification.objects.get(recipient=people["River"])
    assert notification.kind == Notification.Kind.CHECK_IN
    email = next(m for m in mailoutbox if m.to == [people["River"].email])
    assert "You have a message from the moderators of Circle" in email.subject
    assert SECRET not in email.body
    assert SECRET not in email.subject
    assert check_in.get_absolute_url() in email.body
    assert "988" in email.body  # every email carries the crisis line

    # River reads and answers in the site.
    client.force_login(people["River"])
    listing = client.get(reverse("community:notification-list")).content.decode()
    assert SECRET not in listing
    assert check_in.get_absolute_url() in listing
    thread = client.get(check_in.get_absolute_url()).content.decode()
    assert SECRET in thread
    assert "A message from the moderators of Circle" in thread
    assert Notification.objects.get(recipient=people["River"]).read_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("check-in-reply", group, check_in_id=check_in.pk), {"body": "Thank you, a bit better today."})
    assert CheckInMessage.objects.filter(check_in=check_in, author=people["River"]).exists()
    assert ModerationLog.objects.filter(action=A.CHECK_IN_WRITTEN, actor=people["River"]).exists()
    # The moderator who wrote is told (not the whole team), again without the text.
    answer = Notification.objects.get(kind=Notification.Kind.CHECK_IN_ANSWER)
    assert answer.recipient == people["Mod"]
    assert any(m.to == [people["Mod"].email] and "A member answered a check-in" in m.subject for m in mailoutbox)
    assert all("a bit better" not in m.body for m in mailoutbox)

    # The team reads it: the other moderator, the owner and staff.
    for who in ["Mod Two", "Owner", "Staff"]:
        client.force_login(people[who])
        html = client.get(check_in.get_absolute_url()).content.decode()
        assert "a bit better today" in html, who
    # The check-in is not a decision: River's decisions page does not list it.
    client.force_login(people["River"])
    assert "Checked in" not in client.get(reverse("moderation:my-decisions")).content.decode()


@pytest.mark.parametrize("who", ["Other", "Outsider", "Far Mod"])
def test_nobody_else_learns_a_check_in_exists(client, circle, who):
    group, people = circle
    check_in = start(group, people)
    client.force_login(people[who])
    for response in [
        client.get(check_in.get_absolute_url()),
        client.post(url("check-in-reply", group, check_in_id=check_in.pk), {"body": "Hello?"}),
    ]:
        assert response.status_code == 404
        assert SECRET not in response.content.decode()
    if who == "Other":
        # A member's own list has only their own check-ins.
        html = client.get(url("check-in-list", group)).content.decode()
        assert "No messages from the moderators" in html
    assert CheckInMessage.objects.count() == 1


def test_a_visitor_is_sent_to_log_in(client, circle):
    group, people = circle
    check_in = start(group, people)
    response = client.get(check_in.get_absolute_url())
    assert response.status_code == 302
    assert "login" in response.url


def test_check_in_from_a_post_and_a_queue_item(client, circle, make_post, make_reply):
    group, people = circle
    group.hold_first_posts = 1
    group.save()
    post = make_post(group, people["River"], title="Rough week", is_anonymous=True)
    client.force_login(people["Mod"])
    queue = client.get(reverse("moderation:queue")).content.decode()
    link = url("check-in-create", group) + f"?post={post.pk}"
    assert link in queue.replace("&amp;", "&")
    form = client.get(link).content.decode()
    assert "Check in with River" in form
    assert "posted anonymously" in form
    client.post(url("check-in-create", group), {"post": post.pk, "body": "I saw your post."})
    check_in = CheckIn.objects.get()
    assert (check_in.member, check_in.post) == (people["River"], post)
    # From a published post's page too.
    published = make_post(group, people["Other"], title="Hello")
    page = client.get(published.get_absolute_url()).content.decode()
    assert url("check-in-create", group) + f"?post={published.pk}" in page


def test_moderators_cannot_check_in_with_themselves_or_former_members(client, circle, make_member):
    group, people = circle
    client.force_login(people["Mod"])
    response = client.get(url("check-in-create", group) + f"?membership={membership(group, people['Mod']).pk}")
    assert response.status_code == 400
    assert "not yourself" in response.content.decode()
    Membership.objects.filter(group=group, user=people["Other"]).update(status="left")
    response = client.post(
        url("check-in-create", group), {"membership": membership(group, people["Other"]).pk, "body": "Hi"}
    )
    assert response.status_code == 400
    assert "only with current members" in response.content.decode()
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("query", ["", "?membership=999999", "?membership=abc", "?post=999999", "?reply=x"])
def test_an_unknown_member_is_a_404(client, circle, query):
    group, people = circle
    client.force_login(people["Mod"])
    assert client.get(url("check-in-create", group) + query).status_code == 404


def test_an_empty_message_is_refused_and_changes_nothing(client, circle):
    group, people = circle
    client.force_login(people["Mod"])
    response = client.post(
        url("check-in-create", group), {"membership": membership(group, people["River"]).pk, "body": "   "}
    )
    assert response.status_code == 400
    assert "Please write your message first." in response.content.decode()
    assert not CheckIn.objects.exists()
    check_in = start(group, people)
    client.force_login(people["River"])
    response = client.post(url("check-in-reply", group, check_in_id=check_in.pk), {"body": ""})
    assert response.status_code == 400
    assert CheckInMessage.objects.count() == 1


def test_wrong_method_is_405(client, circle):
    group, people = circle
    check_in = start(group, people)
    client.force_login(people["River"])
    assert client.get(url("check-in-reply", group, check_in_id=check_in.pk)).status_code == 405
    assert client.post(check_in.get_absolute_url(), {"body": "Hi"}).status_code == 405
    assert client.post(url("check-in-list", group)).status_code == 405
    client.force_login(people["Mod"])
    assert client.put(url("check-in-create", group)).status_code == 405


def test_crisis_words_from_the_member_show_help_and_alert_the_moderators(
    client, circle, django_capture_on_commit_callbacks, mailoutbox
):
    group, people = circle
    check_in = start(group, people)
    client.force_login(people["River"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("check-in-reply", group, check_in_id=check_in.pk),
            {"body": "Honestly I keep thinking I want to die."},
            follow=True,
        )
    html = response.content.decode()
    assert "Thank you for sharing this. You are not alone." in html
    assert "Call or text 988" in html
    check_in.refresh_from_db()
    assert check_in.is_risk
    assert ModerationLog.objects.filter(action=A.FLAGGED_RISK, check_in=check_in).exists()
    alerts = [m for m in mailoutbox if "Possible risk in Circle" in m.subject]
    assert {m.to[0] for m in alerts} == {people[n].email for n in ["Owner", "Mod", "Mod Two"]}
    assert "want to die" not in alerts[0].body
    assert "River" not in alerts[0].body
    assert check_in.get_absolute_url() in alerts[0].body
    # Moderators see it marked, in the thread and the list.
    client.force_login(people["Mod Two"])
    assert "Possible risk" in client.get(url("check-in-list", group)).content.decode()


def test_crisis_words_from_a_moderator_show_the_member_the_crisis_lines(client, circle, mailoutbox):
    group, people = circle
    check_in = start(group, people, body="Are you having thoughts of suicide? You can tell us.")
    assert check_in.is_risk
    assert not [m for m in mailoutbox if "Possible risk" in m.subject]
    client.force_login(people["River"])
    html = client.get(check_in.get_absolute_url()).content.decode()
    assert "If things are hard right now" in html
    assert "Call or text 988" in html


def test_a_removed_member_can_read_but_not_answer(client, circle):
    group, people = circle
    check_in = start(group, people)
    Membership.objects.filter(group=group, user=people["River"]).update(status="removed")
    client.force_login(people["River"])
    html = client.get(check_in.get_absolute_url()).content.decode()
    assert SECRET in html
    assert "no longer a member of the group" in html
    response = client.post(url("check-in-reply", group, check_in_id=check_in.pk), {"body": "Hello?"})
    assert response.status_code == 400
    assert CheckInMessage.objects.count() == 1


def test_a_muted_member_can_still_answer(circle):
    group, people = circle
    from datetime import timedelta

    from django.utils import timezone

    check_in = start(group, people)
    Membership.objects.filter(group=group, user=people["River"]).update(muted_until=timezone.now() + timedelta(days=1))
    actions.write_in_check_in(author=people["River"], check_in=check_in, body="I understand.")


def test_a_former_moderator_loses_the_thread(client, circle):
    group, people = circle
    check_in = start(group, people)
    Membership.objects.filter(group=group, user=people["Mod"]).update(role="member")
    client.force_login(people["Mod"])
    assert client.get(check_in.get_absolute_url()).status_code == 404
    former = type(people["Mod"]).objects.get(pk=people["Mod"].pk)  # as a new request would load them
    with pytest.raises(ActionRefused):
        actions.write_in_check_in(author=former, check_in=check_in, body="Still here")


def test_member_deleting_their_account_takes_the_check_in_with_them(circle):
    from community.privacy.actions import delete_account

    group, people = circle
    start(group, people)
    delete_account(user=people["River"], mode="anonymise")
    assert not CheckIn.objects.exists()
    assert not CheckInMessage.objects.exists()
    # The log keeps that it happened, with a pseudonym.
    assert ModerationLog.objects.get(action=A.CHECK_IN_STARTED).target_label.startswith("Former member")


def test_the_members_export_has_their_check_ins(circle):
    from community.privacy.exports import collect_member_data

    group, people = circle
    check_in = start(group, people)
    actions.write_in_check_in(author=people["River"], check_in=check_in, body="Thanks for asking.")
    data = collect_member_data(people["River"])["check_ins"]
    assert [(m["from"], m["group"]) for m in data] == [("moderator", "Circle"), ("you", "Circle")]


def test_members_still_cannot_message_each_other_and_the_guidelines_say_why(client, circle):
    group, people = circle
    client.force_login(people["Other"])
    response = client.get(url("check-in-create", group) + f"?membership={membership(group, people['River']).pk}")
    assert response.status_code == 404
    html = client.get(reverse("community:guidelines")).content.decode()
    assert "No private messages between members" in html
    assert "it protects" in html.lower() or "vulnerable moments" in html


def test_a_double_click_sends_the_message_once(client, circle):
    group, people = circle
    client.force_login(people["Mod"])
    data = {"membership": membership(group, people["River"]).pk, "body": "Thinking of you."}
    first = client.post(url("check-in-create", group), data)
    second = client.post(url("check-in-create", group), data)
    assert first.url == second.url
    assert CheckIn.objects.count() == 1
    check_in = CheckIn.objects.get()
    client.force_login(people["River"])
    for _ in range(2):
        client.post(url("check-in-reply", group, check_in_id=check_in.pk), {"body": "Thank you."})
    assert list(check_in.messages.values_list("body", flat=True)) == ["Thinking of you.", "Thank you."]
    assert Notification.objects.filter(recipient=people["River"]).count() == 1


def test_a_refused_answer_with_crisis_words_still_reaches_a_human(
    client, circle, mailoutbox, django_capture_on_commit_callbacks
):
    from groups.models import QueueItem

    group, people = circle
    check_in = start(group, people)
    Membership.objects.filter(group=group, user=people["River"]).update(status="removed")
    client.force_login(people["River"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("check-in-reply", group, check_in_id=check_in.pk), {"body": "I want to die and nobody is listening."}
        )
    assert response.status_code == 400
    html = response.content.decode()
    assert "no longer a member of the group" in html
    assert "Call or text 988" in html
    item = QueueItem.objects.get(kind=QueueItem.Kind.REFUSED_RISK)
    assert item.is_risk
    assert "nobody is listening" in item.kept_text
    assert [m for m in mailoutbox if "Possible risk in Circle" in m.subject]


def test_a_former_moderator_no_longer_sees_the_check_in_notice(client, circle):
    group, people = circle
    check_in = start(group, people)
    actions.write_in_check_in(author=people["River"], check_in=check_in, body="Thanks.")
    client.force_login(people["Mod"])
    assert check_in.get_absolute_url() in client.get(reverse("community:notification-list")).content.decode()
    Membership.objects.filter(group=group, user=people["Mod"]).update(role="member")
    assert check_in.get_absolute_url() not in client.get(reverse("community:notification-list")).content.decode()
