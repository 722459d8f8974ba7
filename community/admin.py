from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone

from community.models import (
    Article,
    ArticleSource,
    CareEntry,
    CareReport,
    CrisisLine,
    ResourceSuggestion,
    Treatment,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["display_name"]
    list_display = ["display_name", "email", "is_staff", "is_active", "date_joined"]
    search_fields = ["display_name", "email"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name", "time_zone", "about"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]})]


@admin.register(CrisisLine)
class CrisisLineAdmin(admin.ModelAdmin):
    list_display = ["name", "how", "position", "is_active"]
    list_editable = ["position", "is_active"]


# --- Resource library and care directory --------------------------------------------------------


class ArticleSourceInline(admin.TabularInline):
    model = ArticleSource
    extra = 1


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "topic", "order", "status", "last_reviewed"]
    list_filter = ["status", "topic"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["related"]
    inlines = [ArticleSourceInline]


@admin.register(ResourceSuggestion)
class ResourceSuggestionAdmin(admin.ModelAdmin):
    """Read here; accepted or declined on the suggestions page (the actions make the
    draft and tell the member)."""

    list_display = ["title", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    readonly_fields = ["suggested_by", "status", "decided_by", "decided_at", "decision_note", "article"]

    def has_add_permission(self, request):
        return False


class OffersTreatmentFilter(admin.SimpleListFilter):
    title = "treatment offered"
    parameter_name = "treatment"

    def lookups(self, request, model_admin):
        return Treatment.choices

    def queryset(self, request, queryset):
        if self.value() in Treatment.values:
            return queryset.filter(treatments__includes=self.value())
        return queryset


@admin.register(CareEntry)
class CareEntryAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "region", "telehealth", "is_listed", "last_verified"]
    list_filter = ["kind", OffersTreatmentFilter, "telehealth", "is_listed", "region"]
    search_fields = ["name", "city", "postal_code"]
    actions = ["mark_verified_today"]

    @admin.action(description="Mark the selected entries as verified today")
    def mark_verified_today(self, request, queryset):
        count = queryset.update(last_verified=timezone.localdate())
        self.message_user(request, f"{count} entries marked as verified today.")


@admin.register(CareReport)
class CareReportAdmin(admin.ModelAdmin):
    """Read here; resolved on the care reports page (``resolve_report``)."""

    list_display = ["entry", "problem", "status", "created_at"]
    list_filter = ["status", "problem"]
    raw_id_fields = ["entry"]
    readonly_fields = ["reporter", "status", "resolved_by", "resolved_at"]

    def has_add_permission(self, request):
        return False
