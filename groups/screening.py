"""Reading a post or reply before it is saved: crisis phrases and watched words."""

from dataclasses import dataclass, field

from community.lib import contains_phrase, normalise_for_matching
from groups.models import CrisisPhrase, WatchedWord


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


def screen(*texts: str) -> Screening:
    """Check the texts against the staff-edited lists (two small queries)."""
    text = normalise_for_matching(" \n ".join(texts))
    result = Screening()
    phrases = list(CrisisPhrase.objects.filter(is_active=True).values_list("phrase", flat=True))
    result.is_risk = any(contains_phrase(text, phrase) for phrase in phrases or FALLBACK_CRISIS_PHRASES)
    for word in WatchedWord.objects.all():
        if not contains_phrase(text, word.phrase):
            continue
        if word.action == WatchedWord.Action.BLOCK and not result.block_message:
            result.block_message = word.message or (
                "Your message includes words this community does not allow. Please change it and try again."
            )
        elif word.action == WatchedWord.Action.HOLD:
            result.hold_words.append(word.phrase)
        elif word.action == WatchedWord.Action.FLAG:
            result.flag_words.append(word.phrase)
    return result
