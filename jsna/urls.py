from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from jsna import views
from jsna.signin import SignInForm

handler400 = "jsna.views.bad_request"
admin.site.site_header = f"{settings.SITE_NAME} — administration"
admin.site.site_title = "JSNA mental health"

handler500 = "jsna.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("gapanalysis.urls")),
    path("", include("needs.urls")),
    path("", include("provision.urls")),
    path("", include("recorded.urls")),
    path("", include("uploads.urls")),
]
