"""Request guards that apply to every page: malformed input is a 400, never a server error."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

NUL_REFUSED = "The address contains a NUL character, which no page here accepts."


class RejectNulBytesMiddleware:
    """Refuse a NUL byte in the path or the query string with 400.

    PostgreSQL cannot store or compare text holding NUL, so such a value reaching a query would be
    a server error. Form fields refuse NUL themselves (Django's CharField does); the request body
    is not read here, so an upload view can still install its own upload handlers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest(NUL_REFUSED, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
