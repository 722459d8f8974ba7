"""The moderation queue's items as HTML, a page's worth in one query.

A page of the queue read its 25 items with four joins and up to seven more queries (the
rarer relations), built a hundred model instances and rendered each item: most of the
page's time, page after page, for the same few items every moderator of a group looks at.

Now one query, compiled once per process (community/core/prepared.py), reads every value
an item shows, and each item's HTML is kept in this process under those values and the
viewer's time zone. The item's template is given instances built from
those values alone, so it cannot show anything the key leaves out: an edit, a claim, a
renamed member or another time zone is another key. Each page puts in its own CSRF field.
"""

import json
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from community.core.prepared import for_each_length, instance
from groups.models import Appeal, Group, Membership, ModerationLog, Post, QueueItem, Reply, Report
from groups.moderation.forms import QueueDecisionForm
from groups.moderation.queue import decision_choices

# Where each page's CSRF field goes: a comment, which no escaped text can spell.
CSRF_SLOT = "<!--csrf-->"

# What an item shows of each relation, by its prefix in the query (None: every field). Of
# a member, only the name (never the password or the email; the reporter is not read at
# all); of a post or reply, what the item shows, not the counts a new reply changes.
_NAME_ONLY = ("id", "display_name")
_GROUP = ("id", "name", "slug")
RELATIONS = {
    "": (QueueItem, None),
    "group__": (Group, _GROUP),
    "claimed_by__": (None, _NAME_ONLY),
    "member__": (None, _NAME_ONLY),
    "post__": (Post, ("id", "title", "body_html", "content_warning", "is_anonymous", "author_id", "group_id")),
    "post__author__": (None, _NAME_ONLY),
    "post__group__": (Group, _GROUP),
    "reply__": (Reply, ("id", "body_html", "content_warning", "is_anonymous", "author_id", "post_id")),
    "reply__author__": (None, _NAME_ONLY),
    "reply__post__": (Post, ("id", "title", "group_id")),
    "reply__post__group__": (Group, _GROUP),
    "report__": (Report, ("id", "post_id", "reply_id", "reported_user_id", "note")),
    "report__reported_user__": (None, _NAME_ONLY),
    "membership__": (Membership, ("id", "user_id", "answers")),
    "membership__user__": (None, _NAME_ONLY),
    "appeal__": (Appeal, ("id", "decision_id", "appellant_id", "text")),
    "appeal__appellant__": (None, _NAME_ONLY),
    "appeal__decision__": (ModerationLog, ("id", "action", "reason", "note")),
}


def _model(prefix: str):
    return RELATIONS[prefix][0] or get_user_model()


def _fields() -> list[str]:
    names = []
    for prefix, (_model_or_user, chosen) in RELATIONS.items():
        model = _model(prefix)
        if chosen is None:
            chosen = [field.attname for field in model._meta.concrete_fields]
        names += [prefix + name for name in chosen]
    return names


def _items(*ids):
    # Open only: an item decided since the page's ids were read is not shown.
    return QueueItem.objects.filter(pk__in=ids, status=QueueItem.Status.OPEN).values(*_fields())


# Compiled once per process for each number of items on a page (at most 25). Its seventeen
# joins took 7 to 11 ms to plan; PostgreSQL soon keeps one plan for it on its own (its
# best plan is the same for any ids: measured 410 generic plans to 5 custom in 415 runs).
_ITEMS = for_each_length(_items, ids=0)


def items_html(item_ids: list[int]) -> list[str]:
    """Each item's HTML, in the order of ``item_ids`` (items gone meanwhile are left out),
    with CSRF_SLOT where the page's CSRF field goes."""
    if not item_ids:
        return []
    prepared = _ITEMS(len(item_ids))
    rows = prepared.fetchall(*item_ids) if prepared else list(_items(*item_ids))
    by_id = {row["id"]: row for row in rows}
    zone = timezone.get_current_timezone_name()
    return [_item_html(_Row(by_id[pk], zone)) for pk in item_ids if pk in by_id]


class _Row:
    """A row's values, known to the cache by themselves and the viewer's time zone (equal
    keys are compared whole, so two items never share HTML)."""

    __slots__ = ("hash", "key", "values")

    def __init__(self, values: dict, zone: str):
        self.values = values
        self.key = (tuple(values.values()), zone)
        try:
            self.hash = hash(self.key)
        except TypeError:  # a join request's answers (JSON)
            self.key = (tuple(_hashable(value) for value in values.values()), zone)
            self.hash = hash(self.key)

    def __hash__(self):
        return self.hash

    def __eq__(self, other):
        return isinstance(other, _Row) and self.key == other.key


def _hashable(value):
    return json.dumps(value, sort_keys=True) if isinstance(value, list | dict) else value


@lru_cache(maxsize=512)
def _item_html(row: _Row) -> str:
    item = _item_of(row.values)
    fields = _decision_fields(tuple(decision_choices(item))).replace("{item}", str(item.pk))
    template = engines["jinja2"].get_template("groups/moderation/_queue_item.html")
    # Both are HTML written here: the form's own and a comment.
    safe = {"decision_fields": mark_safe(fields), "csrf_input": mark_safe(CSRF_SLOT)}  # noqa: S308
    return template.render({"item": item, **safe})


def _item_of(values: dict) -> QueueItem:
    """The item and its relations as model instances, from the row alone."""
    found = {prefix: instance(_model(prefix), values, prefix) for prefix in RELATIONS}
    for prefix, child in found.items():
        if prefix and child is not None:
            parent_prefix, _, name = prefix[:-2].rpartition("__")
            parent = found[parent_prefix + "__" if parent_prefix else ""]
            if parent is not None:
                setattr(parent, name, child)
    item = found[""]
    for relation in ("claimed_by", "member", "post", "reply", "report", "membership", "appeal"):
        if found[relation + "__"] is None:  # a NULL relation reads as None, not a query
            setattr(item, relation, None)
    return item


@lru_cache(maxsize=32)
def _decision_fields(choices: tuple) -> str:
    """The empty decision form for items with these choices, with ``{item}`` where each
    item's id goes. Items of a kind share it: it is rendered once per process (25
    radio-button forms rendered one by one took 70 ms a page, one per kind 4 ms)."""
    return render_to_string(
        "_form_fields.html", {"form": QueueDecisionForm(choices=choices, auto_id="id_item{item}_%s")}
    )
