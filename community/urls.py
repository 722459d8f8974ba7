from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from community.views import accounts, health, pages

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
]

urlpatterns = [
    path("", include((community_patterns, "community"))),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "community.views.errors.server_error"
