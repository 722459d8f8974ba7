from django.urls import path

from groups.views import directory, membership, posts

app_name = "groups"

urlpatterns = [
    path("", directory.group_list, name="group-list"),
    path("mine/", directory.my_groups, name="my-groups"),
    path("propose/", directory.group_propose, name="group-propose"),
    path("proposals/", directory.proposal_list, name="proposal-list"),
    path("proposals/<int:proposal_id>/decide/", directory.proposal_decide, name="proposal-decide"),
    path("invite/<str:token>/", membership.invite_accept, name="invite-accept"),
    path("<slug:group_slug>/", directory.group_detail, name="group-detail"),
    path("<slug:group_slug>/join/", membership.group_join, name="group-join"),
    path("<slug:group_slug>/leave/", membership.group_leave, name="group-leave"),
    path("<slug:group_slug>/follow/", membership.group_follow, name="group-follow"),
    path("<slug:group_slug>/members/", membership.member_list, name="member-list"),
    path("<slug:group_slug>/members/<int:membership_id>/role/", membership.member_role, name="member-role"),
    path("<slug:group_slug>/requests/", membership.join_request_list, name="join-request-list"),
    path(
        "<slug:group_slug>/requests/<int:membership_id>/decide/",
        membership.join_request_decide,
        name="join-request-decide",
    ),
    path("<slug:group_slug>/invites/", membership.invite_list, name="invite-list"),
    path("<slug:group_slug>/invites/<int:invite_id>/revoke/", membership.invite_revoke, name="invite-revoke"),
    path("<slug:group_slug>/posts/", posts.post_list, name="post-list"),
    path("<slug:group_slug>/posts/new/", posts.post_create, name="post-create"),
    path("<slug:group_slug>/posts/<int:post_id>/", posts.post_detail, name="post-detail"),
    path("<slug:group_slug>/posts/<int:post_id>/reply/", posts.reply_create, name="reply-create"),
    path("<slug:group_slug>/posts/<int:post_id>/edit/", posts.post_edit, name="post-edit"),
    path("<slug:group_slug>/posts/<int:post_id>/delete/", posts.post_delete, name="post-delete"),
    path("<slug:group_slug>/posts/<int:post_id>/react/", posts.post_react, name="post-react"),
    path("<slug:group_slug>/posts/<int:post_id>/pin/", posts.post_pin, name="post-pin"),
    path("<slug:group_slug>/posts/<int:post_id>/lock/", posts.post_lock, name="post-lock"),
    path("<slug:group_slug>/posts/<int:post_id>/history/", posts.post_history, name="post-history"),
    path("<slug:group_slug>/replies/<int:reply_id>/edit/", posts.reply_edit, name="reply-edit"),
    path("<slug:group_slug>/replies/<int:reply_id>/delete/", posts.reply_delete, name="reply-delete"),
    path("<slug:group_slug>/replies/<int:reply_id>/react/", posts.reply_react, name="reply-react"),
    path("<slug:group_slug>/replies/<int:reply_id>/history/", posts.reply_history, name="reply-history"),
]
