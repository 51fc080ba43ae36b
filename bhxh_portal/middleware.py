"""Middleware of every request: response headers that hold for every page, and a value that a column
cannot hold answered 404 or 400, never 500."""

import logging
import traceback

from django.contrib.admin.options import IncorrectLookupParameters
from django.db import DataError
from django.http import HttpResponseBadRequest, HttpResponseNotFound
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)

BAD_VALUE = "Giá trị trong địa chỉ hoặc biểu mẫu không đúng kiểu, hoặc lớn quá mức cơ sở dữ liệu lưu được."
BAD_FILTER = "Bộ lọc trong địa chỉ không có ở danh sách này; hãy mở lại danh sách từ menu."
# Where Django turns a value into a column's type: a ValueError or TypeError raised there is about a
# value that came with the request, not a fault of the code.
_PREPARING = {"get_prep_value", "get_db_prep_value", "to_python"}


def _innermost(exception) -> traceback.FrameSummary | None:
    frames = traceback.extract_tb(exception.__traceback__)
    return frames[-1] if frames else None


def is_bad_value(exception: BaseException) -> bool:
    if isinstance(exception, DataError):
        return True
    frame = _innermost(exception)
    if frame is None:
        return False
    path = frame.filename.replace("\\", "/")
    if isinstance(exception, OverflowError):  # SQLite's driver refuses an int past 64 bits
        return "/django/db/" in path
    if isinstance(exception, (ValueError, TypeError)):
        return frame.name in _PREPARING and "/django/db/models/fields/" in path
    return False


class BadInputMiddleware:
    """A value that a column cannot hold is the client's mistake: it answers 404 (a GET: the address names
    nothing) or 400, never 500.

    The project's own views check what they read (targets.periods.month_param, the forms' limits). This
    catches the same mistakes where Django's admin and the libraries it runs meet them: an id that is not a
    number in django-simple-history's history pages, a filter that does not exist in django-import-export's
    export, the admin's autocomplete widgets and bulk actions given ids past the database's integers
    (SQLite raises OverflowError, PostgreSQL DataError).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, IncorrectLookupParameters):
            message, not_found = BAD_FILTER, False
        elif is_bad_value(exception):
            message, not_found = BAD_VALUE, request.method in ("GET", "HEAD")
        else:
            return None
        logger.info("Refused %s %s: %r", request.method, request.path, exception, exc_info=exception)
        # Drawn without the request (no menu): after a database error the transaction may take no
        # other query until it is rolled back.
        if not_found:
            return HttpResponseNotFound(render_to_string("404.html", {"exception": message}))
        return HttpResponseBadRequest(render_to_string("400.html", {"exception": message}))

class NoStoreWhenSignedInMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in user that sets no caching itself.

    Nearly every page behind the login shows personal data or figures scoped to the user's units
    (participants, import checks, beneficiary lists, work lists, jobs), and the few that do not gain
    nothing from a cache: one rule for all of them cannot forget a page, and a browser's back button
    or a shared proxy then never shows one user's page to the next person at the same desk."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True)
        return response
