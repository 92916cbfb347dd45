"""The portal's languages: gettext catalogues compiled by Babel, picked per request.

Catalogues live beside this file (``<locale>/LC_MESSAGES/messages.po`` and ``.mo``); the template
``messages.pot`` is extracted with ``babel.cfg`` (its header lists the commands).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

CATALOGUES = Path(__file__).parent
DOMAIN = "messages"
#: Supported locales, the first is the default (the list is a Chinese court system's).
LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = LOCALES[0]
#: The cookie the language switcher sets.
COOKIE = "kw_lang"
#: How each language names itself in the switcher.
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (translated where it is shown)."""
    return message


@lru_cache(maxsize=None)
def translations(locale: str) -> NullTranslations:
    """The compiled catalogue of ``locale`` (English msgids pass through untranslated)."""
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    return Translations.load(str(CATALOGUES), [locale], DOMAIN)


def normalise(tag: str | None) -> str | None:
    """Map a language tag (``zh``, ``zh-Hans-CN``, ``en-GB``) to a supported locale, or None."""
    if not tag:
        return None
    tag = tag.strip().replace("_", "-").lower()
    if tag.startswith("zh"):
        return "zh_CN"
    if tag.startswith("en"):
        return "en"
    return None


def from_accept_language(header: str | None) -> str | None:
    """The supported locale the browser prefers most, honouring q-values."""
    if not header:
        return None
    ranked = []
    for position, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, position, pieces[0]))
    for negative_quality, _, tag in sorted(ranked):
        locale = normalise(tag)
        if locale and negative_quality < 0:
            return locale
    return None


def pick_locale(cookie: str | None, accept_language: str | None, query: str | None = None) -> str:
    """The explicit choice (query, then cookie) wins over the browser's preference; default Chinese."""
    for candidate in (query, cookie):
        if candidate in LOCALES:
            return candidate
    return from_accept_language(accept_language) or DEFAULT_LOCALE
