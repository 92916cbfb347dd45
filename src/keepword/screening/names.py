"""Comparable keys for person and organisation names.

A person's name reaches us as 張曉明, 张晓明, "ZHANG Xiaoming", "Xiaoming Zhang",
"ZHANGXIAOMING" or "Zhang Xiao-ming". Two keys make these comparable, like with like:

* the **Han key**: the Han characters, traditional folded to simplified, spaces and middle
  dots removed. Two names written in characters are compared by this key only: 张伟 and 章伟
  sound alike but are different names.
* the **pinyin keys**: the name spelled in lower-case pinyin without spaces, surname first,
  with the surname's *surname* reading (曾 zeng, not ceng) and ü folded to u (LYU, LV, LÜ and
  LU all become "lu"). A name written in Latin letters does not say which part is the surname,
  so it gets a key per plausible order (as written, last part first, the ALL-CAPS part first,
  a surname found at the end of a run-together name); a name in characters gets one key per
  reading of its surname. Two names compare by the best pair of keys.

Organisation names go through :func:`normalize_org_name`: width folding, simplified
characters, no stray spaces, one spelling per legal form.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc
from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz

from keepword.screening.surnames import (
    COMMON_SURNAME_READINGS,
    COMPOUND_SURNAME_READINGS,
    COMPOUND_SURNAMES,
    SINGLE_SURNAMES,
)

_TO_SIMPLIFIED = opencc.OpenCC("t2s")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_NOT_HAN = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")
_PART_SEPARATORS = re.compile(r"[\s,，;；/]+")
_NOT_LETTER = re.compile(r"[^a-z]+")
_UMLAUT_AS_YU = re.compile(r"^([ln])yu")


@dataclass(frozen=True, slots=True)
class PersonNameKeys:
    """The comparison keys of one person name (see the module docstring)."""

    han: str
    pinyin: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.han and not self.pinyin

    def block_keys(self) -> tuple[str, ...]:
        """Keys to probe a name index with: the Han key and every pinyin key."""
        keys = [f"h:{self.han}"] if self.han else []
        keys.extend(f"p:{key}" for key in self.pinyin)
        return tuple(keys)

    def filing_keys(self) -> tuple[str, ...]:
        """Keys a name index files this name under: the pinyin keys (one name in characters
        always has the same pinyin, so they cover the Han key too), else the Han key."""
        if self.pinyin:
            return tuple(f"p:{key}" for key in self.pinyin)
        return (f"h:{self.han}",) if self.han else ()


def has_han(text: str) -> bool:
    """Whether ``text`` contains at least one Han character."""
    return _HAN.search(text) is not None


@lru_cache(maxsize=65536)
def to_simplified(text: str) -> str:
    """Traditional characters to simplified (OpenCC t2s); other characters unchanged."""
    return _TO_SIMPLIFIED.convert(text)


def han_key(name: str) -> str:
    """The simplified Han characters of ``name`` with everything else (spaces, dots) removed."""
    folded = unicodedata.normalize("NFKC", name)
    return _NOT_HAN.sub("", to_simplified(folded))


def split_surname(han: str) -> tuple[str, str]:
    """Split a Han key into (surname, given name); compound surnames are tried first.

    A two-character name whose characters form a compound surname (欧阳) is read as a
    single surname plus given name only when something follows it.
    """
    if len(han) >= 3 and han[:2] in COMPOUND_SURNAMES:
        return han[:2], han[2:]
    return han[:1], han[1:]


@lru_cache(maxsize=4096)
def surname_readings(surname: str) -> tuple[str, ...]:
    """Pinyin readings of a surname as passports spell it, the usual one first."""
    readings = COMPOUND_SURNAMES.get(surname) or SINGLE_SURNAMES.get(surname)
    if readings:
        return readings
    return (_fold_umlaut("".join(lazy_pinyin(surname, style=Style.NORMAL, errors="ignore"))),)


@lru_cache(maxsize=262144)
def given_name_pinyin(given: str) -> str:
    """The given name in toneless pinyin, run together, ü folded to u."""
    return _fold_umlaut("".join(lazy_pinyin(given, style=Style.NORMAL, errors="ignore")).lower())


def _fold_umlaut(pinyin: str) -> str:
    # pypinyin writes ü as v (lv, nve); passports write LYU, LV, LU or LÜ: fold all to u.
    return pinyin.replace("v", "u")


@lru_cache(maxsize=262144)
def person_name_keys(name: str) -> PersonNameKeys:
    """Han key and pinyin keys of a person name written in characters or Latin letters."""
    if not name or not name.strip():
        return PersonNameKeys("", ())
    if has_han(name):
        han = han_key(name)
        surname, given = split_surname(han)
        given_pinyin = given_name_pinyin(given)
        keys = tuple(dict.fromkeys(reading + given_pinyin for reading in surname_readings(surname)))
        return PersonNameKeys(han, keys)
    return PersonNameKeys("", latin_name_orders(name))


def latin_name_orders(name: str) -> tuple[str, ...]:
    """Pinyin keys of a Latin-letter name: one per plausible surname-first reading.

    "ZHANG San", "San ZHANG", "zhang san", "ZHANGSAN", "Zhang Xiao-ming", "Xiaoming Zhang",
    "OU YANG Xiu" and "LYU Wei" all yield the surname-first key among their keys.
    """
    raw_parts = [p for p in _PART_SEPARATORS.split(name.strip()) if p]
    parts: list[str] = []
    caps: list[bool] = []
    for raw in raw_parts:
        cleaned = _latin_part(raw)
        if cleaned:
            parts.append(cleaned)
            letters = [c for c in raw if c.isalpha()]
            caps.append(len(letters) > 1 and all(c.isupper() for c in letters))
    if not parts:
        return ()
    orders = ["".join(parts)]
    if 0 < sum(caps) < len(parts):
        surname = "".join(p for p, is_caps in zip(parts, caps) if is_caps)
        orders.append(surname + "".join(p for p, is_caps in zip(parts, caps) if not is_caps))
    if len(parts) >= 2:
        orders.append(parts[-1] + "".join(parts[:-1]))
    if len(parts) >= 3 and parts[-2] + parts[-1] in COMPOUND_SURNAME_READINGS:
        orders.append(parts[-2] + parts[-1] + "".join(parts[:-2]))
    if len(parts) == 1:
        orders.extend(_surname_moved_to_front(parts[0]))
    return tuple(dict.fromkeys(orders))


def _latin_part(raw: str) -> str:
    decomposed = unicodedata.normalize("NFKD", raw)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    letters = _NOT_LETTER.sub("", plain)
    return _UMLAUT_AS_YU.sub(r"\1u", letters).replace("v", "u")


def _surname_moved_to_front(run_together: str) -> list[str]:
    """For "XIAOMINGZHANG": the keys with a known surname at the end moved to the front."""
    moved = []
    for length in range(2, min(len(run_together) - 2, 8) + 1):
        tail = run_together[-length:]
        if tail in COMMON_SURNAME_READINGS:
            moved.append(tail + run_together[:-length])
    return moved


def person_name_score(a: PersonNameKeys, b: PersonNameKeys) -> float:
    """Similarity 0-100 of two person names, comparing like with like.

    Both in characters: the Han keys only. Otherwise the best pair of pinyin keys.
    """
    if a.han and b.han:
        return fuzz.ratio(a.han, b.han)
    if not a.pinyin or not b.pinyin:
        return 0.0
    return max(fuzz.ratio(x, y) for x in a.pinyin for y in b.pinyin)


# --- organisations -----------------------------------------------------------------------------

_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")", "[": "(", "]": ")"})
_DROPPED_MARKS = re.compile(r"[\"'“”‘’·•・‧]")
_SPACE_NEXT_TO_WIDE = re.compile(r"\s*([^\x00-\x7f()])\s*|\s*([()])\s*")
_CHINESE_LEGAL_FORMS = (
    (re.compile(r"\(?有限合伙\)?$"), "(有限合伙)"),
    (re.compile(r"\(?普通合伙\)?$"), "(普通合伙)"),
    (re.compile(r"\(?特殊普通合伙\)?$"), "(特殊普通合伙)"),
    (re.compile(r"(股份有限公司|股份公司)$"), "股份有限公司"),
    (re.compile(r"(有限责任公司|有限公司)$"), "有限公司"),
)
_LATIN_LEGAL_FORMS = (
    (re.compile(r"\b(company limited|co limited|company ltd|co ltd|limited liability company|ltd|limited|llc|l l c)$"), "co ltd"),
    (re.compile(r"\b(incorporated|inc|corporation|corp)$"), "inc"),
    (re.compile(r"\b(public limited company|plc)$"), "plc"),
)
_GROUP = "集团"


@lru_cache(maxsize=65536)
def normalize_org_name(name: str) -> str:
    """One spelling for every way of writing the same organisation name.

    Folds full-width forms (（）→ ()), traditional to simplified, removes spaces around Han
    characters and brackets, and canonicalises the legal form: 有限责任公司 and 有限公司 become
    有限公司, 股份公司 becomes 股份有限公司, 有限合伙 with or without brackets becomes
    (有限合伙), a group (集团) with any company form becomes just 集团; "Co., Ltd.",
    "Company Limited", "Ltd" become "co ltd". Latin letters are lower-cased.
    """
    text = unicodedata.normalize("NFKC", name).translate(_BRACKETS)
    text = to_simplified(_DROPPED_MARKS.sub("", text)).lower().strip()
    if has_han(text):
        return _canonical_chinese_form(_SPACE_NEXT_TO_WIDE.sub(_keep_the_character, text))
    return _canonical_latin_form(text)


def _keep_the_character(found: re.Match[str]) -> str:
    return found.group(1) or found.group(2)


def _canonical_chinese_form(text: str) -> str:
    for pattern, canonical in _CHINESE_LEGAL_FORMS:
        found = pattern.search(text)
        if found:
            core = text[: found.start()]
            return core if core.endswith(_GROUP) else core + canonical
    return text


def _canonical_latin_form(text: str) -> str:
    words = " ".join(re.sub(r"[^0-9a-z&]+", " ", text).split())
    for pattern, canonical in _LATIN_LEGAL_FORMS:
        found = pattern.search(words)
        if found:
            return (words[: found.start()].strip() + " " + canonical).strip()
    return words


def org_name_score(a: str, b: str) -> float:
    """Similarity 0-100 of two organisation names after :func:`normalize_org_name`."""
    return fuzz.ratio(normalize_org_name(a), normalize_org_name(b))
