"""Request guards that apply to every page: malformed input is a 400, never a server error."""

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, QueryDict

NUL_REFUSED = "The request contains a NUL character, which no page here accepts."


class RejectNulBytesMiddleware:
    """Refuse a NUL byte in the path, the query string or a plain form's fields with 400.

    PostgreSQL cannot store or compare text holding NUL, so such a value reaching a query would be
    a server error. A multipart body (a file upload) is not read here, so an upload view can
    still install its own upload handlers; its form fields refuse NUL themselves (Django's
    CharField does).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        plain_form = request.content_type == "application/x-www-form-urlencoded"
        if (
            "\x00" in request.path
            or _holds_nul(request.GET)
            or (request.method == "POST" and plain_form and _holds_nul(request.POST))
        ):
            raise BadRequest(NUL_REFUSED)  # the 400 page (jsna.views.bad_request)
        return self.get_response(request)


def _holds_nul(query: QueryDict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in query.lists()
    )
