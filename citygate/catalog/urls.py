from django.urls import path

from citygate.catalog import views

app_name = "catalog"

urlpatterns = [
    path("services/item/<str:code>/", views.item_detail, name="item"),
    path("services/events/<slug:slug>/", views.life_event_detail, name="life_event"),
]
