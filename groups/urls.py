from django.urls import path

from groups.checkins import urls as check_in_urls
from groups.directory import views as directory
from groups.meetings import views as meetings
from groups.membership import views as membership
from groups.moderation import content_views as moderate_content
from groups.moderation import member_views as moderate_members
from groups.posts import thread_views as threads
from groups.posts import views as writing
from groups.settings import urls as settings_urls

app_name = "groups"

urlpatterns = [
    path("", directory.group_list, name="group-list"),
    path("mine/", directory.my_groups, name="my-groups"),
    path("propose/", directory.group_propose, name="group-propose"),
    path("proposals/", directory.proposal_list, name="proposal-list"),
    path("proposals/<int:proposal_id>/decide/", directory.proposal_decide, name="proposal-decide"),
    path("invite/<str:token>/", membership.invite_accept, name="invite-accept"),
    path("meetings/", meetings.my_meetings, name="my-meetings"),
    path("meetings/calendar-address/", meetings.calendar_feed_settings, name="calendar-feed-settings"),
    path("calendar/<str:token>.ics", meetings.calendar_feed, name="calendar-feed"),
    path("<slug:group_slug>/", directory.group_detail, name="group-detail"),
    path("<slug:group_slug>/join/", membership.group_join, name="group-join"),
    path("<slug:group_slug>/leave/", membership.group_leave, name="group-leave"),
    path("<slug:group_slug>/follow/", membership.group_follow, name="group-follow"),
    path("<slug:group_slug>/members/", membership.member_list, name="member-list"),
    path("<slug:group_slug>/members/<int:membership_id>/role/", membership.member_role, name="member-role"),
    path("<slug:group_slug>/members/<int:membership_id>/report/", moderate_content.member_report, name="member-report"),
    path(
        "<slug:group_slug>/members/<int:membership_id>/moderate/",
        moderate_members.member_moderate,
        name="member-moderate",
    ),
    path("<slug:group_slug>/members/<int:membership_id>/act/", moderate_members.member_act, name="member-act"),
    path("<slug:group_slug>/members/<int:membership_id>/note/", moderate_members.member_note, name="member-note"),
    path("<slug:group_slug>/requests/", membership.join_request_list, name="join-request-list"),
    path(
        "<slug:group_slug>/requests/<int:membership_id>/decide/",
        membership.join_request_decide,
        name="join-request-decide",
    ),
    path("<slug:group_slug>/invites/", membership.invite_list, name="invite-list"),
    path("<slug:group_slug>/invites/<int:invite_id>/revoke/", membership.invite_revoke, name="invite-revoke"),
    path("<slug:group_slug>/meetings/", meetings.meeting_list, name="meeting-list"),
    path("<slug:group_slug>/meetings/new/", meetings.meeting_create, name="meeting-create"),
    path("<slug:group_slug>/meetings/<int:meeting_id>/", meetings.meeting_detail, name="meeting-detail"),
    path("<slug:group_slug>/meetings/<int:meeting_id>/edit/", meetings.meeting_edit, name="meeting-edit"),
    path("<slug:group_slug>/meetings/<int:meeting_id>/calendar.ics", meetings.meeting_ics, name="meeting-ics"),
    path(
        "<slug:group_slug>/meetings/<int:meeting_id>/rsvp-all/",
        meetings.meeting_rsvp_series,
        name="meeting-rsvp-series",
    ),
    path(
        "<slug:group_slug>/meetings/<int:meeting_id>/dates/<int:occurrence_id>/",
        meetings.occurrence_detail,
        name="occurrence-detail",
    ),
    path(
        "<slug:group_slug>/meetings/<int:meeting_id>/dates/<int:occurrence_id>/calendar.ics",
        meetings.occurrence_ics,
        name="occurrence-ics",
    ),
    path(
        "<slug:group_slug>/meetings/<int:meeting_id>/dates/<int:occurrence_id>/rsvp/",
        meetings.occurrence_rsvp,
        name="occurrence-rsvp",
    ),
    path(
        "<slug:group_slug>/meetings/<int:meeting_id>/dates/<int:occurrence_id>/cancel-rsvp/",
        meetings.occurrence_cancel_rsvp,
        name="occurrence-cancel-rsvp",
    ),
    path(
        "<slug:group_slug>/meetings/<int:meeting_id>/dates/<int:occurrence_id>/cancel/",
        meetings.occurrence_cancel,
        name="occurrence-cancel",
    ),
    path(
        "<slug:group_slug>/meetings/<int:meeting_id>/dates/<int:occurrence_id>/move/",
        meetings.occurrence_move,
        name="occurrence-move",
    ),
    path("<slug:group_slug>/posts/", threads.post_list, name="post-list"),
    path("<slug:group_slug>/posts/new/", writing.post_create, name="post-create"),
    path("<slug:group_slug>/posts/<int:post_id>/", threads.post_detail, name="post-detail"),
    path("<slug:group_slug>/posts/<int:post_id>/reply/", writing.reply_create, name="reply-create"),
    path("<slug:group_slug>/posts/<int:post_id>/edit/", writing.post_edit, name="post-edit"),
    path("<slug:group_slug>/posts/<int:post_id>/delete/", writing.post_delete, name="post-delete"),
    path("<slug:group_slug>/posts/<int:post_id>/react/", threads.post_react, name="post-react"),
    path("<slug:group_slug>/posts/<int:post_id>/pin/", threads.post_pin, name="post-pin"),
    path("<slug:group_slug>/posts/<int:post_id>/lock/", threads.post_lock, name="post-lock"),
    path("<slug:group_slug>/posts/<int:post_id>/history/", threads.post_history, name="post-history"),
    path("<slug:group_slug>/posts/<int:post_id>/report/", moderate_content.post_report, name="post-report"),
    path("<slug:group_slug>/posts/<int:post_id>/moderate/", moderate_content.post_moderate, name="post-moderate"),
    path("<slug:group_slug>/posts/<int:post_id>/slow-mode/", threads.post_slow_mode, name="post-slow-mode"),
    path("<slug:group_slug>/replies/<int:reply_id>/edit/", writing.reply_edit, name="reply-edit"),
    path("<slug:group_slug>/replies/<int:reply_id>/delete/", writing.reply_delete, name="reply-delete"),
    path("<slug:group_slug>/replies/<int:reply_id>/react/", threads.reply_react, name="reply-react"),
    path("<slug:group_slug>/replies/<int:reply_id>/history/", threads.reply_history, name="reply-history"),
    path("<slug:group_slug>/replies/<int:reply_id>/report/", moderate_content.reply_report, name="reply-report"),
    path("<slug:group_slug>/replies/<int:reply_id>/moderate/", moderate_content.reply_moderate, name="reply-moderate"),
    *settings_urls.urlpatterns,
    *check_in_urls.urlpatterns,
]
