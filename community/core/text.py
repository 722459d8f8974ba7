"""Plain helpers that need no Django."""

import re
import unicodedata
from functools import lru_cache

DISPLAY_NAME_MIN = 3
DISPLAY_NAME_MAX = 30
# Letters and digits of any script, spaces, hyphens and underscores.
_DISPLAY_NAME_RE = re.compile(r"^[^\W][\w\- ]*$")
# Names that would let someone pass as the site, its staff or the placeholders we show.
RESERVED_DISPLAY_NAMES = {
    "admin",
    "administrator",
    "anonymous",
    "anonymous member",
    "former member",
    "moderator",
    "staff",
    "support",
    "system",
}


def normalise_display_name(value: str) -> str:
    """NFKC-normalise and collapse runs of white space into one space."""
    return " ".join(unicodedata.normalize("NFKC", value).split())


def display_name_problem(value: str) -> str | None:
    """Why ``value`` (already normalised) cannot be a display name, or None."""
    if "@" in value:
        return "A display name cannot be an email address. Choose a name that does not identify you."
    if not DISPLAY_NAME_MIN <= len(value) <= DISPLAY_NAME_MAX:
        return f"Use {DISPLAY_NAME_MIN} to {DISPLAY_NAME_MAX} characters."
    if not _DISPLAY_NAME_RE.match(value):
        return "Use only letters, digits, spaces, hyphens (-) and underscores (_), starting with a letter or digit."
    if value.casefold() in RESERVED_DISPLAY_NAMES:
        return "That name is reserved. Please choose another."
    return None


# --- matching words in members' text ------------------------------------------------------
# Look-alike letters from other scripts and common digit swaps, mapped to plain Latin, so
# that "kіll" (Cyrillic і) or "k1ll" match "kill".
_LOOKALIKES = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
        "к": "k", "м": "m", "т": "t", "в": "b", "н": "h", "ԁ": "d", "ɡ": "g", "ο": "o", "α": "a", "ε": "e",
        "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "0": "o", "1": "i", "3": "e",
        "4": "a", "5": "s", "7": "t", "@": "a", "$": "s",
    }
)  # fmt: skip
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"), None)
_APOSTROPHES = re.compile(r"['’‘`´]")
_NON_WORD = re.compile(r"[^a-z]+")


def normalise_for_matching(text: str) -> str:
    """Text reduced to lower-case Latin words separated by single spaces.

    Unicode-normalised, invisible characters dropped, accents and look-alike letters
    folded, apostrophes removed ("don't" -> "dont"), and letters spaced out one by one
    ("k i l l") joined back into a word.
    """
    text = unicodedata.normalize("NFKC", text or "").translate(_INVISIBLE).casefold().translate(_LOOKALIKES)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = _APOSTROPHES.sub("", text)
    tokens = _NON_WORD.sub(" ", text).split()
    joined, run = [], []
    for token in tokens + [""]:
        if len(token) == 1:
            run.append(token)
            continue
        joined.extend(["".join(run)] if len(run) >= 3 else run)
        run = []
        if token:
            joined.append(token)
    return " ".join(joined)


def contains_phrase(normalised_text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs as whole words in text already passed through
    ``normalise_for_matching`` (also when its words were typed without spaces)."""
    wanted = _normalised_phrase(phrase)
    if not wanted:
        return False
    padded = f" {normalised_text} "
    return f" {wanted} " in padded or (" " in wanted and f" {wanted.replace(' ', '')} " in padded)


# The phrases are the screening lists' (a few hundred, the same for every post): each is
# normalised once per process, not once per text read.
_normalised_phrase = lru_cache(maxsize=4096)(normalise_for_matching)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(row: list) -> list:
    """Cells a spreadsheet will not run as formulas: text starting with = + - @ or a
    control character gets a leading apostrophe (OWASP's advice for CSV injection)."""
    return [f"'{cell}" if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS) else cell for cell in row]


def plain_text(markdown_text: str) -> str:
    """Markdown reduced to plain text for places that show no markup (calendar files)."""
    text = re.sub(r"[*_`#>]+", "", markdown_text or "")
    text = re.sub(r"\[([^\]]*)\]\(([^)]*)\)", r"\1 (\2)", text)
    return "\n".join(line.strip() for line in text.splitlines()).strip()
