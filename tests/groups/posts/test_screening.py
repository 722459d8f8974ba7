"""Matching crisis phrases and watched words: whole words, any case, no slipping through
with spacing, look-alike letters or invisible characters."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.core import pagecache
from community.core.text import contains_phrase, normalise_for_matching
from groups.models import CrisisPhrase, GroupWatchedWord, WatchedWord
from groups.posts.screening import LISTS_SHAPE, screen


@pytest.mark.parametrize(
    "text",
    [
        "I want to kill myself",
        "i want to KILL MYSELF.",
        "I want to k i l l myself",
        "I want to k.i.l.l myself",
        "I want to kіll mysеlf",  # Cyrillic і and е
        "I want to k1ll mys3lf",
        "I want to kill\u200b myself",
        "I want to killmyself",
        "ｋｉｌｌ ｍｙｓｅｌｆ",  # full-width letters
    ],
)
def test_crisis_phrase_is_found_through_disguises(text):
    assert contains_phrase(normalise_for_matching(text), "kill myself")


@pytest.mark.parametrize("text", ["skill myself up on guitar", "killer myself", "the skillful self"])
def test_phrases_match_whole_words_only(text):
    assert not contains_phrase(normalise_for_matching(text), "kill myself")


def test_apostrophes_do_not_matter():
    assert contains_phrase(normalise_for_matching("I don’t want to be here anymore"), "don't want to be here anymore")


@pytest.mark.django_db
def test_screen_uses_the_staff_lists():
    CrisisPhrase.objects.create(phrase="walk into the sea")
    WatchedWord.objects.create(phrase="miracle cure", action="hold")
    WatchedWord.objects.create(phrase="buy now", action="block", message="Please do not advertise here.")
    WatchedWord.objects.create(phrase="stop your meds", action="flag")
    result = screen("Title", "A MIRACLE cure! Stop your meds.")
    assert (result.is_risk, result.hold_words, result.flag_words, result.block_message) == (
        False,
        ["miracle cure"],
        ["stop your meds"],
        "",
    )
    assert screen("buy now").block_message == "Please do not advertise here."
    assert screen("Some days I want to walk into the sea").is_risk
    CrisisPhrase.objects.filter(phrase="walk into the sea").update(is_active=False)
    assert not screen("Some days I want to walk into the sea").is_risk  # other phrases stay active


@pytest.mark.django_db
def test_default_crisis_phrases_are_seeded():
    assert CrisisPhrase.objects.filter(phrase="kill myself").exists()
    assert screen("I have been feeling suicidal").is_risk


@pytest.mark.django_db
def test_crisis_screening_is_never_empty():
    CrisisPhrase.objects.update(is_active=False)
    assert screen("I keep thinking I want to die").is_risk


# The lists are kept in the cache (groups/posts/screening.py) until one of them changes.

TABLES_READ = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"')


@pytest.mark.django_db
def test_screening_reads_only_tables_whose_writes_renew_the_kept_lists(make_group):
    group = make_group("Harbour")
    cache.delete_many([f"screening:site:{LISTS_SHAPE}", f"screening:group:{LISTS_SHAPE}:{group.pk}"])
    with CaptureQueriesContext(connection) as queries:
        screen("A hard day", group=group)
    read = {table for query in queries.captured_queries for table in TABLES_READ.findall(query["sql"])}
    assert read == pagecache.SCREENING_TABLES


@pytest.mark.django_db
def test_the_kept_lists_are_read_again_after_any_change_to_them(make_group, make_member, django_assert_num_queries):
    group = make_group("Harbour")
    screen("A hard day", group=group)
    with django_assert_num_queries(0):
        assert not screen("Some days I want to walk into the sea", group=group).is_risk

    CrisisPhrase.objects.create(phrase="walk into the sea")
    assert screen("Some days I want to walk into the sea", group=group).is_risk
    word = GroupWatchedWord.objects.create(group=group, phrase="miracle cure", action="hold", added_by=make_member())
    assert screen("a miracle cure", group=group).hold_words == ["miracle cure"]
    assert screen("a miracle cure", group=make_group("Lantern")).hold_words == []  # only where it was added
    GroupWatchedWord.objects.filter(pk=word.pk).update(action="flag")
    assert screen("a miracle cure", group=group).flag_words == ["miracle cure"]
    word.delete()
    assert screen("a miracle cure", group=group).flag_words == []
    WatchedWord.objects.create(phrase="buy now", action="block", message="Please do not advertise here.")
    assert screen("buy now", group=group).block_message == "Please do not advertise here."
    WatchedWord.objects.all().delete()
    assert screen("buy now", group=group).block_message == ""


@pytest.mark.django_db
def test_without_redis_the_lists_are_read_from_the_database_each_time(redis_down):
    assert not screen("Some days I want to walk into the sea").is_risk
    CrisisPhrase.objects.create(phrase="walk into the sea")
    with CaptureQueriesContext(connection) as queries:
        assert screen("Some days I want to walk into the sea").is_risk
    assert len(queries) > 0
