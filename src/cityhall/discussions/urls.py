from django.urls import path

from . import views

app_name = "discussions"

urlpatterns = [
    path("", views.discussion_list, name="list"),
    path("map/", views.discussion_map, name="map"),
    path("feed/rss/", views.DiscussionsFeed(), name="feed_rss"),
    path("feed/atom/", views.DiscussionsAtomFeed(), name="feed_atom"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("initiate/", views.initiate, name="initiate"),
    path("statistics/", views.statistics_all, name="statistics_all"),
    path("<int:pk>/", views.discussion_detail, name="detail"),
    path("<int:pk>/propose/", views.submit, name="submit"),
    path("<int:pk>/follow/", views.follow, name="follow"),
    path("<int:pk>/feed/", views.ProposalsFeed(), name="proposals_feed"),
    path("<int:pk>/statistics/", views.statistics, name="statistics"),
    path("<int:pk>/extract.pdf", views.extract, name="extract"),
    path("<int:pk>/documents/<int:version_id>/", views.document_version, name="document_version"),
    path(
        "<int:pk>/<str:kind>.<str:fmt>",
        views.final_file,
        name="final_file",
    ),
    path("<int:pk>/proposals/<int:number>/", views.proposal_detail, name="proposal"),
    path("<int:pk>/proposals/<int:number>/comment/", views.comment, name="comment"),
    path("<int:pk>/proposals/<int:number>/support/", views.support, name="support"),
    path("<int:pk>/proposals/<int:number>/flag/", views.flag, name="flag"),
    path("<int:pk>/proposals/<int:number>/answer/", views.answer, name="answer"),
    path("<int:pk>/proposals/<int:number>/moderate/", views.moderate, name="moderate"),
    path(
        "<int:pk>/proposals/<int:number>/attachments/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.manage_new, name="manage_new"),
    path("manage/initiations/", views.initiations, name="initiations"),
    path("manage/<int:pk>/", views.manage_detail, name="manage_detail"),
    path("manage/<int:pk>/transition/", views.manage_transition, name="manage_transition"),
    path("manage/<int:pk>/documents/", views.manage_document, name="manage_document"),
    path("manage/<int:pk>/register/", views.register_offline, name="register"),
    path("manage/<int:pk>/import/", views.import_batch, name="import"),
    path("manage/<int:pk>/meetings/", views.meetings, name="meetings"),
    path("manage/<int:pk>/recommendations/", views.recommendations, name="recommendations"),
    path("manage/<int:pk>/final/", views.final_manage, name="final_manage"),
    path("manage/<int:pk>/final/progress/", views.final_progress, name="final_progress"),
    path("manage/<int:pk>/appendix/", views.appendix, name="appendix"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("questions/", views.questions, name="questions"),
]
