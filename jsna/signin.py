"""Sign-in throttling (django-axes): whose address a failure counts against, and the page a
locked-out visitor sees."""

import math

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

LOCKED_STATUS = 429
USERNAME_MAX_CHARS = 150  # Django's User.username
RECORDED_USERNAME_MAX_CHARS = 255  # axes' AccessAttempt.username


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing an overlong username as a form error before any password
    is checked (Django's own sets max_length only as an HTML attribute)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(MaxLengthValidator(USERNAME_MAX_CHARS))


def attempted_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The username a failure is recorded against, cut to what axes can store."""
    source = credentials if credentials is not None else request.POST
    username = source.get(settings.AXES_USERNAME_FORM_FIELD)
    return username[:RECORDED_USERNAME_MAX_CHARS] if isinstance(username, str) else username


def client_ip(request: HttpRequest) -> str | None:
    """The address sign-in throttling counts failures against.

    With JSNA_TRUSTED_PROXY_COUNT=N (the compose nginx sets X-Forwarded-For), the N-th address
    from the right of X-Forwarded-For: the one the outermost trusted proxy saw, which the client
    cannot forge. Without it (no proxy in front), the socket's address; the header is ignored.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The lockout page in the site's layout, saying how long to wait (429 Too Many Requests)."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "wait": f"{minutes} minute{'s' if minutes != 1 else ''}",
    }
    return render(request, "registration/locked_out.html", context, status=LOCKED_STATUS)
