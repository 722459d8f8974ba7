from django import forms
from django.contrib import admin, messages

from community.core.errors import ActionRefused
from groups.membership.actions import set_role
from groups.models import (
    CrisisPhrase,
    Group,
    GroupProposal,
    GroupWatchedWord,
    Invite,
    JoinQuestion,
    Membership,
    ModerationLog,
    Post,
    Reply,
    Topic,
    WatchedWord,
)
from groups.settings.actions import HOLD_FIELDS, JOINING_FIELDS, PROFILE_FIELDS

# A group's settings change on its settings page, through actions that log each change
# (from what, to what); the admin shows them but cannot change them silently.
LOGGED_SETTINGS = [*PROFILE_FIELDS, *JOINING_FIELDS, *HOLD_FIELDS, "rules"]


class JoinQuestionInline(admin.TabularInline):
    model = JoinQuestion
    extra = 0
    max_num = 3


class GroupWatchedWordInline(admin.TabularInline):
    # For emergencies; owners and moderators keep these from the group's settings page,
    # where each change is logged.
    model = GroupWatchedWord
    extra = 0
    fields = ["phrase", "action", "message"]


class MembershipInline(admin.TabularInline):
    """A list to read: people join, leave and are removed through the site's actions
    (which log it and keep the count); a role is changed on the membership's own page."""

    model = Membership
    extra = 0
    fields = ["user", "role", "status", "joined_at"]
    readonly_fields = fields
    show_change_link = True
    max_num = 0  # none added here
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "group")


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "format", "join_policy", "is_listed", "member_count"]
    list_filter = ["format", "join_policy", "is_listed", "topics"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["topics"]
    readonly_fields = ["member_count", "rules_updated_at"]
    inlines = [JoinQuestionInline, GroupWatchedWordInline, MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        # A new group is set up here; an existing one changes through its settings page.
        return self.readonly_fields if obj is None else [*self.readonly_fields, *LOGGED_SETTINGS]

    def get_prepopulated_fields(self, request, obj=None):
        # The slug follows the name only while the group is new (the name is read-only after).
        return self.prepopulated_fields if obj is None else {}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


class MembershipRoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Only the role is edited here, and through ``set_role`` (checked and logged); the
    status moves through joining, leaving and moderation, which keep the group's count."""

    list_display = ["user", "group", "role", "status", "joined_at"]
    list_filter = ["role", "status"]
    search_fields = ["user__display_name", "group__name"]
    form = MembershipRoleForm
    fields = ["user", "group", "role", "status", "joined_at", "requested_at", "muted_until"]
    readonly_fields = ["user", "group", "status", "joined_at", "requested_at", "muted_until"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if "role" in form.changed_data:
            try:
                set_role(actor=request.user, membership=obj, role=form.cleaned_data["role"])
            except ActionRefused as refused:
                self.message_user(request, refused.message, level=messages.ERROR)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the admin shows but never writes: the site's actions make and change them,
    each with its checks, its log entry and its counts."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GroupProposal)
class GroupProposalAdmin(admin.ModelAdmin):
    """A proposal may be renamed here; it is decided on the proposals page (the action
    creates the group and its owner)."""

    list_display = ["name", "proposer", "status", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["proposer", "status", "decided_by", "decided_at", "decision_message", "group"]

    def has_add_permission(self, request):
        return False


@admin.register(Invite)
class InviteAdmin(ReadOnlyAdmin):
    """Made and revoked on the group's invite page."""

    list_display = ["group", "created_by", "max_uses", "use_count", "expires_at", "revoked_at"]


# Posts and replies are read here, not changed: writing, editing (a revision and the
# page's HTML), taking down and restoring (a log entry and the reply count) go through
# the site's actions, on the post's own page.
@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ["title", "group", "status", "reply_count", "created_at"]
    list_filter = ["status"]
    search_fields = ["title"]


@admin.register(Reply)
class ReplyAdmin(ReadOnlyAdmin):
    list_display = ["pk", "post", "status", "created_at"]
    list_filter = ["status"]


@admin.register(ModerationLog)
class ModerationLogAdmin(ReadOnlyAdmin):
    """The log is append-only, in the admin as everywhere."""

    list_display = ["created_at", "action", "group", "actor", "target_user", "reason"]
    list_filter = ["action", "reason"]
    search_fields = ["note"]


@admin.register(WatchedWord)
class WatchedWordAdmin(admin.ModelAdmin):
    list_display = ["phrase", "action", "message"]
    list_filter = ["action"]
    search_fields = ["phrase"]


@admin.register(CrisisPhrase)
class CrisisPhraseAdmin(admin.ModelAdmin):
    list_display = ["phrase", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["phrase"]
