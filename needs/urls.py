from django.urls import path

from needs import views

app_name = "needs"

urlpatterns = [
    path("need/", views.need_overview, name="need"),
    path("need/map/", views.need_map_document, name="need_map"),
    path("need/download.<slug:fmt>", views.need_download, name="need_download"),
]
