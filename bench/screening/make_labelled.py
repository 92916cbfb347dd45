"""Generate tests/data/screening/labelled.csv: name variants, namesakes and identifiers, labelled.

The ground truth comes from hand-written tables (characters, their traditional forms and
passport pinyin), not from keepword's own name code, so the set can catch its mistakes.
Deterministic: the same seed gives the same file.

    python bench/screening/make_labelled.py [--seed 20240505] [--output tests/data/screening/labelled.csv]
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta
from pathlib import Path

from keepword.domain.identifiers import CREDIT_CODE_ALPHABET, make_credit_code, make_id_number

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = ("pair_id", "family", "kind", "registry_name", "registry_id", "registry_birth", "registry_bound_id",
           "record_kind", "record_name", "record_id", "record_birth", "expected_decision", "expected_same_name")
REGIONS = ("110101", "110105", "120101", "310104", "320102", "330106", "340102", "350102", "370102", "410105",
           "420102", "430102", "440103", "440304", "500103", "510107", "610102", "210102", "230102", "530102")

# (simplified, traditional, passport pinyin)
SURNAMES = [
    ("张", "張", "zhang"), ("王", "王", "wang"), ("李", "李", "li"), ("刘", "劉", "liu"), ("陈", "陳", "chen"),
    ("杨", "楊", "yang"), ("黄", "黃", "huang"), ("赵", "趙", "zhao"), ("吴", "吳", "wu"), ("周", "周", "zhou"),
    ("孙", "孫", "sun"), ("马", "馬", "ma"), ("胡", "胡", "hu"), ("郭", "郭", "guo"), ("林", "林", "lin"),
    ("罗", "羅", "luo"), ("郑", "鄭", "zheng"), ("梁", "梁", "liang"), ("谢", "謝", "xie"), ("宋", "宋", "song"),
    ("韩", "韓", "han"), ("冯", "馮", "feng"), ("邓", "鄧", "deng"), ("许", "許", "xu"), ("钟", "鍾", "zhong"),
]
SURNAMES_WITH_OWN_READING = [
    ("曾", "曾", "zeng"), ("单", "單", "shan"), ("解", "解", "xie"), ("仇", "仇", "qiu"), ("朴", "樸", "piao"),
    ("区", "區", "ou"), ("查", "查", "zha"), ("盖", "蓋", "ge"), ("乐", "樂", "yue"), ("秘", "秘", "bi"),
    ("缪", "繆", "miao"), ("翟", "翟", "zhai"), ("覃", "覃", "qin"), ("种", "種", "chong"),
]
COMPOUND_SURNAMES = [
    ("欧阳", "歐陽", "ouyang"), ("司马", "司馬", "sima"), ("上官", "上官", "shangguan"), ("诸葛", "諸葛", "zhuge"),
    ("东方", "東方", "dongfang"), ("皇甫", "皇甫", "huangfu"), ("慕容", "慕容", "murong"), ("司徒", "司徒", "situ"),
    ("公孙", "公孫", "gongsun"), ("夏侯", "夏侯", "xiahou"), ("宇文", "宇文", "yuwen"), ("澹台", "澹臺", "tantai"),
    ("尉迟", "尉遲", "yuchi"), ("万俟", "萬俟", "moqi"), ("长孙", "長孫", "zhangsun"), ("令狐", "令狐", "linghu"),
]
UMLAUT_SURNAMES = [("吕", "呂", ("lyu", "lv", "lu", "lü"))]
# Given-name characters with several readings, and a reading a passport may use.
HETERONYM_GIVEN = [("乐", "樂", "yue"), ("长", "長", "chang"), ("重", "重", "chong"), ("朝", "朝", "zhao"),
                   ("茜", "茜", "xi"), ("蔚", "蔚", "yu"), ("传", "傳", "zhuan"), ("曾", "曾", "zeng"),
                   ("行", "行", "hang"), ("乐", "樂", "le"), ("长", "長", "zhang"), ("朝", "朝", "chao")]
GIVEN = [
    ("伟", "偉", "wei"), ("芳", "芳", "fang"), ("娜", "娜", "na"), ("敏", "敏", "min"), ("静", "靜", "jing"),
    ("丽", "麗", "li"), ("强", "強", "qiang"), ("磊", "磊", "lei"), ("军", "軍", "jun"), ("洋", "洋", "yang"),
    ("勇", "勇", "yong"), ("艳", "艷", "yan"), ("杰", "傑", "jie"), ("涛", "濤", "tao"), ("明", "明", "ming"),
    ("超", "超", "chao"), ("秀", "秀", "xiu"), ("霞", "霞", "xia"), ("平", "平", "ping"), ("刚", "剛", "gang"),
    ("桂", "桂", "gui"), ("英", "英", "ying"), ("华", "華", "hua"), ("建", "建", "jian"), ("国", "國", "guo"),
    ("晓", "曉", "xiao"), ("红", "紅", "hong"), ("玉", "玉", "yu"), ("兰", "蘭", "lan"), ("龙", "龍", "long"),
    ("凤", "鳳", "feng"), ("东", "東", "dong"), ("海", "海", "hai"), ("鹏", "鵬", "peng"), ("飞", "飛", "fei"),
    ("婷", "婷", "ting"), ("雪", "雪", "xue"), ("琳", "琳", "lin"), ("斌", "斌", "bin"), ("辉", "輝", "hui"),
    ("欣", "欣", "xin"), ("文", "文", "wen"), ("庆", "慶", "qing"), ("春", "春", "chun"), ("波", "波", "bo"),
    ("浩", "浩", "hao"), ("志", "志", "zhi"), ("峰", "峰", "feng"), ("玲", "玲", "ling"), ("佳", "佳", "jia"),
    ("凯", "凱", "kai"), ("丹", "丹", "dan"), ("亮", "亮", "liang"), ("梅", "梅", "mei"), ("荣", "榮", "rong"),
    ("云", "雲", "yun"), ("帅", "帥", "shuai"), ("颖", "穎", "ying"), ("泽", "澤", "ze"), ("轩", "軒", "xuan"),
    ("瑞", "瑞", "rui"), ("晨", "晨", "chen"), ("宝", "寶", "bao"), ("贵", "貴", "gui"), ("福", "福", "fu"),
]
ORG_CITIES = [("北京", "北京"), ("上海", "上海"), ("广州", "廣州"), ("深圳", "深圳"), ("杭州", "杭州"), ("成都", "成都"),
              ("武汉", "武漢"), ("南京", "南京")]
ORG_BRANDS = [("华信", "華信"), ("宏达", "宏達"), ("瑞丰", "瑞豐"), ("金石", "金石"), ("恒通", "恆通"), ("天成", "天成"),
              ("鑫源", "鑫源"), ("中科", "中科"), ("联创", "聯創"), ("博雅", "博雅"), ("新锐", "新銳"), ("海纳", "海納"),
              ("远航", "遠航"), ("嘉禾", "嘉禾"), ("盛世", "盛世"), ("东升", "東昇")]
ORG_TRADES = [("科技", "科技"), ("贸易", "貿易"), ("建设", "建設"), ("投资", "投資"), ("实业", "實業"), ("物流", "物流"),
              ("餐饮", "餐飲"), ("置业", "置業")]
ORG_FORMS = [  # (simplified variants that name the same form, traditional)
    (("有限责任公司", "有限公司"), "有限公司"),
    (("股份有限公司", "股份公司"), "股份有限公司"),
    (("（有限合伙）", "(有限合伙)", "有限合伙"), "（有限合夥）"),
]
ORG_LATIN_BRANDS = ["Huaxin", "Hongda", "Ruifeng", "Jinshi", "Hengtong", "Tiancheng", "Xinyuan", "Lianchuang"]
ORG_LATIN_SUFFIXES = ["Co., Ltd.", "CO.,LTD", "Company Limited", "Co. Ltd", "Limited", "LTD."]


class Generator:
    """Builds labelled pairs family by family from one seeded random source."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.rows: list[dict[str, str]] = []
        self.used_ids: set[str] = set()

    # --- building blocks ----------------------------------------------------------------------
    def birth(self, start_year: int = 1950) -> date:
        return date(start_year, 1, 1) + timedelta(days=self.random.randrange(0, 365 * 50))

    def other_birth(self, birth: date) -> date:
        return birth + timedelta(days=self.random.choice([-1, 1]) * self.random.randrange(1, 4000))

    def id_number(self, birth: date) -> str:
        while True:
            number = make_id_number(self.random.choice(REGIONS), birth, self.random.randrange(1, 999))
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def credit_code(self) -> str:
        alphabet = CREDIT_CODE_ALPHABET
        body = "".join(self.random.choice(alphabet) for _ in range(8))
        return make_credit_code("9", "1", self.random.choice(REGIONS), body)

    def given(self) -> list[tuple[str, str, str]]:
        return self.random.sample(GIVEN, self.random.choice([1, 2, 2, 2]))

    def person(self, surnames=SURNAMES) -> tuple[str, str, str, str]:
        """(simplified name, traditional name, surname pinyin, given pinyin)."""
        surname = self.random.choice(surnames)
        given = self.given()
        return (surname[0] + "".join(g[0] for g in given), surname[1] + "".join(g[1] for g in given),
                surname[2], "".join(g[2] for g in given))

    def add(self, family: str, kind: str, registry: tuple[str, str, date | None], record: tuple[str, str, date | None],
            expected: str, same_name: bool, bound_id: str = "", record_kind: str = "") -> None:
        self.rows.append({
            "pair_id": str(len(self.rows) + 1), "family": family, "kind": kind,
            "registry_name": registry[0], "registry_id": registry[1],
            "registry_birth": registry[2].isoformat() if registry[2] else "", "registry_bound_id": bound_id,
            "record_kind": record_kind or kind,
            "record_name": record[0], "record_id": record[1], "record_birth": record[2].isoformat() if record[2] else "",
            "expected_decision": expected, "expected_same_name": "1" if same_name else "0",
        })

    def listed_person(self, surnames=SURNAMES) -> tuple[tuple[str, str, str, str], date, str]:
        name = self.person(surnames)
        birth = self.birth()
        return name, birth, self.id_number(birth) if self.random.random() < 0.8 else ""

    # --- person families ----------------------------------------------------------------------
    def name_variant(self, family: str, count: int, spell, surnames=SURNAMES) -> None:
        for _ in range(count):
            name, birth, number = self.listed_person(surnames)
            self.add(family, "person", (name[0], number, birth), (spell(name), "", birth), "review", True)

    def typo(self, name) -> str:
        given = list(name[3])
        i = self.random.randrange(len(given))
        action = self.random.choice(["drop", "swap", "double", "replace"])
        if action == "drop" and len(given) > 2:
            del given[i]
        elif action == "swap" and i + 1 < len(given) and given[i] != given[i + 1]:
            given[i], given[i + 1] = given[i + 1], given[i]
        elif action == "double":
            given.insert(i, given[i])
        else:
            given[i] = self.random.choice([c for c in "aeioun" if c != given[i]])
        return f"{name[2].upper()} {''.join(given).capitalize()}"

    def generate_people(self) -> None:
        r = self.random
        self.name_variant("traditional", 40, lambda n: n[1])
        self.name_variant("pinyin_order", 40, lambda n: r.choice([f"{n[3].capitalize()} {n[2].upper()}",
                                                                  f"{n[3].capitalize()} {n[2].capitalize()}"]))
        self.name_variant("pinyin_caps", 40, lambda n: r.choice([f"{n[2].upper()} {n[3].upper()}", f"{n[2]} {n[3]}",
                                                                 f"{n[2].capitalize()} {n[3].capitalize()}",
                                                                 f"{n[2].upper()} {n[3].capitalize()}"]))
        self.name_variant("pinyin_nospace", 40, lambda n: r.choice([(n[2] + n[3]).upper(), n[2] + n[3],
                                                                    (n[2] + n[3]).capitalize()]))
        self.name_variant("hyphenated", 30, lambda n: f"{n[2].upper()} {_hyphenate(n[3], r)}")
        self.name_variant("compound_surname", 40, lambda n: r.choice([
            f"{n[2].upper()} {n[3].capitalize()}", f"{n[3].capitalize()} {n[2].capitalize()}", n[1],
            f"{n[2].capitalize()}{n[3]}"]), COMPOUND_SURNAMES)
        self.name_variant("surname_reading", 40, lambda n: r.choice([
            f"{n[2].upper()} {n[3].capitalize()}", f"{n[3].capitalize()} {n[2].upper()}"]), SURNAMES_WITH_OWN_READING)
        for _ in range(16):
            surname = UMLAUT_SURNAMES[0]
            given = self.given()
            birth = self.birth()
            spelled = r.choice(surname[2])
            record = f"{spelled.upper() if r.random() < 0.5 else spelled.capitalize()} {''.join(g[2] for g in given).capitalize()}"
            self.add("umlaut", "person", (surname[0] + "".join(g[0] for g in given), self.id_number(birth), birth),
                     (record, "", birth), "review", True)
        for _ in range(24):
            surname, birth = r.choice(SURNAMES), self.birth()
            given = [r.choice(HETERONYM_GIVEN)] + ([r.choice(GIVEN)] if r.random() < 0.5 else [])
            r.shuffle(given)
            registry = (surname[0] + "".join(g[0] for g in given), self.id_number(birth), birth)
            record = f"{surname[2].upper()} {''.join(g[2] for g in given).capitalize()}"
            self.add("given_heteronym", "person", registry, (record, "", birth), "review", True)
        self.name_variant("pinyin_typo", 40, self.typo)
        for _ in range(40):
            name, birth, number = self.listed_person()
            spelled = r.choice([name[0], name[1], f"{name[2].upper()} {name[3].capitalize()}"])
            self.add("namesake_other_birth", "person", (name[0], number, birth), (spelled, "", self.other_birth(birth)),
                     "no_match", True)
        for _ in range(40):
            name, birth, _ = self.listed_person()
            self.add("namesake_other_id", "person", (name[0], self.id_number(birth), birth),
                     (r.choice([name[0], f"{name[2].upper()} {name[3].capitalize()}"]), self.id_number(birth), birth),
                     "no_match", True)
        for _ in range(40):
            name, birth, number = self.listed_person()
            other = self.person()
            while other[0] == name[0] or other[2] + other[3] == name[2] + name[3]:
                other = self.person()
            spelled = r.choice([other[0], f"{other[2].upper()} {other[3].capitalize()}"])
            self.add("different_person", "person", (name[0], number, birth), (spelled, "", birth), "no_match", False)
        for _ in range(40):
            # Same surname, one given-name character swapped for another: someone else, same birthday.
            surname, given, birth = r.choice(SURNAMES), self.given(), self.birth()
            other = list(given)
            i = r.randrange(len(given))
            other[i] = r.choice([g for g in GIVEN if g[2] != given[i][2]])
            registry = (surname[0] + "".join(g[0] for g in given), self.id_number(birth), birth)
            record = f"{surname[2].upper()} {''.join(g[2] for g in other).capitalize()}"
            self.add("similar_name_other_person", "person", registry, (record, "", birth), "no_match", False)
        for _ in range(30):
            name, birth, number = self.listed_person()
            self.add("name_only", "person", (name[0], number, birth),
                     (r.choice([name[0], name[1], f"{name[2].upper()} {name[3].capitalize()}"]), "", None), "no_match", True)

    def generate_identifiers(self) -> None:
        r = self.random
        for _ in range(30):
            name, birth, _ = self.listed_person()
            number = self.id_number(birth)
            record_name = r.choice([name[0], "", self.person()[0]])
            self.add("exact_id", "person", (name[0], number, birth), (record_name, number, r.choice([birth, None])),
                     "match", record_name == name[0])
        for _ in range(20):
            name, _, _ = self.listed_person()
            birth = date(1940, 1, 1) + timedelta(days=r.randrange(0, 365 * 59))
            number = self.id_number(birth)
            short = number[:6] + number[8:17]
            self.add("id_15digit", "person", (name[0], number, birth), (name[0], short, None), "match", True)
        for _ in range(30):
            name, birth, _ = self.listed_person()
            number = self.id_number(birth)
            broken = r.choice([
                number[:17] + ("0" if number[17] != "0" else "1"),  # check character
                number[:16],  # length
                number[:10] + "1399" + number[14:],  # not a date (month 13)
                number[:5] + "O" + number[6:],  # a letter
            ])
            self.add("invalid_id", "person", (name[0], number, birth), (name[0], broken, birth), "invalid", True)
        for _ in range(20):
            company = self.org_name()
            legal_rep_birth = self.birth()
            legal_rep = self.id_number(legal_rep_birth)
            self.add("bound_person", "organization", (company, self.credit_code(), None),
                     (self.person()[0], legal_rep, legal_rep_birth), "match", False, bound_id=legal_rep,
                     record_kind="person")

    # --- organisations ----------------------------------------------------------------------------
    def org_parts(self):
        r = self.random
        return r.choice(ORG_CITIES), r.choice(ORG_BRANDS), r.choice(ORG_TRADES), r.choice(ORG_FORMS)

    def org_name(self) -> str:
        city, brand, trade, form = self.org_parts()
        return city[0] + brand[0] + trade[0] + form[0][0]

    def org_pair(self, family: str, registry_name: str, record_name: str, same: bool = True) -> None:
        """Half the records carry a credit code (the listed one when ``same``), half only the name."""
        code = self.credit_code()
        if self.random.random() < 0.5:
            record_code = code if same else self.credit_code()
            self.add(family, "organization", (registry_name, code, None), (record_name, record_code, None),
                     "match" if same else "no_match", same)
        else:
            # A registered name is unique where it was registered: the same name is a review.
            self.add(family, "organization", (registry_name, code, None), (record_name, "", None),
                     "review" if same else "no_match", same)

    def generate_organizations(self) -> None:
        r = self.random
        for _ in range(30):
            city, brand, trade, form = self.org_parts()
            core = city[0] + brand[0] + trade[0]
            variants = form[0]
            self.org_pair("org_suffix", core + variants[0], core + r.choice(variants[1:]))
        for _ in range(12):
            brand = r.choice(ORG_LATIN_BRANDS)
            trade = r.choice(["Technology", "Trading", "Investment", "Logistics"])
            first, second = r.sample(ORG_LATIN_SUFFIXES, 2)
            self.org_pair("org_suffix", f"{brand} {trade} {first}", f"{brand.upper()} {trade.upper()} {second}")
        for _ in range(30):
            city, brand, trade, form = self.org_parts()
            registry = f"{brand[0]}（{city[0]}）{trade[0]}{form[0][0]}"
            record = r.choice([f"{brand[0]}({city[0]}){trade[0]}{form[0][0]}", f"{brand[0]} ({city[0]}) {trade[0]}{form[0][0]}",
                               f"{brand[0]}（{city[0]}）{trade[0]}{form[0][-1]}"])
            self.org_pair("org_brackets", registry, record)
        for _ in range(30):
            name = self.org_name()
            spaced = f"{name[:2]} {name[2:4]} {name[4:]}" if r.random() < 0.5 else f" {name[:2]}\u3000 {name[2:]} "
            self.org_pair("org_spaces", name, spaced)
        for _ in range(20):
            city, brand, trade, form = self.org_parts()
            self.org_pair("org_traditional", city[0] + brand[0] + trade[0] + form[0][0], city[1] + brand[1] + trade[1] + form[1])
        for _ in range(30):
            city, brand, trade, form = self.org_parts()
            other = r.choice([b for b in ORG_BRANDS if b != brand])
            self.org_pair("org_different", city[0] + brand[0] + trade[0] + form[0][0],
                          city[0] + other[0] + trade[0] + form[0][0], same=False)


def _hyphenate(given_pinyin: str, r: random.Random) -> str:
    for syllable in sorted({g[2] for g in GIVEN}, key=len, reverse=True):
        if given_pinyin.startswith(syllable) and len(given_pinyin) > len(syllable):
            rest = given_pinyin[len(syllable):]
            return f"{syllable.capitalize()}-{rest if r.random() < 0.5 else rest.capitalize()}"
    return given_pinyin.capitalize()


def generate(seed: int) -> list[dict[str, str]]:
    """All labelled pairs for ``seed``."""
    generator = Generator(seed)
    generator.generate_people()
    generator.generate_identifiers()
    generator.generate_organizations()
    return generator.rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20240505)
    parser.add_argument("--output", type=Path, default=ROOT / "tests/data/screening/labelled.csv")
    args = parser.parse_args()
    rows = generate(args.seed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} pairs to {args.output}")


if __name__ == "__main__":
    main()
