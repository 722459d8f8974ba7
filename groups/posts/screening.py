"""Reading a post or reply before it is saved: crisis phrases and watched words."""

import re
from dataclasses import dataclass, field

from community.core import pagecache
from community.core.text import contains_phrase, normalise_for_matching
from groups.models import CrisisPhrase, GroupWatchedWord, WatchedWord

# The lists are read from the cache, kept until staff or a group's moderators change one
# (the SCREENING generation renews at that commit), and for at most this long, in case a
# change was made while a process could not reach Redis. Without Redis they are read from
# the database every time.
LISTS_SECONDS = 60
# In the keys: change it when what is kept changes shape, so that two releases running side
# by side during an upgrade never read each other's lists.
LISTS_SHAPE = 1


@dataclass
class Screening:
    is_risk: bool = False
    block_message: str = ""
    hold_words: list[str] = field(default_factory=list)
    flag_words: list[str] = field(default_factory=list)

    @property
    def why(self) -> str:
        parts = []
        if self.is_risk:
            parts.append("crisis language")
        if self.hold_words or self.flag_words:
            parts.append("watched words: " + ", ".join(self.hold_words + self.flag_words))
        return "; ".join(parts)


# Used when staff have switched every crisis phrase off or the list is empty: like the
# crisis page, this safety net is never empty. (Migration 0004 seeds the editable list.)
FALLBACK_CRISIS_PHRASES = [
    "kill myself", "end my life", "take my life", "want to die", "better off dead", "better off without me",
    "no reason to live", "suicidal", "suicide", "hurt myself", "self harm", "end it all",
]  # fmt: skip


# Plans people make with their clinicians, which some crisis phrases ("made a plan") would
# otherwise catch. They are taken out of the text before the crisis phrases are matched, so
# "I made a safety plan with my therapist" is not flagged, while "I made a plan to end it"
# still is. A missed flag costs far more than a needless one, so these are narrow: a named
# kind of care plan, or a plan "with my doctor" that ends there (a full stop, a comma, "and",
# the end, or "to" and a word about treatment: "to taper"), never "with my doctor's pills"
# or "for the nurse to find me". They are
# matched on the lower-cased text with its punctuation, before it is normalised.
_CARER = (
    "doctor|therapist|psychiatrist|psychologist|counsellor|counselor|nurse|care team|treatment team|gp|"
    "prescriber|provider|case manager|social worker|care coordinator"
)
_ENDS_HERE = (
    r"(?=\s*(?:[.!?,;:)]|and\b|$|to (?:taper|try|start|stop|change|switch|increase|lower|reduce|add|keep|review)\b))"
)
SAFE_PHRASES = [
    re.compile(r"\b(?:safety|crisis|treatment|care|wellness|recovery|relapse prevention|coping) plans?\b"),
    re.compile(rf"\b(?:made|make|making|have|had) (?:a |our |my )?plan with (?:my|our) (?:{_CARER}){_ENDS_HERE}"),
    re.compile(rf"\ba plan with (?:my|our) (?:{_CARER}){_ENDS_HERE}"),
]


def without_safe_phrases(text: str) -> str:
    text = (text or "").casefold().replace("\u2019", "'")
    for pattern in SAFE_PHRASES:
        text = pattern.sub(" | ", text)
    return text


def _site_lists() -> tuple[list[str], list[tuple[str, str, str]]]:
    """Staff's active crisis phrases, and their watched words as (phrase, action, message)."""
    return pagecache.kept_or_built(
        pagecache.SCREENING,
        f"screening:site:{LISTS_SHAPE}",
        lambda: (
            list(CrisisPhrase.objects.filter(is_active=True).values_list("phrase", flat=True)),
            list(WatchedWord.objects.values_list("phrase", "action", "message")),
        ),
        LISTS_SECONDS,
    )


def _group_words(group) -> list[tuple[str, str, str]]:
    return pagecache.kept_or_built(
        pagecache.SCREENING,
        f"screening:group:{LISTS_SHAPE}:{group.pk}",
        lambda: list(GroupWatchedWord.objects.filter(group=group).values_list("phrase", "action", "message")),
        LISTS_SECONDS,
    )


def has_crisis_language(*texts: str) -> bool:
    """Whether the texts suggest someone may be at risk."""
    text = normalise_for_matching(without_safe_phrases(" \n ".join(t or "" for t in texts)))
    phrases, _words = _site_lists()
    return any(contains_phrase(text, phrase) for phrase in phrases or FALLBACK_CRISIS_PHRASES)


def screen(*texts: str, group=None) -> Screening:
    """Check the texts against the staff-edited lists and, given a group, that group's own
    watched words too."""
    text = normalise_for_matching(" \n ".join(texts))
    result = Screening()
    result.is_risk = has_crisis_language(*texts)
    _phrases, words = _site_lists()
    if group is not None:
        words = words + _group_words(group)
    for phrase, action, message in words:
        if not contains_phrase(text, phrase):
            continue
        if action == WatchedWord.Action.BLOCK and not result.block_message:
            result.block_message = message or (
                "Your message includes words this community does not allow. Please change it and try again."
            )
        elif action == WatchedWord.Action.HOLD and phrase not in result.hold_words:
            result.hold_words.append(phrase)
        elif action == WatchedWord.Action.FLAG and phrase not in result.flag_words:
            result.flag_words.append(phrase)
    return result
