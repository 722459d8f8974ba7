from django.contrib import admin

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
    model = Membership
    extra = 0
    fields = ["user", "role", "status", "joined_at"]
    readonly_fields = ["joined_at"]
    autocomplete_fields = ["user"]
    show_change_link = True


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "format", "join_policy", "is_listed", "member_count"]
    list_filter = ["format", "join_policy", "is_listed", "topics"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["topics"]
    readonly_fields = ["member_count", "rules_updated_at"]
    inlines = [JoinQuestionInline, GroupWatchedWordInline, MembershipInline]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "group", "role", "status", "joined_at"]
    list_filter = ["role", "status"]
    search_fields = ["user__display_name", "group__name"]
    autocomplete_fields = ["user", "group"]


@admin.register(GroupProposal)
class GroupProposalAdmin(admin.ModelAdmin):
    list_display = ["name", "proposer", "status", "created_at"]
    list_filter = ["status"]


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = ["group", "created_by", "max_uses", "use_count", "expires_at", "revoked_at"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["title"]
    raw_id_fields = ["author", "group"]
    readonly_fields = ["body_html"]


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    list_display = ["pk", "post", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["author", "post"]
    readonly_fields = ["body_html"]


@admin.register(ModerationLog)
class ModerationLogAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only, in the admin as everywhere."""

    list_display = ["created_at", "action", "group", "actor", "target_user", "reason"]
    list_filter = ["action", "reason"]
    search_fields = ["note"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
