"""Server-rendered HTML: one Jinja2 environment per language, the request's language, page context."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from keepword.web import i18n
from keepword.web.pages import labels

TEMPLATES = Path(__file__).parent / "templates"


def request_locale(request: Request) -> str:
    if "locale" not in request.scope.setdefault("state", {}):
        request.state.locale = i18n.pick_locale(request.cookies.get(i18n.COOKIE),
                                                request.headers.get("accept-language"),
                                                request.query_params.get("lang"))
    return request.state.locale


def gettext_for(request: Request):
    """The gettext of the request's language for strings built in Python: ``_("%(n)s days", n=3)``."""
    gettext = i18n.translations(request_locale(request)).gettext

    def translate(message: str, **values) -> str:
        text = gettext(message)
        return text % values if values else text
    return translate


@lru_cache(maxsize=None)
def environment(locale: str) -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(i18n.translations(locale), newstyle=True)
    babel_locale = _babel_locale(locale)
    env.filters["money"] = lambda value: _money(value, babel_locale)
    env.filters["day"] = lambda value: _day(value, babel_locale)
    env.globals["labels"] = labels
    env.globals["LANGUAGE_NAMES"] = i18n.LANGUAGE_NAMES
    return env


def format_day(request: Request, value) -> str:
    """A date as the request's language writes it (the templates' ``day`` filter), for strings built in Python."""
    return _day(value, _babel_locale(request_locale(request)))


def _babel_locale(locale: str) -> str:
    return "zh_Hans_CN" if locale == "zh_CN" else locale


def _money(value, babel_locale: str) -> str:
    if value is None or value == "":
        return ""
    amount = Decimal(str(getattr(value, "amount", value)))
    return format_decimal(amount, format="#,##0.00", locale=babel_locale)


def _day(value, babel_locale: str) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, format="medium", locale=babel_locale)


def render(request: Request, template: str, context: dict | None = None, status_code: int = 200,
           headers: dict | None = None) -> HTMLResponse:
    """Render ``template`` in the request's language with the common page context."""
    locale = request_locale(request)
    gettext = gettext_for(request)
    values = {
        "request": request,
        "locale": locale,
        "html_lang": i18n.HTML_LANG[locale],
        "other_locales": [code for code in i18n.LOCALES if code != locale],
        "label": lambda table, key: labels.label(table, key, gettext),
        "principal": getattr(request.state, "principal", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    }
    values.update(context or {})
    html = environment(locale).get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    # Pages may hold personal data: never cache them in shared caches; vary on the language choice.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("Vary", "Cookie, Accept-Language")
    return response


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to; anything else (another host, a scheme) falls back to ``default``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
