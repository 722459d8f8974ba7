"""Included in groups/urls.py (namespace "groups")."""

from django.urls import path

from groups.settings import views

urlpatterns = [
    path("<slug:group_slug>/settings/", views.group_settings, name="group-settings"),
    path("<slug:group_slug>/settings/profile/", views.settings_profile, name="settings-profile"),
    path("<slug:group_slug>/settings/joining/", views.settings_joining, name="settings-joining"),
    path("<slug:group_slug>/settings/holds/", views.settings_holds, name="settings-holds"),
    path("<slug:group_slug>/settings/questions/", views.settings_questions, name="settings-questions"),
    path("<slug:group_slug>/settings/words/", views.word_add, name="word-add"),
    path("<slug:group_slug>/settings/words/<int:word_id>/remove/", views.word_remove, name="word-remove"),
    path("<slug:group_slug>/settings/log.csv", views.log_export, name="group-log-export"),
    path("<slug:group_slug>/rules/edit/", views.rules_edit, name="rules-edit"),
    path("<slug:group_slug>/rules/history/", views.rules_history, name="rules-history"),
    path("<slug:group_slug>/rules/accept/", views.rules_accept, name="rules-accept"),
]
