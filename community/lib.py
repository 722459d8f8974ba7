"""Plain helpers that need no Django."""

import re
import unicodedata

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
