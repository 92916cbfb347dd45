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
from pathlib import Path

import opencc
from rapidfuzz import fuzz

from keepword.screening.pinyin_spelling import default_reading, is_pinyin, spells
from keepword.screening.surnames import (
    COMMON_SURNAME_READINGS,
    COMPOUND_SURNAME_READINGS,
    split_surname,
    surname_readings,
)

_TO_SIMPLIFIED = opencc.OpenCC("t2s")


def _characters_t2s_changes() -> frozenset[str]:
    """Characters OpenCC t2s would change, alone or inside one of its phrases."""
    folder = Path(opencc.__file__).parent / "dictionary"
    changed: set[str] = set()
    for file in ("TSCharacters.txt", "TSPhrases.txt"):
        for line in (folder / file).read_text(encoding="utf-8").splitlines():
            key, _, values = line.partition("\t")
            value = values.split(" ")[0]
            changed.update(c for i, c in enumerate(key) if i >= len(value) or value[i] != c)
    return frozenset(changed)


# Most names are already simplified: skip OpenCC (about 12 µs a call) when nothing would change.
_TRADITIONAL = _characters_t2s_changes()
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_NOT_HAN = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")
_NOT_HAN_NOR_LINE_BREAK = re.compile(r"[^\n\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
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


def all_han(texts: list[str]) -> bool:
    """Whether each of ``texts`` is made of Han characters only, and not empty (in one pass)."""
    if not all(texts):
        return False
    joined = "\n".join(texts)
    return joined.count("\n") == len(texts) - 1 and _NOT_HAN_NOR_LINE_BREAK.search(joined) is None


@lru_cache(maxsize=65536)
def to_simplified(text: str) -> str:
    """Traditional characters to simplified (OpenCC t2s); other characters unchanged."""
    if _TRADITIONAL.isdisjoint(text):
        return text
    return _TO_SIMPLIFIED.convert(text)


def han_key(name: str) -> str:
    """The simplified Han characters of ``name`` with everything else (spaces, dots) removed."""
    folded = name if unicodedata.is_normalized("NFKC", name) else unicodedata.normalize("NFKC", name)
    return _NOT_HAN.sub("", to_simplified(folded))


#: Name tags (a byte per row of a screening index): 0 for a name not made of Han characters
#: only (always a candidate); else its length in characters (7: seven or more) above 4 bits of
#: its hash, enough to rule out most stored Han keys without reading them.
NAME_TAGS = 128
_LONG_NAME = 7


def han_name_tag(stored: str) -> int:
    """The tag of a name as a screening index stores it (see :data:`NAME_TAGS`)."""
    if not all_han([stored]):
        return 0
    return min(len(stored), _LONG_NAME) << 4 | (hash(stored) & 15)


def han_tags_reaching(han: str, threshold: float) -> bytes:
    """For each name tag, whether a stored name with that tag may score ``threshold`` or more
    against the Han key ``han`` (:func:`person_name_score` of two Han keys, their ratio): a table
    of :data:`NAME_TAGS` flags. A name not all in characters always may."""
    return _tags_reaching(len(han), hash(han) & 15, threshold)


@lru_cache(maxsize=1024)
def _tags_reaching(length: int, hash_bits: int, threshold: float) -> bytes:
    # The ratio of two strings of lengths a and b is 100 * (1 - d / (a + b)), d the Indel
    # distance: at least |a - b|, and at least 2 between two different strings of one length.
    def best(distance: int, other: int) -> float:
        return 100.0 * (1 - distance / (length + other))

    reachable = threshold - 1e-6
    keep = bytearray(NAME_TAGS)
    keep[:16] = b"\x01" * 16
    for code in range(1, _LONG_NAME + 1):
        other = code if code < _LONG_NAME else max(code, length)
        if other == length and (code == _LONG_NAME or best(2, other) >= reachable):
            hashes = range(16)  # another name of the same length may reach it
        elif other == length:
            hashes = range(hash_bits, hash_bits + 1)  # only the same name does
        elif best(abs(length - other), other) >= reachable:
            hashes = range(16)
        else:
            continue
        for bits in hashes:
            keep[code << 4 | bits] = 1
    return bytes(keep)


def given_name_pinyin(given: str) -> str:
    """The given name in toneless pinyin, run together: each character's most common reading
    (other readings are accepted when comparing, see ``pinyin_spelling.spells``)."""
    return "".join(map(default_reading, given))


@lru_cache(maxsize=65536)
def person_name_keys(name: str) -> PersonNameKeys:
    """Han key and pinyin keys of a person name written in characters or Latin letters."""
    if not name or not name.strip():
        return PersonNameKeys("", ())
    if has_han(name):
        han = han_key(name)
        return PersonNameKeys(han, pinyin_keys_of_han_key(han))
    return PersonNameKeys("", latin_name_orders(name))


@lru_cache(maxsize=131072)
def pinyin_keys_of_han_key(han: str) -> tuple[str, ...]:
    """The pinyin keys of an already normalised Han key: one per reading of the surname.

    Cached generously: screening a name and birth date compares against every listed person
    born that day, and their names come back again and again.
    """
    surname, given = split_surname(han)
    given_pinyin = given_name_pinyin(given)
    readings = surname_readings(surname)
    if len(readings) == 1:
        return (readings[0] + given_pinyin,)
    return tuple(dict.fromkeys(reading + given_pinyin for reading in readings))


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


#: Highest score two *different* valid pinyin spellings can get: they are two names, not a typo.
OTHER_NAME_CEILING = 80.0


def person_name_score(a: PersonNameKeys, b: PersonNameKeys) -> float:
    """Similarity 0-100 of two person names, comparing like with like.

    Both in characters: the Han keys only (张伟 and 章伟 are different names). Otherwise the
    best pair of pinyin keys, with two refinements: a Latin spelling of any reading of the
    characters (乐 as LE or YUE) scores 100, and two different spellings that are both real
    pinyin are different names, so they score at most :data:`OTHER_NAME_CEILING`; a spelling
    that is not pinyin at all is taken for a typo and keeps its letter similarity.
    """
    if a.han and b.han:
        return fuzz.ratio(a.han, b.han)
    if not a.pinyin or not b.pinyin:
        return 0.0
    best = max(fuzz.ratio(x, y) for x in a.pinyin for y in b.pinyin)
    if best == 100.0:
        return best
    for written, spelled in ((a, b), (b, a)):
        if written.han and any(_spells_characters(written.han, key) for key in spelled.pinyin):
            return 100.0
    if _is_real_pinyin(a) and _is_real_pinyin(b):
        return min(best, OTHER_NAME_CEILING)
    return best


def person_name_score_stored(name: PersonNameKeys, stored: str) -> float:
    """:func:`person_name_score` against a name as a screening index stores it (a Han key, or
    a Latin name as written), without building its keys when the Han keys settle it."""
    if stored and stored[0] > "\u2fff" and has_han(stored):
        if name.han:
            return fuzz.ratio(name.han, stored)
        return person_name_score(name, PersonNameKeys(stored, pinyin_keys_of_han_key(stored)))
    return person_name_score(name, person_name_keys(stored))


def _spells_characters(han: str, key: str) -> bool:
    surname, given = split_surname(han)
    return spells(surname_readings(surname), given, key)


def _is_real_pinyin(keys: PersonNameKeys) -> bool:
    # A name in characters has real pinyin by construction; a Latin one must split into syllables.
    return bool(keys.han) or any(map(is_pinyin, keys.pinyin))


# --- organisations -----------------------------------------------------------------------------

_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")", "[": "(", "]": ")"})
_DROPPED_MARKS = re.compile(r"[\"'“”‘’·•・‧]")
# Spaces next to a bracket or a non-ASCII character (the class is "( or ) or above 0x7f").
_SPACE_NEXT_TO_WIDE = re.compile(r"\s+(?=[^\x00-\x27\x2a-\x7f])|(?<=[^\x00-\x27\x2a-\x7f])\s+")
_CHINESE_LEGAL_FORMS = (
    (re.compile(r"\(?有限合伙\)?$"), "(有限合伙)"),
    (re.compile(r"\(?特殊普通合伙\)?$"), "(特殊普通合伙)"),  # before 普通合伙, which it ends with
    (re.compile(r"\(?普通合伙\)?$"), "(普通合伙)"),
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
        return _canonical_chinese_form(_SPACE_NEXT_TO_WIDE.sub("", text))
    return _canonical_latin_form(text)


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
