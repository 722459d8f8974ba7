"""Building a member's data export: one JSON file for machines, one HTML page for people,
zipped. Pure reads; the task in community/privacy/tasks.py stores the result.

What goes in: everything the member wrote and everything recorded about them. What never
goes in: who reported them, which moderator decided (moderators are volunteers and keep
their pseudonym to themselves), other members' words, and secrets such as feed tokens.
"""

import io
import json
import zipfile

from allauth.account.models import EmailAddress
from django.template.loader import render_to_string
from django.utils import timezone

from community.journal.exports import journal_export
from community.models import Block, CareReport, Notification, ResourceSuggestion
from groups.models import (
    Appeal,
    CheckInMessage,
    GroupProposal,
    Membership,
    ModerationLog,
    Post,
    Reaction,
    Reply,
    Report,
    Revision,
    Rsvp,
    SeriesRsvp,
)
from groups.moderation.models import MEMBER_VISIBLE_ACTIONS

EXPORT_FORMAT_VERSION = 1


def _when(value):
    return value.isoformat() if value else None


def collect_member_data(user) -> dict:
    """Everything about ``user`` as plain JSON-ready data, a fixed number of queries."""
    posts = list(Post.objects.filter(author=user).select_related("group").order_by("created_at", "id"))
    replies = list(Reply.objects.filter(author=user).select_related("post__group").order_by("created_at", "id"))
    revisions = Revision.objects.filter(post__author=user) | Revision.objects.filter(reply__author=user)
    # The same rule as the member's decisions page: what they may learn about themselves.
    decisions = (
        ModerationLog.objects.filter(target_user=user)
        | ModerationLog.objects.filter(post__author=user)
        | ModerationLog.objects.filter(reply__author=user)
    ).filter(action__in=MEMBER_VISIBLE_ACTIONS)
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": _when(timezone.now()),
        "profile": {
            "id": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "about": user.about,
            "time_zone": user.time_zone,
            "joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "suspended": user.is_suspended,
            "suspended_until": _when(user.suspended_until),
            "suspension_reason": user.suspension_reason,
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("id")
        ],
        "notification_settings": {
            "emails": user.get_email_frequency_display(),
            "excerpts_in_emails": user.email_excerpts,
            "meeting_reminders": user.get_meeting_reminders_display(),
        },
        "memberships": [
            {
                "group": m.group.name,
                "group_slug": m.group.slug,
                "role": m.role,
                "status": m.status,
                "join_answers": m.answers,
                "decision_message": m.decision_message,
                "follows_closely": m.follows_closely,
                "muted_until": _when(m.muted_until),
                "requested_at": _when(m.requested_at),
                "joined_at": _when(m.joined_at),
                "rules_accepted_at": _when(m.rules_accepted_at),
            }
            for m in Membership.objects.filter(user=user).select_related("group").order_by("id")
        ],
        "posts": [
            {
                "id": p.pk,
                "group": p.group.name,
                "title": p.title,
                "body": p.body,
                "content_warning": p.content_warning,
                "anonymous": p.is_anonymous,
                "status": p.status,
                "created_at": _when(p.created_at),
                "edited_at": _when(p.edited_at),
            }
            for p in posts
        ],
        "replies": [
            {
                "id": r.pk,
                "post_id": r.post_id,
                "group": r.post.group.name,
                "body": r.body,
                "content_warning": r.content_warning,
                "anonymous": r.is_anonymous,
                "status": r.status,
                "created_at": _when(r.created_at),
                "edited_at": _when(r.edited_at),
            }
            for r in replies
        ],
        "earlier_versions": [
            {
                "post_id": v.post_id,
                "reply_id": v.reply_id,
                "title": v.title,
                "body": v.body,
                "content_warning": v.content_warning,
                "replaced_at": _when(v.created_at),
            }
            for v in revisions.order_by("created_at", "id")
        ],
        "reactions": [
            {"kind": r.kind, "post_id": r.post_id, "reply_id": r.reply_id, "created_at": _when(r.created_at)}
            for r in Reaction.objects.filter(user=user).order_by("created_at", "id")
        ],
        "rsvps": [
            {
                "meeting": r.occurrence.meeting.title,
                "group": r.occurrence.meeting.group.name,
                "starts": _when(r.occurrence.start),
                "status": r.status,
                "requested_at": _when(r.requested_at),
            }
            for r in Rsvp.objects.filter(user=user).select_related("occurrence__meeting__group").order_by("id")
        ],
        "series_rsvps": [
            {"meeting": s.meeting.title, "group": s.meeting.group.name, "since": _when(s.created_at)}
            for s in SeriesRsvp.objects.filter(user=user).select_related("meeting__group").order_by("id")
        ],
        "moderation_decisions_about_you": [
            {
                "action": d.get_action_display(),
                "group": d.group.name if d.group else None,
                "post_id": d.post_id,
                "reply_id": d.reply_id,
                "reason": d.get_reason_display() if d.reason else "",
                "note": d.note,
                "until": _when(d.until),
                "at": _when(d.created_at),
            }
            for d in decisions.select_related("group").distinct().order_by("created_at", "id")
        ],
        "appeals": [
            {"text": a.text, "status": a.status, "response": a.response, "at": _when(a.created_at)}
            for a in Appeal.objects.filter(appellant=user).order_by("id")
        ],
        # Reports this member made (never reports about them: reporters stay anonymous).
        "reports_made": [
            {
                "group": r.group.name,
                "post_id": r.post_id,
                "reply_id": r.reply_id,
                "reason": r.reason,
                "note": r.note,
                "status": r.status,
                "at": _when(r.created_at),
            }
            for r in Report.objects.filter(reporter=user).select_related("group").order_by("id")
        ],
        "group_proposals": [
            {"name": g.name, "purpose": g.purpose, "reason": g.reason, "status": g.status, "at": _when(g.created_at)}
            for g in GroupProposal.objects.filter(proposer=user).order_by("id")
        ],
        "resource_suggestions": [
            {"title": s.title, "url": s.url, "reason": s.reason, "status": s.status}
            for s in ResourceSuggestion.objects.filter(suggested_by=user).order_by("id")
        ],
        "care_directory_reports": [
            {"entry": str(c.entry), "at": _when(c.created_at)}
            for c in CareReport.objects.filter(reporter=user).select_related("entry").order_by("id")
        ],
        "notifications": [
            {"kind": n.get_kind_display(), "at": _when(n.created_at), "read_at": _when(n.read_at)}
            for n in Notification.objects.filter(recipient=user).order_by("created_at", "id")
        ],
        # Check-ins with this member: their own words and the moderators' messages to them.
        "check_ins": [
            {
                "group": m.check_in.group.name,
                "check_in_id": m.check_in_id,
                "from": "you" if m.author_id == user.pk else "moderator",
                "text": m.body,
                "at": _when(m.created_at),
            }
            for m in CheckInMessage.objects.filter(check_in__member=user)
            .select_related("check_in__group")
            .order_by("created_at", "id")
        ],
        "blocked_members": [
            {"display_name": b.blocked.display_name, "since": _when(b.created_at)}
            for b in Block.objects.filter(blocker=user).select_related("blocked").order_by("id")
        ],
        # The treatment journal, decrypted: it is the member's own.
        **journal_export(user),
    }


def build_export_zip(user) -> bytes:
    """The zip a member downloads: data.json and a readable index.html of the same data."""
    data = collect_member_data(user)
    html = render_to_string("community/privacy/export.html", {"data": data})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr("index.html", html)
    return buffer.getvalue()
