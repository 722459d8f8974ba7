from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from community.views import accounts, health, notifications, pages

admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Community administration"

community_patterns = [
    path("", pages.home, name="home"),
    path("help/", pages.crisis, name="crisis"),
    path("about/", TemplateView.as_view(template_name="community/about.html"), name="about"),
    path("guidelines/", TemplateView.as_view(template_name="community/guidelines.html"), name="guidelines"),
    path("terms/", TemplateView.as_view(template_name="community/terms.html"), name="terms"),
    path("privacy/", TemplateView.as_view(template_name="community/privacy.html"), name="privacy"),
    path("account/profile/", accounts.profile_edit, name="profile-edit"),
    path("account/notifications/", notifications.notification_settings, name="notification-settings"),
    path("notifications/", notifications.notification_list, name="notification-list"),
    path("notifications/read-all/", notifications.notification_read_all, name="notification-read-all"),
    path("notifications/unsubscribe/<str:token>/", notifications.unsubscribe, name="unsubscribe"),
]

urlpatterns = [
    path("", include((community_patterns, "community"))),
    path("groups/", include("groups.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "community.views.errors.server_error"
