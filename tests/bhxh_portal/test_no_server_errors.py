"""No URL answers 500, whatever its path, query or body hold.

Every URL pattern of the project, the admin's included, is walked on the demo data as an anonymous
user, a user of each role and a superuser: each path value replaced in turn by hostile values (0, ids
past the database's integers, an id of another province, unicode, SQL-like text, a long string, a
path traversal), then the query parameters the view's module reads set to hostile values (years 0
and 9999, months 13 and 00, '2023-13', huge integers...), then POSTs with an empty body and with the
page's own form fields filled with hostile values. Each request runs in a savepoint that is rolled
back, so one request's writes (or a broken PostgreSQL transaction) never change what the next one
sees. Any 500 or exception fails the test with the method, URL and user.
"""

import functools
import inspect
import logging
import os
import re
import time
import traceback
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from units.models import Membership, Role, Unit

pytestmark = pytest.mark.django_db

BIG = "99999999999999999999"  # past 64-bit integers
PAST_BIGINT = "9223372036854775808"
HOSTILE_TEXT = ["Đắk Lắk ñ 中", "' OR 1=1 --", "x" * 3000, "../../etc/passwd", "1²"]  # "²".isdigit(), int() refuses it
MONTHS = ["2023-06", "2023-13", "9999-12", "0000-01", "2023-00", "2200-12", "1900-01", "2023"]
YEARS = ["2023", "0", "9999", BIG]
FORMATS = ["xlsx", "csv", "pdf", "docx", "json"]
QUERY_VALUES = ["", "0", "-1", "13", "00", "9999", "2023-13", "9999-12", "0000-01", "2023-00", "2200-12", BIG,
                "Đắk Lắk ñ 中", "' OR 1=1 --", "1²", "x" * 3000]
BODY_VALUES = ["' OR 1=1 --", BIG, "Đắk Lắk ñ 中", "-1", "9999-12", "1²", "x" * 3000]
# Query parameters every page may be given, and those of the admin's lists, exports and pop-ups.
COMMON_PARAMS = ["page", "q", "next"]
ADMIN_PARAMS = ["q", "o", "p", "all", "e", "_to_field", "_popup", "foo__bar", "id__gt", "pk__in",
                "_changelist_filters", "file_format", "resource", "export_items"]
PARAM_NAME = re.compile(r"""request\.(GET|POST)(?:\.get\(|\.getlist\(|\[|\.pop\()\s*["']([^"']+)["']""")
IN_PARAMS = re.compile(r"""["']([^"']+)["']\s+in\s+request\.(GET|POST)""")
PARAMS_ARG = re.compile(r"""params(?:\.get\(|\[)\s*["']([^"']+)["']""")
FORM_FIELD = re.compile(r"""<(?:input|select|textarea)\b[^>]*\bname=["']([^"']+)["']""", re.I)
LOGIN_PATHS = ("/dang-nhap/", "/quan-tri/login/")
GROUP = re.compile(r"\((\?P<(\w+)>)?([^()]*)\)")


def _patterns():
    """(template, view) for every pattern: a template is a list of literal strings and placeholders
    (name, converter or regex)."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            parts = prefix + _template(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, parts)
            else:
                found.append((parts, pattern.callback))

    walk(get_resolver().url_patterns, [])
    return found


def _template(pattern) -> list:
    text = str(pattern)
    if isinstance(pattern, RegexPattern):
        text = text.removeprefix("^").removesuffix("$")
        parts, position = [], 0
        for index, match in enumerate(GROUP.finditer(text)):
            parts.append(re.sub(r"\\(.)", r"\1", text[position:match.start()]))
            parts.append((match.group(2) or f"arg{index}", "regex:" + match.group(3)))
            position = match.end()
        parts.append(re.sub(r"\\(.)", r"\1", text[position:]))
        return parts
    parts, position = [], 0
    for match in re.finditer(r"<(?:(\w+):)?(\w+)>", text):
        parts.append(text[position:match.start()])
        parts.append((match.group(2), match.group(1) or "str"))
        position = match.end()
    parts.append(text[position:])
    return parts


def _placeholders(template):
    return [part for part in template if isinstance(part, tuple)]


def _url(template, values: dict) -> str:
    return "/" + "".join(part if isinstance(part, str) else quote(values[part[0]], safe="/") for part in template)


@functools.cache
def _module_params(module_name: str) -> tuple[list[str], list[str]]:
    """The GET and POST parameter names read anywhere in a view's module (helpers included)."""
    import sys

    try:
        source = inspect.getsource(sys.modules[module_name])
    except (OSError, TypeError, KeyError):
        return [], []
    get, post = set(), set()
    for method, name in PARAM_NAME.findall(source):
        (get if method == "GET" else post).add(name)
    for name, method in IN_PARAMS.findall(source):
        (get if method == "GET" else post).add(name)
    for name in PARAMS_ARG.findall(source):  # helpers handed request.GET or request.POST as `params`
        get.add(name)
        post.add(name)
    return sorted(get), sorted(post)


def _view_module(view) -> str:
    view = getattr(view, "view_class", None) or view
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return getattr(view, "__module__", "") or ""


class Walker:
    """Sends a handful of requests per pattern and user; the hostile values are taken in turn (by
    pattern and by user), so that together the users and the patterns of a kind meet every value
    while the walk stays within a couple of minutes."""

    def __init__(self, ids: list[str]):
        self.ids = ids
        self.failures: dict[tuple, list[str]] = {}
        self.requests = 0
        self.seconds: dict[str, float] = {}
        self.last_seconds = 0.0

    # one request ---------------------------------------------------------------------------
    def send(self, visit, method, url, data=None):
        """One request in a savepoint that is rolled back; a 500 or an exception is a failure."""
        client, session_key, label, route = visit
        self.requests += 1
        started = time.monotonic()
        response, problem = None, None
        try:
            with transaction.atomic():
                response = client.get(url, data or {}) if method == "GET" else client.post(url, data or {})
                transaction.set_rollback(True)
        except Exception as exc:  # noqa: BLE001 - every exception is the finding
            problem, where = f"{type(exc).__name__}: {exc}", _where(exc.__traceback__)
        else:
            if response.status_code >= 500:
                problem, where = str(response.status_code), ""
                if getattr(response, "exc_info", None):
                    problem += f" {response.exc_info[0].__name__}: {response.exc_info[1]}"
                    where = _where(response.exc_info[2])
        if problem:
            key = (method, route, problem[:100])
            self.failures.setdefault(key, []).append(f"{method} {url[:100]} {_short(data)} as {label} ({where})")
        area = route.split("/", 1)[0] or "/"
        self.last_seconds = time.monotonic() - started
        self.seconds[area] = self.seconds.get(area, 0) + self.last_seconds
        cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
        if session_key and cookie is not None and cookie.value != session_key:
            client.cookies[settings.SESSION_COOKIE_NAME] = session_key  # a logout was rolled back
        return response

    def report(self) -> str:
        lines = []
        for (method, route, problem), examples in sorted(self.failures.items()):
            lines.append(f"{method} /{route}: {problem} ({len(examples)}×), e.g. {examples[0]}")
        return "\n".join(lines)

    # one pattern for one user --------------------------------------------------------------
    def walk(self, template, view, visit, user_turn: int, pattern_index: int):
        turn = user_turn + pattern_index
        placeholders = _placeholders(template)
        is_admin = visit[3].startswith("quan-tri/")
        defaults = {name: self.candidates(name, kind)[0] for name, kind in placeholders}
        response = None
        # An id the user may open, so that the hostile values of the rest reach the view's own code;
        # the ids tried are those of both provinces, so this also opens another province's objects.
        for name, kind in placeholders:
            if kind != "int" or name == "year":
                continue
            for candidate in self.ids[:PROBED_IDS]:
                response = self.send(visit, "GET", _url(template, {**defaults, name: candidate}))
                if response is not None and response.status_code < 400:
                    defaults[name] = candidate
                    break
        url = _url(template, defaults)
        if response is None or url != response.request["PATH_INFO"]:
            response = self.send(visit, "GET", url)
        if response is None:  # the ordinary request already failed: that is the finding
            return
        # A page that takes long to make (a PDF) is asked for its hostile queries once, not one by one.
        slow = self.last_seconds > SLOW_SECONDS
        behind_login = (response.status_code == 302
                        and any(p in response.get("Location", "") for p in LOGIN_PATHS))

        # each path value, a few of its hostile values in turn
        for index, (name, kind) in enumerate(placeholders):
            values = self.candidates(name, kind)[1:]
            for value in _take(values, turn + index, 1 if behind_login else PATH_VALUES):
                self.send(visit, "GET", _url(template, {**defaults, name: value}))
        if behind_login:
            if not is_admin:  # the admin's login wall is one and the same for every model
                self.send(visit, "POST", url, {"x": BODY_VALUES[turn % len(BODY_VALUES)]})
            return

        # the query parameters that the view's module reads, all at once, then a few on their own; an
        # object's page in the admin is made by the same code for every model: fewer per model
        get_params, post_params = _module_params(_view_module(view))
        lighter = is_admin and bool(placeholders)
        params = sorted(set(get_params) | set(COMMON_PARAMS)
                        | (set(ADMIN_PARAMS) if is_admin and not placeholders else set()))
        for value in _take(QUERY_VALUES, turn * 2, 1 if slow or lighter else QUERY_ALL_AT_ONCE):
            self.send(visit, "GET", url, {p: value for p in params})
        if slow:
            self.send(visit, "POST", url)
            return
        # a month or a year: every hostile one, shared among the users (each takes two)
        for param in sorted(set(params) & PERIOD_PARAMS):
            for value in _take(MONTHS[1:] + YEARS[1:], user_turn * 2, 2):
                self.send(visit, "GET", url, {param: value})
        others = [p for p in params if p not in PERIOD_PARAMS]
        for index, param in enumerate(_take(others, turn * QUERY_SINGLE, 1 if lighter else QUERY_SINGLE)):
            self.send(visit, "GET", url, {param: QUERY_VALUES[(turn + index * 5) % len(QUERY_VALUES)]})

        # a POST: empty or the page's own form fields (else the module's names) with a hostile value
        names = set(post_params) | set(get_params)
        if "html" in response.get("Content-Type", ""):
            names |= set(FORM_FIELD.findall(response.content.decode(errors="replace")))
        names.discard("csrfmiddlewaretoken")
        value = BODY_VALUES[turn % len(BODY_VALUES)]
        self.send(visit, "POST", url, {n: value for n in names} if turn % 3 else {})
        if is_admin and not placeholders and response.status_code == 200:
            self.send(visit, "POST", url, ADMIN_ACTIONS[turn % len(ADMIN_ACTIONS)])

    def candidates(self, name: str, kind: str) -> list[str]:
        """The first value is the ordinary one."""
        if kind.startswith("regex:"):
            inner = kind.removeprefix("regex:")
            choices = inner.split("|") if re.fullmatch(r"[\w|-]+", inner) else []
            return choices + ["1", BIG] + HOSTILE_TEXT
        if name == "year":
            return YEARS
        if kind == "int":
            return self.ids
        if name == "month":
            return MONTHS + HOSTILE_TEXT[:3]
        if name == "fmt":
            return FORMATS + HOSTILE_TEXT[:3]
        if kind == "path":
            return ["1", "0", BIG] + HOSTILE_TEXT
        return ["1"] + HOSTILE_TEXT


def _take(values: list, start: int, count: int) -> list:
    """`count` values from `start` on, wrapping around: the share of one pattern and one user."""
    if not values:
        return []
    return [values[(start + i) % len(values)] for i in range(min(count, len(values)))]


PROBED_IDS = 5
SLOW_SECONDS = 0.4
PATH_VALUES = 2
QUERY_ALL_AT_ONCE = 2
QUERY_SINGLE = 3
PERIOD_PARAMS = {"thang", "nam", "period", "ky", "month", "year"}
ADMIN_ACTIONS = [
    {"action": "delete_selected", "_selected_action": [BIG]},
    {"action": "' OR 1=1 --", "_selected_action": ["Đắk Lắk ñ 中"], "index": "0"},
    {"action": "export_admin_action", "_selected_action": ["0"], "format": BIG},
]


def _where(trace) -> str:
    """The innermost frames of the project's own code and the innermost frame of all."""
    frames = traceback.extract_tb(trace)
    own = [f for f in frames if str(settings.BASE_DIR) in f.filename and "/.venv/" not in f.filename]
    shown = [*own[-2:], *frames[-1:]] if frames else []
    return " → ".join(f"{Path(f.filename).name}:{f.lineno}" for f in shown)


def _short(data) -> str:
    if not data:
        return ""
    text = urlencode(data, doseq=True)
    return f"[{text[:120]}]"


# Anonymous, each role of units.Role, a superuser: one test each, so that the walk spreads over the
# test run's workers; each user keeps its turn in this order, which shares out the hostile values.
WHO = ["ẩn danh", *(str(role.label) for role in Role), "superuser"]


@pytest.fixture
def demo_users(db):
    """The demo database, and one login per role: anonymous, each role, a superuser."""
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    users = {"ẩn danh": None}
    for role in Role:
        membership = Membership.objects.filter(role=role).select_related("user").order_by("user__username").first()
        assert membership is not None, f"the demo has no {role.label}"
        users[str(role.label)] = membership.user
    users["superuser"] = get_user_model().objects.filter(is_superuser=True).first()
    assert list(users) == WHO
    return users


@pytest.mark.parametrize("who", WHO)
def test_no_url_answers_500_to_any_user_or_input(who, demo_users, caplog):
    caplog.set_level(logging.CRITICAL, logger="django.request")
    caplog.set_level(logging.CRITICAL, logger="django.security")
    # Small ids exist for every model of the demo; units of two provinces (each user sees one at
    # most); then 0 and ids past the database's integers.
    trà_vinh, bắc_ninh = Unit.objects.get(code="84"), Unit.objects.get(code="27")
    walker = Walker(["1", str(trà_vinh.pk), "2", str(bắc_ninh.pk), "3", "0", BIG, PAST_BIGINT])
    patterns = _patterns()
    assert len(patterns) > 100
    only = os.environ.get("WALK_ONLY", "")  # a regular expression of routes, to rerun a part by hand
    started = time.monotonic()
    turn, user = WHO.index(who), demo_users[who]
    client = Client(raise_request_exception=False)
    session_key = None
    if user is not None:
        client.force_login(user)
        session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    for index, (template, view) in enumerate(patterns):
        route = "".join(p if isinstance(p, str) else f"<{p[0]}>" for p in template)
        if only and not re.search(only, route):
            continue
        walker.walk(template, view, (client, session_key, who, route), turn, index)
    seconds = ", ".join(f"{area} {s:.0f} s" for area, s in sorted(walker.seconds.items(), key=lambda i: -i[1]))
    print(f"\n{walker.requests} requests as {who} in {time.monotonic() - started:.0f} s ({seconds})")
    assert not walker.failures, f"{len(walker.failures)} kinds of failure:\n{walker.report()}"
