"""Real administrative region codes for demo ID numbers and credit codes.

An ID number carries the region code in force where and when it was issued; python-stdnum (and
the strictest validators) reject a code that did not exist in the holder's birth year. Most city
districts date from 1983 or later, so people born earlier get a code from a county that existed
then, as real older numbers do.
"""

from __future__ import annotations

from functools import lru_cache

#: province (as the demo courts name it) -> real region codes of that province
LOCAL_REGIONS = {
    "北京": ("110101", "110102", "110105", "110106", "110107", "110108"),
    "上海": ("310101", "310104", "310105", "310106", "310107", "310110", "310112"),
    "浙江": ("330102", "330105", "330106", "330110", "330203", "330212", "330302", "330324", "330326",
             "330122", "330127"),
    "广东": ("440103", "440104", "440105", "440106", "440303", "440304", "440305"),
    "四川": ("510104", "510105", "510106", "510107", "510703", "510121", "510321"),
    "湖北": ("420102", "420103", "420106", "420111", "420502", "422801", "422822", "422823"),
    "江苏": ("320102", "320104", "320105", "320106", "320506", "320508"),
}

#: Home counties of people who moved to the cities where the demo courts sit.
MIGRANT_REGIONS = ("120101", "120102", "120104", "340121", "340421", "340621", "360121", "430121", "430321",
                   "350121", "422822", "510121", "330122")


def _county(code: str) -> str:
    from stdnum import numdb

    info: dict[str, str] = {}
    for _part, props in numdb.get("cn/loc").info(code):
        info.update(props)
    county = info.get("county")
    if not county:
        raise ValueError(f"region code {code} is not in stdnum's table")
    return county


@lru_cache(maxsize=512)
def county_name(code: str) -> str:
    """The current name of the county or district: ``桐庐县``."""
    return _county(code).split(",")[-1].rpartition("]")[2]


@lru_cache(maxsize=64)
def rural_counties(province: str) -> tuple[str, ...]:
    """The province's counties (县) among the demo's region codes."""
    return tuple(c for c in LOCAL_REGIONS.get(province, ()) if county_name(c).endswith("县"))


@lru_cache(maxsize=512)
def years_in_use(code: str) -> tuple[int, int | None]:
    """``(first, last)`` years the code was in use per stdnum's table (``0``: since before the records)."""
    county = _county(code)
    first, last = 9999, 0
    for entry in county.split(","):
        if not entry.startswith("["):
            return 0, None
        start, _, end = entry[1:].split("]", 1)[0].partition("-")
        first = min(first, int(start) if start else 0)
        last = None if (not end or last is None) else max(last, int(end))
    return first, last


def in_use(code: str, year: int) -> bool:
    first, last = years_in_use(code)
    return first <= year and (last is None or year <= last)


@lru_cache(maxsize=1024)
def regions_for(province: str, birth_year: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Codes usable for someone born in ``birth_year``: ``(local, migrant)``."""
    local = tuple(c for c in LOCAL_REGIONS.get(province, ()) if in_use(c, birth_year))
    migrant = tuple(c for c in MIGRANT_REGIONS if in_use(c, birth_year))
    return local, migrant
