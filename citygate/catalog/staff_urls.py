"""The catalogue's back office, under /staff/catalog/."""

from django.urls import path

from citygate.catalog import staff_views as views

app_name = "catalog_staff"

urlpatterns = [
    path("", views.item_list_page, name="list"),
    path("new/", views.item_create_page, name="create"),
    path("review/", views.review_queue_page, name="review"),
    path("import/", views.import_page, name="import"),
    path("export/", views.export_page, name="export"),
    path("misses/", views.search_misses_page, name="misses"),
    # Item codes are capital letters, digits and hyphens: never one of the words above.
    path("<str:code>/", views.item_detail_page, name="detail"),
    path("<str:code>/edit/", views.item_edit_page, name="edit"),
    path("<str:code>/submit/", views.revision_submit_view, name="submit"),
    path("<str:code>/withdraw/", views.item_withdraw_view, name="withdraw"),
    path(
        "<str:code>/versions/<int:number>/publish/",
        views.revision_publish_view,
        name="publish",
    ),
    path(
        "<str:code>/versions/<int:number>/return/",
        views.revision_return_view,
        name="return",
    ),
]
