"""The newsroom's back office, under /staff/news/."""

from django.urls import URLPattern, URLResolver, path

from citygate.news import staff_views as views

app_name = "news_staff"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.story_list_page, name="list"),
    path("new/", views.story_create_page, name="create"),
    path("review/", views.review_queue_page, name="queue"),
    path("review/<int:level>/", views.review_queue_page, name="queue_level"),
    path("<uuid:story_id>/", views.story_detail_page, name="detail"),
    path("<uuid:story_id>/edit/", views.story_edit_page, name="edit"),
    path("<uuid:story_id>/submit/", views.story_submit_view, name="submit"),
    path("<uuid:story_id>/review/", views.story_review_page, name="review"),
    path("<uuid:story_id>/history/", views.story_history_page, name="history"),
    path("<uuid:story_id>/correct/", views.story_correct_page, name="correct"),
    path("<uuid:story_id>/retract/", views.story_retract_page, name="retract"),
]
