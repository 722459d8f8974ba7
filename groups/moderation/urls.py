from django.urls import path

from groups.moderation import views as moderation

app_name = "moderation"

urlpatterns = [
    path("", moderation.queue, name="queue"),
    path("items/<int:item_id>/claim/", moderation.item_claim, name="item-claim"),
    path("items/<int:item_id>/decide/", moderation.item_decide, name="item-decide"),
    path("log/", moderation.log_list, name="log"),
    path("log/export/", moderation.log_export, name="log-export"),
    path("my-decisions/", moderation.my_decisions, name="my-decisions"),
    path("my-decisions/<int:decision_id>/appeal/", moderation.appeal_create, name="appeal-create"),
    path("accounts/<int:user_id>/", moderation.account_moderate, name="account"),
    path("accounts/<int:user_id>/suspend/", moderation.account_suspend, name="account-suspend"),
]
