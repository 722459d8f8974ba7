from django.urls import path

from community.journal import views

app_name = "journal"

urlpatterns = [
    path("", views.journey_home, name="home"),
    path("treatments/new/", views.treatment_create, name="treatment-create"),
    path("treatments/<int:treatment_id>/", views.treatment_detail, name="treatment-detail"),
    path("treatments/<int:treatment_id>/edit/", views.treatment_edit, name="treatment-edit"),
    path("treatments/<int:treatment_id>/delete/", views.treatment_delete, name="treatment-delete"),
    path("treatments/<int:treatment_id>/sessions/new/", views.session_create, name="session-create"),
    path("sessions/<int:session_id>/edit/", views.session_edit, name="session-edit"),
    path("sessions/<int:session_id>/delete/", views.session_delete, name="session-delete"),
    path("check-in/", views.checkin_create, name="checkin-create"),
    path("check-ins/<int:checkin_id>/edit/", views.checkin_edit, name="checkin-edit"),
    path("check-ins/<int:checkin_id>/delete/", views.checkin_delete, name="checkin-delete"),
    path("questions/", views.question_create, name="question-create"),
    path("questions/<int:question_id>/toggle/", views.question_toggle, name="question-toggle"),
    path("questions/<int:question_id>/delete/", views.question_delete, name="question-delete"),
    path("summary/", views.summary, name="summary"),
    path("share/", views.share_list, name="share-list"),
    path("share/<int:link_id>/revoke/", views.share_revoke, name="share-revoke"),
    path("reminders/", views.reminders, name="reminders"),
    # For a clinician, without an account: the signed token is the key.
    path("shared/<str:token>/", views.shared_summary, name="shared"),
]
