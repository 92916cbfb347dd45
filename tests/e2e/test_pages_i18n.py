"""The portal's catalogues: every message translated into Chinese, the compiled files up to date,
placeholders kept, and every string the pages use extracted into the template."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from keepword.web import i18n

CATALOGUES = Path(i18n.__file__).parent
ROOT = CATALOGUES.parents[3]


def _po(locale: str):
    with open(CATALOGUES / locale / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=locale)


def _placeholders(text) -> set[str]:
    texts = text if isinstance(text, tuple) else (text,)
    return {p for t in texts for p in re.findall(r"%\(\w+\)[sd]", t or "")}


def test_every_message_has_a_chinese_translation_with_the_same_placeholders():
    catalogue = _po("zh_CN")
    missing, broken = [], []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            missing.append(message.id)
        elif _placeholders(message.string) - _placeholders(message.id) or \
                _placeholders(message.id if isinstance(message.id, str) else message.id[0]) - _placeholders(message.string):
            broken.append(message.id)
    assert not missing, f"untranslated: {missing[:10]}"
    assert not broken, f"placeholders differ: {broken[:10]}"


def _plain(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


def test_the_compiled_catalogues_match_their_sources():
    for locale in i18n.LOCALES:
        source = {_plain(m.id): _plain(m.string) for m in _po(locale) if m.id}
        with open(CATALOGUES / locale / "LC_MESSAGES" / "messages.mo", "rb") as fh:
            compiled = {_plain(m.id): _plain(m.string) for m in read_mo(fh) if m.id}
        assert compiled == source, f"{locale}: run pybabel compile -d {CATALOGUES}"


def test_the_template_holds_every_string_the_pages_use(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(CATALOGUES / "babel.cfg"),
                    "-k", "N_", "--no-location", "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as fh:
        used = {m.id for m in read_po(fh) if m.id}
    with open(CATALOGUES / "messages.pot", "rb") as fh:
        kept = {m.id for m in read_po(fh) if m.id}
    assert used <= kept, f"extract again (see babel.cfg): {sorted(map(str, used - kept))[:10]}"
    assert used <= {m.id for m in _po("zh_CN") if m.id}


def test_the_language_is_picked_from_the_choice_then_the_browser():
    assert i18n.pick_locale(None, None) == "zh_CN"
    assert i18n.pick_locale(None, "en-US,en;q=0.9,zh;q=0.8") == "en"
    assert i18n.pick_locale(None, "fr;q=1, zh-TW;q=0.5, en;q=0.4") == "zh_CN"
    assert i18n.pick_locale("en", "zh-CN") == "en"
    assert i18n.pick_locale("en", "en", query="zh_CN") == "zh_CN"
    assert i18n.pick_locale("xx", "de") == "zh_CN"
