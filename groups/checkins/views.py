"""Check-in pages: start one (moderators), read and answer a thread (the member, the
group's moderators, staff), and the list of a group's check-ins."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community.context_processors import CRISIS_SUPPORT_KEY
from community.core.errors import ActionRefused
from groups.access import (
    can_moderate,
    can_read,
    check_ins_q,
    get_check_in_for_viewer,
    get_group_for_moderator,
    get_group_for_reader,
    get_post_for_viewer,
    get_reply_for_viewer,
    why_cannot_check_in_with,
    why_cannot_write_in_check_in,
)
from groups.checkins import actions
from groups.checkins.forms import CheckInForm
from groups.models import CheckIn, CheckInMessage, Membership
from groups.moderation.intake import record_refused_risk
from groups.posts.screening import has_crisis_language

MODERATOR_HELP = (
    "Write as yourself, kindly and plainly. The member reads this on the site; the email only says there is a "
    "message. The group's other moderators and site staff can read this conversation too."
)
MEMBER_HELP = "Only you, this group's moderators and site staff can read this conversation."
CHECK_INS_SHOWN = 100


@login_required
@require_GET
def check_in_list(request, group_slug):
    group = get_group_for_reader(request.user, group_slug)
    check_ins = (
        CheckIn.objects.filter(check_ins_q(request.user, group))
        .select_related("group", "member", "started_by")
        .order_by("-last_message_at", "-id")[:CHECK_INS_SHOWN]
    )
    context = {
        "group": group,
        "check_ins": check_ins,
        "can_read": True,
        "can_moderate": can_moderate(request.user, group),
        "tab": "check-ins",
    }
    return render(request, "groups/checkins/check_in_list.html", context)


def _target(request, group):
    """Who the check-in is with, and the post or reply it is about: from ``membership``,
    ``post`` or ``reply`` in the form or the query. Unknown or unseen ids are 404s."""
    params = {**request.GET.dict(), **request.POST.dict()}
    try:
        if params.get("post"):
            post = get_post_for_viewer(request.user, group, int(params["post"]))
            return post.author, post, None
        if params.get("reply"):
            reply = get_reply_for_viewer(request.user, group, int(params["reply"]))
            return reply.author, None, reply
        if params.get("membership"):
            membership = (
                Membership.objects.select_related("user").filter(group=group, pk=int(params["membership"])).first()
            )
            if membership is not None:
                request.check_in_membership_id = membership.pk
                return membership.user, None, None
    except ValueError:
        pass
    raise Http404("No such member.")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def check_in_create(request, group_slug):
    group = get_group_for_moderator(request.user, group_slug)
    member, post, reply = _target(request, group)
    problem = why_cannot_check_in_with(request.user, group, member)
    form = CheckInForm(request.POST if request.method == "POST" else None, help_text=MODERATOR_HELP)
    if request.method == "POST" and not problem and form.is_valid():
        try:
            check_in = actions.start_check_in(
                moderator=request.user,
                group=group,
                member=member,
                body=form.cleaned_data["body"],
                post=post,
                reply=reply,
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request, f"Sent. {member.display_name} gets a notification that there is a message (not its text)."
            )
            return redirect(check_in)
    context = {
        "group": group,
        "member": member,
        "post": post,
        "reply": reply,
        "problem": problem,
        "membership_id": getattr(request, "check_in_membership_id", ""),
        "form": form,
        "can_read": True,
        "can_moderate": True,
        "tab": "check-ins",
    }
    status = 400 if request.method == "POST" or problem else 200
    return render(request, "groups/checkins/check_in_form.html", context, status=status)


def _thread_page(request, check_in, *, form=None, status=200, show_crisis_support=False):
    thread = CheckInMessage.objects.filter(check_in=check_in).select_related("author")
    is_member = check_in.member_id == request.user.pk
    cannot_write = why_cannot_write_in_check_in(request.user, check_in)
    context = {
        "group": check_in.group,
        "check_in": check_in,
        "thread": thread,
        "is_member": is_member,
        "cannot_write": cannot_write,
        "form": form or CheckInForm(label="Your answer" if is_member else "Your message", help_text=""),
        "help_text": MEMBER_HELP if is_member else MODERATOR_HELP,
        "can_read": can_read(request.user, check_in.group),
        "can_moderate": can_moderate(request.user, check_in.group),
        "tab": "check-ins",
    }
    if show_crisis_support:
        context["show_crisis_support"] = True
    return render(request, "groups/checkins/check_in_detail.html", context, status=status)


@login_required
@require_GET
def check_in_detail(request, group_slug, check_in_id):
    check_in = get_check_in_for_viewer(request.user, group_slug, check_in_id)
    actions.mark_check_in_read(user=request.user, check_in=check_in)
    return _thread_page(request, check_in)


@login_required
@require_POST
def check_in_reply(request, group_slug, check_in_id):
    check_in = get_check_in_for_viewer(request.user, group_slug, check_in_id)
    form = CheckInForm(request.POST)
    refusal = ""
    if form.is_valid():
        try:
            message = actions.write_in_check_in(author=request.user, check_in=check_in, body=form.cleaned_data["body"])
        except ActionRefused as refused:
            form.add_error(None, refused.message)
            refusal = refused.message
        else:
            if message.is_risk and request.user.pk == check_in.member_id:
                request.session[CRISIS_SUPPORT_KEY] = True
            messages.success(request, "Sent.")
            return redirect(f"{check_in.get_absolute_url()}#message-{message.pk}")
    else:
        refusal = "; ".join(str(error) for errors in form.errors.values() for error in errors)
    # Crisis help before any refusal: the member's words still reach a human, as with posts.
    body = request.POST.get("body", "")
    at_risk = request.user.pk == check_in.member_id and has_crisis_language(body)
    if at_risk:
        record_refused_risk(author=request.user, group=check_in.group, texts=[body], refusal=refusal)
    return _thread_page(request, check_in, form=form, status=400, show_crisis_support=at_risk)
