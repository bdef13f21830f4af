"""Every error answer under /api/ is JSON in the one error model.

DRF views answer their own errors through `spiderweb.api.exception_handler`. What happens outside
them is answered by Django with an HTML page: a URL no route matches, an exception the handler
does not know (a 500), a CSRF or host check failing in a middleware. An API client must never
have to parse those, so this middleware, first in the chain, turns any non-JSON error answer
under /api/ into `{"error": {...}}` with the same status. Django has already logged a 500 by then
(with its traceback), so nothing is lost by replacing the page.

The Swagger page under /api/docs/ is for people and keeps Django's pages.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from spiderweb.api import error_body

API_PREFIX = "/api/"
PAGES = ("/api/docs/",)

# A code and message per status, for the errors Django answers itself.
_ERRORS: dict[int, tuple[str, str]] = {
    400: ("invalid_request", "The request could not be read."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("permission_denied", "You do not have permission to perform this action."),
    404: ("not_found", "No API endpoint or object at this URL."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("too_large", "The request is too large."),
    500: ("server_error", "An internal error occurred; it has been logged."),
}


class JsonApiErrors:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_api(request.path) and (where := _nul_in(request)):
            # PostgreSQL cannot store a NUL character: refuse it here, naming where it was, not with a 500 later.
            return JsonResponse(error_body("invalid", f"{where} must not contain a NUL character", where), status=400)
        response = self.get_response(request)
        if response.status_code < 400 or not _is_api(request.path) or _is_json(response):
            return response
        code, message = _ERRORS.get(response.status_code, ("error", response.reason_phrase or "Error."))
        if response.status_code == 404:
            message = f"No API endpoint or object at {request.path}."
        answer = JsonResponse(error_body(code, message), status=response.status_code)
        # Headers a client acts on survive the rewrite (e.g. Allow on a 405, Retry-After).
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                answer[header] = response[header]
        return answer


def _nul_in(request: HttpRequest) -> str:
    """Where a NUL character is in the request's path or query string ("path" or the parameter's name)."""
    if "\x00" in request.path:
        return "path"
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return name.replace("\x00", "")
    return ""


def _is_api(path: str) -> bool:
    return path.startswith(API_PREFIX) and not path.startswith(PAGES)


def _is_json(response: HttpResponse) -> bool:
    content_type: str = response.get("Content-Type", "")
    return content_type.split(";")[0].strip() == "application/json"
