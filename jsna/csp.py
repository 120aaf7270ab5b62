"""A Content-Security-Policy on every response that does not set its own.

Application pages run script from this site's static files only: no inline script, no inline
style, no `eval`, no plugins, and forms post back here. Map documents set a policy of their
own (`needs.map_documents.map_response`: a nonce for folium's inline scripts, and a sandbox),
which this middleware leaves alone. One constant header, so no library: Django 6 has this
middleware built in (`django.middleware.csp`) for when the project moves to it.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"
APP_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # NHS.UK frontend's CSS draws some icons as data: SVG
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        # As X-Frame-Options: DENY, which browsers ignore once frame-ancestors is set.
        "frame-ancestors 'none'",
    )
)
# Django's own debug pages (DEBUG only) are made of inline script and style.
_DEBUG_PAGES = {404, 500}


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER in response or (settings.DEBUG and response.status_code in _DEBUG_PAGES):
            return response
        response[HEADER] = APP_POLICY
        return response
