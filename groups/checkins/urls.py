"""Included in groups/urls.py (namespace "groups")."""

from django.urls import path

from groups.checkins import views

urlpatterns = [
    path("<slug:group_slug>/check-ins/", views.check_in_list, name="check-in-list"),
    path("<slug:group_slug>/check-ins/new/", views.check_in_create, name="check-in-create"),
    path("<slug:group_slug>/check-ins/<int:check_in_id>/", views.check_in_detail, name="check-in-detail"),
    path("<slug:group_slug>/check-ins/<int:check_in_id>/reply/", views.check_in_reply, name="check-in-reply"),
]
