"""What every stage of the scale seeder shares: the sizes, the progress bar, the pools of
generated text, the bulk insert, and the `Builder` that carries one random stream and
each stage's results to the next stages."""

import random
import re
import sys
import time
from bisect import bisect
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate

from django.utils import timezone

from community.library.articles import read_articles


@dataclass(frozen=True)
class Sizes:
    members: int
    groups: int
    posts: int
    replies: int
    reactions: int
    meetings: int
    entries: int
    log_entries: int
    reports: int
    notifications: int = 0


SIZES = {
    "large": Sizes(20_000, 400, 200_000, 1_000_000, 300_000, 3_000, 10_000, 20_000, 2_000, 200_000),
    "medium": Sizes(2_000, 40, 20_000, 100_000, 30_000, 300, 1_000, 2_000, 200, 20_000),
}

# Members and meetings both draw their time zone from these.
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Europe/London"]


class Progress:
    """One line per stage, redrawn in place: ``replies  [#####.....]  52%  520,000/1,000,000  31.2s``."""

    def __init__(self, out=None, width: int = 30):
        # A management command's OutputWrapper ends every write with a newline unless told
        # not to; a bar redrawn in place needs none.
        self.out = out or sys.stdout
        self._write = (
            (lambda text: self.out.write(text, ending="")) if hasattr(self.out, "style_func") else self.out.write
        )
        self.width = width
        self.started = time.perf_counter()
        self.timings: dict[str, float] = {}
        self._stage_started = self.started

    def start(self, stage: str) -> None:
        self.stage = stage
        self._stage_started = time.perf_counter()

    def update(self, done: int, total: int) -> None:
        filled = self.width * done // max(total, 1)
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = time.perf_counter() - self.started
        self._write(
            f"\r{self.stage:<14} [{bar}] {100 * done // max(total, 1):3d}%  {done:,}/{total:,}  {elapsed:6.1f}s"
        )
        self.out.flush()

    def finish(self) -> None:
        self.timings[self.stage] = time.perf_counter() - self._stage_started
        self._write("\n")
        self.out.flush()


def _vocabulary() -> tuple[list[str], list[float]]:
    """Real words from the site's own articles, with Zipf weights by frequency, so that
    search meets common and rare words as it would in real posts."""
    counts: dict[str, int] = {}
    for article in read_articles():
        for word in re.findall(r"[a-z]{3,}", article.body.lower()):
            counts[word] = counts.get(word, 0) + 1
    words = sorted(counts, key=lambda word: (-counts[word], word))
    return words, cumulative(1 / (rank + 1) for rank in range(len(words)))


def cumulative(weights) -> list[float]:
    return list(accumulate(weights))


def pick(rng: random.Random, cumulative: list[float]) -> int:
    """An index drawn by weight, in O(log n) (random.choices recomputes sums per call)."""
    return bisect(cumulative, rng.random() * cumulative[-1])


@contextmanager
def given_timestamps(*fields):
    """Let bulk_create keep the spread-out times we give, not auto_now_add's "now" for all."""
    saved = [(field, field.auto_now_add) for field in fields]
    for field, _ in saved:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field, value in saved:
            field.auto_now_add = value


class Builder:
    """The state the stages share. Every random choice comes from ``rng``, so the stages must
    run in the order `seed_scale` gives, each drawing in the order it does today: the same
    seed then builds the same community."""

    batch = 5_000

    def __init__(self, sizes: Sizes, rng: random.Random, progress: Progress):
        self.sizes = sizes
        self.rng = rng
        self.progress = progress
        self.now = timezone.now()
        self.words, self.word_weights = _vocabulary()
        self.texts = [self.text(rng.randint(12, 90)) for _ in range(600)]
        self.titles = [self.text(rng.randint(3, 8)).capitalize() for _ in range(300)]
        # What the stages make for the later ones, in build order.
        self.user_ids: list[int] = []  # people.members; the two benchmark accounts first
        self.group_ids: list[int] = []  # groups.groups; the busiest first
        self.group_weights: list[float] = []  # cumulative, for pick(): a few busy groups, a long tail
        self.members_of: dict[int, list[int]] = {}  # groups.memberships: group id -> active user ids
        self.moderators_of: dict[int, list[int]] = {}  # group id -> owner and moderator user ids
        self.posts: list[tuple[int, int, str]] = []  # content.posts_and_replies: (id, group id, status)
        self.held_posts: list[tuple[int, int]] = []  # (post id, group id)
        self.held_replies: list[tuple[int, int]] = []  # (reply id, group id)
        self.reply_sample: list[tuple[int, int]] = []  # (reply id, post id): what reactions point at
        self._post_groups: dict[int, int] | None = None

    def text(self, count: int) -> str:
        return " ".join(self.rng.choices(self.words, cum_weights=self.word_weights, k=count)) + "."

    def insert(self, model, rows, total: int) -> list:
        """bulk_create ``rows`` (an iterable) in batches, with the progress bar; returns the objects."""
        created, chunk = [], []
        done = 0
        self.progress.update(0, total)
        for row in rows:
            chunk.append(row)
            if len(chunk) >= self.batch:
                created.extend(model.objects.bulk_create(chunk))
                done += len(chunk)
                chunk = []
                self.progress.update(done, total)
        if chunk:
            created.extend(model.objects.bulk_create(chunk))
            done += len(chunk)
        self.progress.update(done, total)
        return created

    def group_of_post(self, post_id: int) -> int:
        """Call once ``posts`` is filled: the map is built on the first call."""
        if self._post_groups is None:
            self._post_groups = {pk: group_id for pk, group_id, _ in self.posts}
        return self._post_groups[post_id]
