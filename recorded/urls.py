from django.urls import path

from recorded import views

app_name = "recorded"

urlpatterns = [
    path("outcomes/", views.outcomes, name="outcomes"),
    path("outcomes/<str:code>/", views.outcomes_locality, name="outcomes_locality"),
]
