from django.urls import path

from .views import feeds, participation, public, staff, statistics

app_name = "discussions"

urlpatterns = [
    path("", public.discussion_list, name="list"),
    path("map/", public.discussion_map, name="map"),
    path("feed/rss/", feeds.DiscussionsFeed(), name="feed_rss"),
    path("feed/atom/", feeds.DiscussionsAtomFeed(), name="feed_atom"),
    path("subscribe/", participation.subscribe, name="subscribe"),
    path("unsubscribe/<str:token>/", participation.unsubscribe, name="unsubscribe"),
    path(
        "subscriptions/confirm/<str:token>/",
        participation.confirm_subscription,
        name="confirm_subscription",
    ),
    path("initiate/", participation.initiate, name="initiate"),
    path("statistics/", statistics.statistics_all, name="statistics_all"),
    path("<int:pk>/", public.discussion_detail, name="detail"),
    path("<int:pk>/propose/", participation.submit, name="submit"),
    path("<int:pk>/follow/", participation.follow, name="follow"),
    path("<int:pk>/feed/", feeds.ProposalsFeed(), name="proposals_feed"),
    path("<int:pk>/statistics/", statistics.statistics, name="statistics"),
    path("<int:pk>/extract.pdf", public.extract, name="extract"),
    path("<int:pk>/documents/<int:version_id>/", public.document_version, name="document_version"),
    path(
        "<int:pk>/<str:kind>.<str:fmt>",
        public.final_file,
        name="final_file",
    ),
    path("<int:pk>/proposals/<int:number>/", participation.proposal_detail, name="proposal"),
    path("<int:pk>/proposals/<int:number>/comment/", participation.comment, name="comment"),
    path("<int:pk>/proposals/<int:number>/support/", participation.support, name="support"),
    path("<int:pk>/proposals/<int:number>/flag/", participation.flag, name="flag"),
    path("<int:pk>/proposals/<int:number>/answer/", participation.answer, name="answer"),
    path("<int:pk>/proposals/<int:number>/moderate/", participation.moderate, name="moderate"),
    path(
        "<int:pk>/proposals/<int:number>/attachments/<int:attachment_id>/",
        public.attachment,
        name="attachment",
    ),
    path("manage/", staff.manage, name="manage"),
    path("manage/new/", staff.manage_new, name="manage_new"),
    path("manage/initiations/", staff.initiations, name="initiations"),
    path("manage/<int:pk>/", staff.manage_detail, name="manage_detail"),
    path("manage/<int:pk>/transition/", staff.manage_transition, name="manage_transition"),
    path("manage/<int:pk>/documents/", staff.manage_document, name="manage_document"),
    path("manage/<int:pk>/register/", staff.register_offline, name="register"),
    path("manage/<int:pk>/import/", staff.import_batch, name="import"),
    path("manage/<int:pk>/meetings/", staff.meetings, name="meetings"),
    path("manage/<int:pk>/recommendations/", staff.recommendations, name="recommendations"),
    path("manage/<int:pk>/final/", staff.final_manage, name="final_manage"),
    path("manage/<int:pk>/final/progress/", staff.final_progress, name="final_progress"),
    path("manage/<int:pk>/appendix/", staff.appendix, name="appendix"),
    path("moderation/", staff.moderation_queue, name="moderation"),
    path("questions/", staff.questions, name="questions"),
]
