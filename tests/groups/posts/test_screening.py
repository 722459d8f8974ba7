"""Matching crisis phrases and watched words: whole words, any case, no slipping through
with spacing, look-alike letters or invisible characters."""

import pytest

from community.core.text import contains_phrase, normalise_for_matching
from groups.models import CrisisPhrase, WatchedWord
from groups.posts.screening import screen


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
