from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from community.accounts import views as accounts
from community.accounts.roles import two_factor_for_staff
from community.care import views as care
from community.library import views as resources
from community.notifications import views as notifications
from community.pages import health
from community.pages import views as pages
from community.privacy import views as privacy
from community.search import views as search

admin.site.login = secure_admin_login(admin.site.login)
# Every admin page (the site wraps each in admin_view at request time) asks staff for
# two-factor authentication, as the staff pages marked @staff_required(two_factor=True) do.
_admin_view = admin.site.admin_view
admin.site.admin_view = lambda view, cacheable=False: _admin_view(two_factor_for_staff(view), cacheable)
admin.site.site_header = "Community administration"

community_patterns = [
    path("", pages.home, name="home"),
    path("help/", pages.crisis, name="crisis"),
    path("about/", TemplateView.as_view(template_name="community/pages/about.html"), name="about"),
    path("guidelines/", TemplateView.as_view(template_name="community/pages/guidelines.html"), name="guidelines"),
    path("terms/", TemplateView.as_view(template_name="community/pages/terms.html"), name="terms"),
    path("privacy/", TemplateView.as_view(template_name="community/pages/privacy.html"), name="privacy"),
    path("account/profile/", accounts.profile_edit, name="profile-edit"),
    path("account/notifications/", notifications.notification_settings, name="notification-settings"),
    path("account/privacy/", privacy.privacy_settings, name="privacy-settings"),
    path("account/privacy/export/", privacy.export_request, name="export-request"),
    path("account/privacy/export/<str:token>/", privacy.export_download, name="export-download"),
    path("account/privacy/block/", privacy.block_create, name="block-create"),
    path("account/privacy/block/<int:user_id>/remove/", privacy.block_remove, name="block-remove"),
    path("account/delete/", privacy.account_delete, name="account-delete"),
    path("notifications/", notifications.notification_list, name="notification-list"),
    path("notifications/read-all/", notifications.notification_read_all, name="notification-read-all"),
    path("notifications/unsubscribe/<str:token>/", notifications.unsubscribe, name="unsubscribe"),
    # Resource library
    path("resources/", resources.article_list, name="article-list"),
    path("resources/new/", resources.article_create, name="article-create"),
    path("resources/suggest/", resources.resource_suggest, name="resource-suggest"),
    path("resources/suggestions/", resources.suggestion_list, name="suggestion-list"),
    path("resources/suggestions/<int:suggestion_id>/decide/", resources.suggestion_decide, name="suggestion-decide"),
    path("resources/<slug:article_slug>/", resources.article_detail, name="article-detail"),
    path("resources/<slug:article_slug>/edit/", resources.article_edit, name="article-edit"),
    # Care directory
    path("care/", care.care_list, name="care-list"),
    path("care/<int:entry_id>/report/", care.care_report, name="care-report"),
    path("care/<int:entry_id>/verify/", care.care_verify, name="care-verify"),
    path("care/reports/", care.care_report_list, name="care-report-list"),
    path("care/reports/<int:report_id>/resolve/", care.care_report_resolve, name="care-report-resolve"),
    path("care/import/", care.care_import, name="care-import"),
    path("care/export.csv", care.care_export, name="care-export"),
    # Site search
    path("search/", search.search, name="search"),
]

urlpatterns = [
    path("", include((community_patterns, "community"))),
    path("groups/", include("groups.urls")),
    path("journey/", include("community.journal.urls")),
    path("moderation/", include("groups.moderation.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

if settings.BENCHMARK:
    # Imported only where the benchmark floors are routed (BENCHMARK=1), never in production.
    from community.pages import bench

    urlpatterns += [
        path("bench/floor", bench.floor, name="bench-floor"),
        path("bench/floor-signed-in", bench.signed_in_floor, name="bench-floor-signed-in"),
    ]

handler500 = "community.pages.errors.server_error"
