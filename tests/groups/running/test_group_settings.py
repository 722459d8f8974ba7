"""Owners run their group from the site: settings, rules with history, join questions,
the group's own watched words, slow mode, and the group's log as CSV."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.core.errors import ActionRefused
from groups.models import (
    ContentStatus,
    Group,
    GroupWatchedWord,
    JoinQuestion,
    ModerationLog,
    QueueItem,
    RulesRevision,
    WatchedWord,
)
from groups.settings import actions

A = ModerationLog.Action


@pytest.fixture
def harbour(make_group, make_member, add_member):
    group = make_group("Harbour", slug="harbour", join_policy="request")
    people = {name: make_member(name) for name in ["Owner", "Mod", "Member", "Outsider", "Other Mod"]}
    add_member(group, people["Owner"], role="owner")
    add_member(group, people["Mod"], role="moderator")
    add_member(group, people["Member"])
    other = make_group("Elsewhere", slug="elsewhere")
    add_member(other, people["Other Mod"], role="moderator")
    return group, people


def url(name, group, **kwargs):
    return reverse(f"groups:{name}", kwargs={"group_slug": group.slug, **kwargs})


def login(client, user):
    client.force_login(user)
    return client


# --- the page and who sees which part -----------------------------------------------------------


def test_owner_sees_every_part_of_the_settings_page(client, harbour):
    group, people = harbour
    html = login(client, people["Owner"]).get(url("group-settings", group)).content.decode()
    for heading in ["Name and description", "Rules", "Joining and visibility", "Join questions", "Holds and slow mode"]:
        assert heading in html
    assert "Watched words" in html
    assert "Download the log" in html


def test_moderator_sees_only_the_moderating_parts(client, harbour):
    group, people = harbour
    response = login(client, people["Mod"]).get(url("group-settings", group))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Holds and slow mode" in html
    assert "Watched words" in html
    assert "Joining and visibility" not in html
    assert "Download the log" not in html
    # And the owner's parts refuse them with a 404, changing nothing.
    response = client.post(url("settings-profile", group), {"name": "Taken over", "description": "x"})
    assert response.status_code == 404
    assert Group.objects.get(pk=group.pk).name == "Harbour"


@pytest.mark.parametrize("who", ["Member", "Outsider", "Other Mod"])
def test_settings_page_is_a_404_for_everyone_else(client, harbour, who):
    group, people = harbour
    assert login(client, people[who]).get(url("group-settings", group)).status_code == 404


# --- profile and joining -------------------------------------------------------------------------


def test_owner_renames_and_the_change_is_logged_with_before_and_after(client, harbour):
    group, people = harbour
    response = login(client, people["Owner"]).post(
        url("settings-profile", group),
        {"name": "Safe Harbour", "description": "A calm place.", "about": "We meet weekly."},
        follow=True,
    )
    assert "Saved. The change is in the group" in response.content.decode()
    group.refresh_from_db()
    assert (group.name, group.slug, group.about) == ("Safe Harbour", "harbour", "We meet weekly.")
    entry = ModerationLog.objects.get(group=group, action=A.SETTINGS_CHANGED)
    assert entry.actor == people["Owner"]
    assert "Name: Harbour → Safe Harbour" in entry.note
    assert "About changed" in entry.note  # long texts are not copied into the log


def test_taking_another_groups_name_is_refused_and_changes_nothing(client, harbour):
    group, people = harbour
    response = login(client, people["Owner"]).post(
        url("settings-profile", group), {"name": "elsewhere", "description": "Mine now."}
    )
    assert response.status_code == 400
    assert "Another group already has this name" in response.content.decode()
    group.refresh_from_db()
    assert (group.name, group.description) == ("Harbour", "A place for Harbour.")
    assert not ModerationLog.objects.filter(action=A.SETTINGS_CHANGED).exists()


def test_saving_without_a_change_logs_nothing(client, harbour):
    group, people = harbour
    response = login(client, people["Owner"]).post(
        url("settings-joining", group),
        {"join_policy": "request", "is_listed": "on", "allow_anonymous": "on"},
        follow=True,
    )
    assert "Nothing changed." in response.content.decode()
    assert not ModerationLog.objects.filter(action=A.SETTINGS_CHANGED).exists()


def test_owner_unlists_the_group_and_closes_anonymous_posts(client, harbour):
    group, people = harbour
    login(client, people["Owner"]).post(url("settings-joining", group), {"join_policy": "invite"})
    group.refresh_from_db()
    assert (group.join_policy, group.is_listed, group.allow_anonymous) == ("invite", False, False)
    note = ModerationLog.objects.get(action=A.SETTINGS_CHANGED).note
    assert "Join policy: Request: moderators approve each request → Invite only" in note
    assert "Listed: yes → no" in note
    assert "Anonymous posts: yes → no" in note
    # The directory no longer lists it.
    assert "Harbour" not in client.get(reverse("groups:group-list")).content.decode()


def test_an_unknown_join_policy_is_refused(client, harbour):
    group, people = harbour
    response = login(client, people["Owner"]).post(url("settings-joining", group), {"join_policy": "everyone"})
    assert response.status_code == 400
    assert Group.objects.get(pk=group.pk).join_policy == "request"


# --- holds and slow mode --------------------------------------------------------------------------


def test_moderator_sets_holds_and_slow_mode(client, harbour):
    group, people = harbour
    login(client, people["Mod"]).post(
        url("settings-holds", group), {"hold_first_posts": "3", "hold_all": "on", "slow_mode_minutes": "10"}
    )
    group.refresh_from_db()
    assert (group.hold_first_posts, group.hold_all, group.slow_mode_seconds) == (3, True, 600)
    assert ModerationLog.objects.get(action=A.SETTINGS_CHANGED).actor == people["Mod"]


@pytest.mark.parametrize(
    "data",
    [
        {"hold_first_posts": "-1", "slow_mode_minutes": "0"},
        {"hold_first_posts": "21", "slow_mode_minutes": "0"},
        {"hold_first_posts": "1", "slow_mode_minutes": "1441"},
        {"hold_first_posts": "one", "slow_mode_minutes": "0"},
        {},
    ],
)
def test_bad_holds_get_a_message_and_change_nothing(client, harbour, data):
    group, people = harbour
    response = login(client, people["Mod"]).post(url("settings-holds", group), data)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    group.refresh_from_db()
    assert (group.hold_first_posts, group.hold_all, group.slow_mode_seconds) == (0, False, 0)


def test_group_slow_mode_makes_a_member_wait_between_posts(client, harbour, make_post):
    group, people = harbour
    actions.update_holds(moderator=people["Mod"], group=group, hold_first_posts=0, hold_all=False, slow_mode_minutes=5)
    group.refresh_from_db()
    post = make_post(group, people["Member"], title="First")
    response = login(client, people["Member"]).post(
        url("reply-create", group, post_id=post.pk), {"body": "And another thing."}
    )
    assert response.status_code == 400
    assert "This group is in slow mode" in response.content.decode()
    # Moderators are not slowed down.
    make_post(group, people["Mod"], title="Mod one")
    make_post(group, people["Mod"], title="Mod two")


# --- rules with history ---------------------------------------------------------------------------


def test_owner_edits_the_rules_and_members_see_what_changed(client, harbour):
    group, people = harbour
    response = login(client, people["Owner"]).post(
        url("rules-edit", group),
        {"rules": "Be kind.\n\nNo method details.\n\nNo selling.", "summary": "Added a rule about selling."},
        follow=True,
    )
    assert "Rules saved" in response.content.decode()
    group.refresh_from_db()
    assert group.rules.endswith("No selling.")
    assert group.rules_updated_at is not None
    revision = RulesRevision.objects.get(group=group)
    assert revision.old_rules == "Be kind.\n\nNo method details."
    assert revision.changed_by == people["Owner"]
    assert ModerationLog.objects.get(action=A.RULES_CHANGED).note == "Added a rule about selling."

    # A member who joined under the old rules sees "rules updated" on every group page ...
    login(client, people["Member"])
    for page in ["group-detail", "post-list", "member-list"]:
        assert "The group's rules were updated" in client.get(url(page, group)).content.decode(), page
    # ... and the history shows the change as a diff.
    html = client.get(url("rules-history", group)).content.decode()
    assert "Added a rule about selling." in html
    assert '<li class="diff-added"><ins><span class="diff-label">Added:</span> No selling.</ins></li>' in html
    # The owner who wrote them is not told they changed.
    login(client, people["Owner"])
    assert "rules were updated" not in client.get(url("group-detail", group)).content.decode()
    # Once the member confirms, the notice goes.
    login(client, people["Member"])
    client.post(url("rules-accept", group))
    assert "rules were updated" not in client.get(url("group-detail", group)).content.decode()


def test_rules_history_is_public_where_the_rules_are(client, harbour):
    group, people = harbour
    actions.change_rules(owner=people["Owner"], group=group, rules="Be gentle.")
    assert client.get(url("rules-history", group)).status_code == 200  # a listed group: anyone
    group.is_listed = False
    group.save()
    assert client.get(url("rules-history", group)).status_code == 404


def test_new_members_do_not_see_rules_updated(client, harbour, make_member, add_member):
    group, people = harbour
    actions.change_rules(owner=people["Owner"], group=group, rules="Be gentle.")
    newcomer = make_member("Newcomer")
    add_member(group, newcomer)  # accepted the new rules on joining
    assert "rules were updated" not in login(client, newcomer).get(url("group-detail", group)).content.decode()


def test_empty_rules_are_refused_and_change_nothing(client, harbour):
    group, people = harbour
    response = login(client, people["Owner"]).post(url("rules-edit", group), {"rules": "   "})
    assert response.status_code == 400
    assert "A group needs rules" in response.content.decode()
    assert Group.objects.get(pk=group.pk).rules == "Be kind.\n\nNo method details."
    assert not RulesRevision.objects.exists()


def test_same_rules_make_no_revision(harbour):
    group, people = harbour
    assert actions.change_rules(owner=people["Owner"], group=group, rules="Be kind.\r\n\r\nNo method details.") is None
    assert not RulesRevision.objects.exists()
    assert not ModerationLog.objects.exists()


def test_a_moderator_cannot_change_the_rules(client, harbour):
    group, people = harbour
    assert login(client, people["Mod"]).get(url("rules-edit", group)).status_code == 404
    with pytest.raises(ActionRefused):
        actions.change_rules(owner=people["Mod"], group=group, rules="Mine.")


# --- join questions -------------------------------------------------------------------------------


def test_owner_sets_join_questions_that_people_then_answer(client, harbour, make_member):
    group, people = harbour
    login(client, people["Owner"]).post(
        url("settings-questions", group),
        {"question_0": "What brings you here?", "question_1": "", "question_2": "  Have you read  the rules? "},
    )
    assert list(JoinQuestion.objects.filter(group=group).values_list("text", flat=True)) == [
        "What brings you here?",
        "Have you read the rules?",
    ]
    assert "What brings you here?" in ModerationLog.objects.get(action=A.QUESTIONS_CHANGED).note
    login(client, make_member("Asker"))
    assert "What brings you here?" in client.get(url("group-join", group)).content.decode()


def test_a_too_long_question_is_refused(client, harbour):
    group, people = harbour
    response = login(client, people["Owner"]).post(url("settings-questions", group), {"question_0": "x" * 201})
    assert response.status_code == 400
    assert not JoinQuestion.objects.exists()


# --- the group's watched words --------------------------------------------------------------------


def test_a_group_watched_word_holds_a_post_in_that_group_only(client, harbour, make_post, make_group, add_member):
    group, people = harbour
    response = login(client, people["Mod"]).post(
        url("word-add", group), {"phrase": "Miracle Cure", "action": "hold"}, follow=True
    )
    assert "added: hold for review in this group" in response.content.decode()
    post = make_post(group, people["Member"], title="Found it", body="This miracle cure worked for me.")
    assert (post.status, post.hold_reason) == (ContentStatus.HELD, "watched_word")
    item = QueueItem.objects.get(post=post)
    assert "Miracle Cure" in item.why
    # The same words elsewhere publish: the word is this group's own.
    elsewhere = Group.objects.get(slug="elsewhere")
    add_member(elsewhere, people["Member"])
    assert make_post(elsewhere, people["Member"], body="A miracle cure.").status == ContentStatus.PUBLISHED


def test_a_group_block_word_refuses_with_the_groups_message(harbour, make_post):
    group, people = harbour
    actions.add_watched_word(
        moderator=people["Mod"], group=group, phrase="buy now", action="block", message="No selling here, please."
    )
    with pytest.raises(ActionRefused, match="No selling here, please."):
        make_post(group, people["Member"], body="Buy now while stocks last")
    assert ModerationLog.objects.filter(action=A.BLOCKED, group=group).exists()


def test_a_group_flag_word_publishes_and_flags(harbour, make_post):
    group, people = harbour
    actions.add_watched_word(moderator=people["Mod"], group=group, phrase="ketamine clinic", action="flag")
    post = make_post(group, people["Member"], body="Which ketamine clinic did you use?")
    assert post.status == ContentStatus.PUBLISHED
    assert QueueItem.objects.get(post=post).kind == QueueItem.Kind.FLAGGED_POST


def test_duplicate_and_site_words_are_refused(client, harbour):
    group, people = harbour
    WatchedWord.objects.create(phrase="spam link", action="block")
    actions.add_watched_word(moderator=people["Mod"], group=group, phrase="Guru", action="hold")
    login(client, people["Mod"])
    response = client.post(url("word-add", group), {"phrase": "guru", "action": "flag"})
    assert response.status_code == 400
    assert "already on this group" in response.content.decode()
    response = client.post(url("word-add", group), {"phrase": "Spam link", "action": "hold"})
    assert response.status_code == 400
    assert "already on the site" in response.content.decode()
    response = client.post(url("word-add", group), {"phrase": "x", "action": "hold"})
    assert response.status_code == 400
    response = client.post(url("word-add", group), {"phrase": "fine words", "action": "delete"})
    assert response.status_code == 400
    assert list(GroupWatchedWord.objects.values_list("phrase", flat=True)) == ["Guru"]


def test_removing_a_word_is_logged(client, harbour):
    group, people = harbour
    word = actions.add_watched_word(moderator=people["Mod"], group=group, phrase="guru", action="hold")
    login(client, people["Owner"]).post(url("word-remove", group, word_id=word.pk))
    assert not GroupWatchedWord.objects.exists()
    assert ModerationLog.objects.get(action=A.WORD_REMOVED).note == "guru (Hold for review)"
    # Removing it again (a double click) says so, without an error page.
    response = client.post(url("word-remove", group, word_id=word.pk), follow=True)
    assert "no longer on the list" in response.content.decode()


def test_another_groups_moderator_cannot_remove_a_word(client, harbour):
    group, people = harbour
    word = actions.add_watched_word(moderator=people["Mod"], group=group, phrase="guru", action="hold")
    response = login(client, people["Other Mod"]).post(url("word-remove", group, word_id=word.pk))
    assert response.status_code == 404
    assert GroupWatchedWord.objects.filter(pk=word.pk).exists()


# --- the group's log as CSV -----------------------------------------------------------------------


def test_owner_downloads_the_groups_log_and_only_that_groups(client, harbour, make_group):
    group, people = harbour
    actions.add_watched_word(moderator=people["Mod"], group=group, phrase="=HYPERLINK(1)", action="hold")
    other = Group.objects.get(slug="elsewhere")
    actions.add_watched_word(moderator=people["Other Mod"], group=other, phrase="other secret", action="hold")
    today = timezone.localdate()
    response = login(client, people["Owner"]).get(
        url("group-log-export", group), {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    assert "Group watched word added" in body
    assert "'=HYPERLINK(1)" in body  # made safe from formula injection
    assert "other secret" not in body


def test_log_download_needs_a_date_range_and_the_owner(client, harbour):
    group, people = harbour
    response = login(client, people["Owner"]).get(
        url("group-log-export", group), {"start": "2026-02-10", "end": "2026-02-01"}
    )
    assert response.status_code == 302
    assert login(client, people["Mod"]).get(url("group-log-export", group)).status_code == 404


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("post", "group-settings"),
        ("post", "rules-history"),
        ("get", "settings-profile"),
        ("get", "settings-holds"),
        ("get", "word-add"),
        ("get", "rules-accept"),
        ("put", "rules-edit"),
    ],
)
def test_wrong_method_is_405(client, harbour, method, name):
    group, people = harbour
    response = getattr(login(client, people["Owner"]), method)(url(name, group))
    assert response.status_code == 405
