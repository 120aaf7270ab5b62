from django.urls import path

from gapanalysis import views

app_name = "gapanalysis"

urlpatterns = [
    path("maps/", views.latest_map, name="latest_map"),
    path("runs/start/", views.run_start, name="run_start"),
    path("runs/<id:pk>/", views.run_detail, name="run_detail"),
    path("runs/<id:pk>/progress.json", views.run_progress, name="run_progress"),
    path("runs/<id:pk>/cancel/", views.run_cancel, name="run_cancel"),
    path("runs/compare/", views.run_compare, name="run_compare"),
    path("runs/<id:pk>/chapter/", views.chapter, name="chapter"),
    path("exports/<id:pk>/download/", views.export_download, name="export_download"),
    path("norms/", views.norm_list, name="norms"),
    path("norms/new/", views.norm_new, name="norm_new"),
    path("norms/turnover/", views.turnover_list, name="turnover"),
    path("runs/<id:pk>/localities/<str:unit_code>/", views.locality_detail, name="locality"),
    path(
        "runs/<id:pk>/localities/<str:unit_code>/figures.csv",
        views.locality_download,
        name="locality_download",
    ),
    path(
        "runs/<id:pk>/localities/<str:unit_code>/map/<slug:norm>/<slug:kind>/",
        views.locality_map_document,
        name="locality_map",
    ),
    path(
        "runs/<id:pk>/maps/<slug:norm>/<slug:kind>/",
        views.run_map_document,
        name="run_map_document",
    ),
]
