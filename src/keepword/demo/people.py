"""Demo parties: Chinese persons with valid ID numbers, companies with valid credit codes, banks.

Names, streets and phone prefixes come from Faker's zh_CN data (surnames weighted by frequency),
drawn with the demo's seeded random, so that a seed gives the same people every time (and faster
than through a Faker generator).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from itertools import accumulate

from faker.providers.address.zh_CN import Provider as AddressData
from faker.providers.company.zh_CN import Provider as CompanyData
from faker.providers.person.zh_CN import Provider as PersonData
from faker.providers.phone_number.zh_CN import Provider as PhoneData

from keepword.demo.regions import county_name, regions_for, rural_counties
from keepword.domain.identifiers import CREDIT_CODE_ALPHABET, id_number_check_char, make_credit_code
from keepword.domain.parties import BoundPerson, Party

_SURNAMES = list(PersonData.last_names)
_SURNAME_WEIGHTS = list(accumulate(PersonData.last_names.values()))
_MALE = [n for n in PersonData.first_names_male]
_FEMALE = [n for n in PersonData.first_names_female]
# Faker's prefixes include a few with a city or "公司" in them; company names add their own.
_BRANDS = [p for p in CompanyData.company_prefixes if 2 <= len(p) <= 4 and "公司" not in p and "国际" not in p]
_INDUSTRIES = ("科技", "网络科技", "贸易", "商贸", "建筑工程", "装饰工程", "房地产开发", "餐饮管理", "物流", "实业",
               "电子", "服饰", "机械设备", "食品", "文化传媒", "供应链管理", "新能源", "医疗器械", "汽车销售", "置业")
_COMPANY_FORMS = ("有限公司",) * 8 + ("有限责任公司", "股份有限公司")
_BANKS = ("中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "招商银行", "中信银行",
          "上海浦东发展银行", "平安银行", "兴业银行")
_PHONE_PREFIXES = [str(p) for p in PhoneData.phonenumber_prefixes] + ["177", "178", "191", "199", "198"]
_ORG_BODY_CHARS = CREDIT_CODE_ALPHABET
# Streets named after cities (南京路, 延安路) and the names every Chinese city has (人民路, 解放路).
_STREETS = [f"{city}{kind}" for city in AddressData.cities for kind in AddressData.street_suffixes] + [
    "人民路", "解放路", "中山路", "建设路", "新华路", "和平路", "胜利路", "文化路", "青年路", "朝阳路", "学院路",
    "工业路", "东风路", "光明路", "幸福路", "环城路", "滨江大道", "世纪大道", "文三路", "体育场路"]


class PartyMaker:
    """Makes parties whose identifiers are valid and unique within one demo run."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.company_names: set[str] = set()
        self.creditor_orgs: dict[str, list[Party]] = {}

    # ---- persons ----------------------------------------------------------------------------
    def person_name(self, male: bool) -> str:
        rng = self.rng
        surname = rng.choices(_SURNAMES, cum_weights=_SURNAME_WEIGHTS)[0]
        pool = _MALE if male else _FEMALE
        given = rng.choice(pool)
        if len(given) == 1 and rng.random() < 0.55:
            given += rng.choice(pool)
        return surname + given

    def id_number(self, province: str, on: date, min_age: int = 22, max_age: int = 68, male: bool | None = None) -> str:
        """A valid, unused ID number of someone aged ``min_age``-``max_age`` on ``on``."""
        rng = self.rng
        male = rng.random() < 0.62 if male is None else male
        while True:
            age_days = rng.randint(min_age * 366, max_age * 365)
            birth = on - timedelta(days=age_days)
            local, migrant = regions_for(province, birth.year)
            region = rng.choice(local) if local and rng.random() < 0.75 else rng.choice(migrant)
            sequence = rng.randrange(1 if male else 0, 1000, 2)
            # make_id_number(region, birth, sequence) without its region, sequence and year checks: the region
            # is in use in the birth year (regions_for), the sequence is in range, and the parties and bound
            # persons made from it validate the whole number.
            first17 = f"{region}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
            number = first17 + id_number_check_char(first17)
            if number not in self.used:
                self.used.add(number)
                return number

    def phone(self) -> str:
        return self.rng.choice(_PHONE_PREFIXES) + f"{self.rng.randrange(10 ** 8):08d}"

    def address(self, locality: str) -> str:
        return f"{locality}{self.rng.choice(_STREETS)}{self.rng.randint(1, 999)}号"

    def person(self, province: str, locality: str, on: date, phones: int = 0) -> Party:
        male = self.rng.random() < 0.62
        number = self.id_number(province, on, male=male)
        return Party.person(self.person_name(male), number, [self.phone() for _ in range(phones)],
                            self.address(locality))

    # ---- organisations ----------------------------------------------------------------------
    def credit_code(self, region: str, authority: str = "9", entity_type: str = "1") -> str:
        rng = self.rng
        while True:
            if rng.random() < 0.6:  # codes issued since 2015 carry an "MA" organisation body
                body = "MA" + "".join(rng.choice(_ORG_BODY_CHARS) for _ in range(6))
            else:
                body = f"{rng.randrange(10 ** 8):08d}"
            code = make_credit_code(authority, entity_type, region, body)
            if code not in self.used:
                self.used.add(code)
                return code

    def company_name(self, city: str, kind: str | None = None) -> str:
        while True:
            business = kind or self.rng.choice(_INDUSTRIES) + self.rng.choice(_COMPANY_FORMS)
            name = f"{city}{self.rng.choice(_BRANDS)}{business}"
            if name not in self.company_names:
                self.company_names.add(name)
                return name

    def bound_person(self, role: str, province: str, on: date) -> BoundPerson:
        male = self.rng.random() < 0.75
        return BoundPerson(role=role, name=self.person_name(male),
                           id_number=self.id_number(province, on, min_age=28, max_age=66, male=male))

    def company(self, province: str, city: str, locality: str, region: str, on: date, phones: int = 0) -> Party:
        """A company with its legal representative (and sometimes its actual controller)."""
        bound = [self.bound_person("legal_representative", province, on)]
        if self.rng.random() < 0.3:
            bound.append(self.bound_person("actual_controller", province, on))
        counties = rural_counties(province)
        if counties and self.rng.random() < 0.06:
            # Farmers' cooperatives: registered by agriculture authorities, so their codes start with a letter.
            county = self.rng.choice(counties)
            name = self.company_name(county_name(county), "农民专业合作社")
            code = self.credit_code(county, authority="N", entity_type="2")
        else:
            name, code = self.company_name(city), self.credit_code(region)
        return Party.organization(name, code, bound, [self.phone() for _ in range(phones)], self.address(locality))

    def creditor_organization(self, province: str, city: str, locality: str, region: str, on: date) -> Party:
        """Banks, lenders and suppliers bring many cases: reuse one of a city's few when there are some."""
        known = self.creditor_orgs.setdefault(city, [])
        if len(known) >= 6 and self.rng.random() < 0.8:
            return self.rng.choice(known)
        if self.rng.random() < 0.5:
            bank = self.rng.choice(_BANKS)
            name = f"{bank}股份有限公司{city}分行"
            if any(p.name == name for p in known):
                return next(p for p in known if p.name == name)
            head = [self.bound_person("principal_in_charge", province, on)]
            party = Party.organization(name, self.credit_code(region[:4] + "00"), head, [], self.address(locality))
        elif self.rng.random() < 0.4:
            name = self.company_name(city, "小额贷款股份有限公司")
            head = [self.bound_person("legal_representative", province, on)]
            party = Party.organization(name, self.credit_code(region), head, [], self.address(locality))
        else:
            party = self.company(province, city, locality, region, on)
        known.append(party)
        return party
