from django.urls import path

from gapanalysis import views

app_name = "gapanalysis"

urlpatterns = [
    path("maps/", views.latest_map, name="latest_map"),
    path("runs/start/", views.run_start, name="run_start"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress.json", views.run_progress, name="run_progress"),
    path("runs/<int:pk>/cancel/", views.run_cancel, name="run_cancel"),
    path(
        "runs/<int:pk>/maps/<slug:norm>/<slug:kind>/",
        views.run_map_document,
        name="run_map_document",
    ),
]
