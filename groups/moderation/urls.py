from django.urls import path

from groups.moderation import log_views, member_views, queue_views

app_name = "moderation"

urlpatterns = [
    path("", queue_views.queue, name="queue"),
    path("items/<int:item_id>/claim/", queue_views.item_claim, name="item-claim"),
    path("items/<int:item_id>/decide/", queue_views.item_decide, name="item-decide"),
    path("log/", log_views.log_list, name="log"),
    path("log/export/", log_views.log_export, name="log-export"),
    path("my-decisions/", log_views.my_decisions, name="my-decisions"),
    path("my-decisions/<int:decision_id>/appeal/", log_views.appeal_create, name="appeal-create"),
    path("accounts/<int:user_id>/", member_views.account_moderate, name="account"),
    path("accounts/<int:user_id>/suspend/", member_views.account_suspend, name="account-suspend"),
]
