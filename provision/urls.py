from django.urls import path

from provision import views

app_name = "provision"

urlpatterns = [
    path("services/", views.service_mapping, name="service_mapping"),
    path("services/map/", views.sites_map_document, name="sites_map"),
    path("services/new/", views.service_edit, name="service_new"),
    path("services/<id:pk>/edit/", views.service_edit, name="service_edit"),
    path("spending/", views.financial_mapping, name="financial_mapping"),
]
