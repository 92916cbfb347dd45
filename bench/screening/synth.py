"""Fast synthetic registry entries and records for the screening benchmarks.

Valid identifiers without the cost of full validation: ID numbers from real region codes with
the check character computed directly; credit codes through ``make_credit_code``. Names come
from pools the size of real name frequencies (a few hundred thousand distinct names), so name
caches behave as they would on the real list.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from keepword.domain.identifiers import CREDIT_CODE_ALPHABET, id_number_check_char, make_credit_code
from keepword.screening import RegistryEntry

REGIONS = ("110101", "110102", "110105", "110108", "120101", "310101", "310104", "310115", "320102", "320106",
           "330102", "330106", "340102", "350102", "370102", "410105", "420102", "430102", "440103", "440104",
           "440304", "450102", "500103", "510104", "510107", "610102", "210102", "220102", "230102", "130102")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤欧阳司马诸葛"
GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国晓红玉兰龙凤东海鹏飞婷雪琳斌辉欣文庆春波浩志峰玲佳凯丹亮梅荣云帅颖泽轩瑞晨宝贵福鑫宇博俊嘉思雨涵梓子怡欣然一诺佳琪"
ORG_WORDS = "华信宏达瑞丰金石恒通天成鑫源中科联创博雅新锐海纳远航嘉禾盛世东升"
ORG_TRADES = ("科技", "贸易", "建设", "投资", "实业", "物流", "餐饮", "置业")
ORG_FORMS = ("有限公司", "有限责任公司", "股份有限公司")
_EPOCH_ORDINAL = date(1940, 1, 1).toordinal()


class Synthesizer:
    """Deterministic generator of identifiers, names and dates."""

    def __init__(self, seed: int = 1, distinct_names: int = 400_000) -> None:
        self.random = random.Random(seed)
        self.names = [self._new_person_name() for _ in range(distinct_names)]

    def birth(self) -> date:
        return date.fromordinal(_EPOCH_ORDINAL + self.random.randrange(0, 365 * 65))

    def id_number(self, birth: date | None = None) -> str:
        birth = birth or self.birth()
        first17 = f"{self.random.choice(REGIONS)}{birth.isoformat().replace('-', '')}{self.random.randrange(1000):03d}"
        return first17 + id_number_check_char(first17)

    def credit_code(self) -> str:
        body = "".join(self.random.choices(CREDIT_CODE_ALPHABET, k=8))
        return make_credit_code("9", "1", self.random.choice(REGIONS), body)

    def person_name(self) -> str:
        return self.names[self.random.randrange(len(self.names))]

    def _new_person_name(self) -> str:
        r = self.random
        return r.choice(SURNAMES) + "".join(r.choices(GIVEN_CHARS, k=r.choice((1, 2, 2, 2))))

    def org_name(self) -> str:
        r = self.random
        return "".join(r.choices(ORG_WORDS, k=2)) + "".join(r.choices(ORG_WORDS, k=2)) + r.choice(ORG_TRADES) + r.choice(ORG_FORMS)

    def entries(self, count: int, organization_share: float = 0.2, unkeyed_share: float = 0.0) -> Iterator[RegistryEntry]:
        """``count`` registry entries; organisations have a legal representative."""
        r = self.random
        for i in range(count):
            if r.random() < organization_share:
                yield RegistryEntry(f"E{i}", "organization", self.org_name(), self.credit_code(),
                                    bound_persons=(("legal_representative", self.id_number()),))
            else:
                birth = self.birth()
                number = "" if r.random() < unkeyed_share else self.id_number(birth)
                yield RegistryEntry(f"E{i}", "person", self.person_name(), number, birth)


def write_registry(path: Path, entries: Iterator[RegistryEntry]) -> list[str]:
    """Write REGISTRY.csv; return the identifiers written (persons and bound persons)."""
    identifiers = []
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["entry_id", "kind", "name", "id_number", "birth_date", "legal_representative"])
        for e in entries:
            bound = e.bound_persons[0][1] if e.bound_persons else ""
            writer.writerow([e.entry_id, e.kind, e.name, e.identifier, e.birth_date.isoformat() if e.birth_date else "", bound])
            identifiers.append(e.identifier)
            if bound:
                identifiers.append(bound)
    return identifiers
