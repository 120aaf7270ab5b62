from django.urls import path

from uploads import views

app_name = "uploads"
urlpatterns = [
    path("uploads/", views.upload_list, name="list"),
    path("uploads/new/", views.upload_new, name="new"),
    path("uploads/<id:pk>/", views.upload_detail, name="detail"),
    path("uploads/<id:pk>/columns/", views.upload_map_columns, name="map_columns"),
    path("uploads/<id:pk>/values/", views.upload_map_values, name="map_values"),
    path("uploads/<id:pk>/confirm/", views.upload_confirm_view, name="confirm"),
    path("uploads/<id:pk>/progress.json", views.upload_progress_view, name="progress"),
    path("uploads/services-template.<str:fmt>", views.services_template, name="services_template"),
    path("uploads/versions/<id:pk>/retire/", views.version_retire, name="version_retire"),
]
