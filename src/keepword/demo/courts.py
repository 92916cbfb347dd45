"""The demo court hierarchy: the Supreme People's Court, seven High courts, their Intermediate and Basic courts.

Court ids follow the administrative region code of the court's seat (``330102`` for Hangzhou
Shangcheng); the case-number prefix (``浙0102``) is the province abbreviation plus the court's code.
"""

from __future__ import annotations

from dataclasses import dataclass

from keepword.domain.courts import Court

SUPREME_ID = "000000"

#: province -> (high court id, abbreviation used in case numbers, full name of the province)
PROVINCES = {
    "北京": ("110000", "京", "北京市"),
    "上海": ("310000", "沪", "上海市"),
    "浙江": ("330000", "浙", "浙江省"),
    "广东": ("440000", "粤", "广东省"),
    "四川": ("510000", "川", "四川省"),
    "湖北": ("420000", "鄂", "湖北省"),
    "江苏": ("320000", "苏", "江苏省"),
}

#: (province, intermediate id, intermediate name, [(basic id, basic name), ...])
_TREE = (
    ("北京", "110100", "北京市第一中级人民法院", [("110108", "北京市海淀区人民法院"), ("110107", "北京市石景山区人民法院")]),
    ("北京", "110200", "北京市第二中级人民法院", [("110101", "北京市东城区人民法院"), ("110106", "北京市丰台区人民法院")]),
    ("北京", "110300", "北京市第三中级人民法院", [("110105", "北京市朝阳区人民法院")]),
    ("上海", "310100", "上海市第一中级人民法院", [("310104", "上海市徐汇区人民法院"), ("310105", "上海市长宁区人民法院"),
                                            ("310112", "上海市闵行区人民法院")]),
    ("上海", "310200", "上海市第二中级人民法院", [("310101", "上海市黄浦区人民法院"), ("310106", "上海市静安区人民法院")]),
    ("浙江", "330100", "杭州市中级人民法院", [("330102", "杭州市上城区人民法院"), ("330106", "杭州市西湖区人民法院"),
                                          ("330110", "杭州市余杭区人民法院")]),
    ("浙江", "330200", "宁波市中级人民法院", [("330203", "宁波市海曙区人民法院"), ("330212", "宁波市鄞州区人民法院")]),
    ("浙江", "330300", "温州市中级人民法院", [("330302", "温州市鹿城区人民法院"), ("330324", "永嘉县人民法院")]),
    ("广东", "440100", "广州市中级人民法院", [("440106", "广州市天河区人民法院"), ("440104", "广州市越秀区人民法院"),
                                          ("440105", "广州市海珠区人民法院")]),
    ("广东", "440300", "深圳市中级人民法院", [("440304", "深圳市福田区人民法院"), ("440305", "深圳市南山区人民法院"),
                                          ("440303", "深圳市罗湖区人民法院")]),
    ("四川", "510100", "成都市中级人民法院", [("510104", "成都市锦江区人民法院"), ("510107", "成都市武侯区人民法院"),
                                          ("510121", "金堂县人民法院")]),
    ("四川", "510700", "绵阳市中级人民法院", [("510703", "绵阳市涪城区人民法院")]),
    ("湖北", "420100", "武汉市中级人民法院", [("420102", "武汉市江岸区人民法院"), ("420106", "武汉市武昌区人民法院"),
                                          ("420111", "武汉市洪山区人民法院")]),
    ("湖北", "420500", "宜昌市中级人民法院", [("420502", "宜昌市西陵区人民法院")]),
    ("江苏", "320100", "南京市中级人民法院", [("320102", "南京市玄武区人民法院"), ("320106", "南京市鼓楼区人民法院")]),
    ("江苏", "320500", "苏州市中级人民法院", [("320508", "苏州市姑苏区人民法院"), ("320506", "苏州市吴中区人民法院")]),
)

#: Seat city of each intermediate court, used for company and bank names.
CITY_OF = {
    "110100": "北京", "110200": "北京", "110300": "北京", "310100": "上海", "310200": "上海", "330100": "杭州",
    "330200": "宁波", "330300": "温州", "440100": "广州", "440300": "深圳", "510100": "成都", "510700": "绵阳",
    "420100": "武汉", "420500": "宜昌", "320100": "南京", "320500": "苏州",
}


@dataclass(frozen=True)
class DemoCourt:
    """A court with what case numbers and party data need: its province, city and case-number prefix."""

    court: Court
    prefix: str
    city: str

    @property
    def id(self) -> str:
        return self.court.id

    @property
    def locality(self) -> str:
        """The place the court serves, for addresses: ``杭州市上城区``."""
        return self.court.name.removesuffix("人民法院") if self.court.level == "basic" else f"{self.city}市"

    @property
    def region(self) -> str:
        return self.court.id if self.court.id != SUPREME_ID else "110000"

    def case_number(self, year: int, sequence: int) -> str:
        """An enforcement case number such as ``（2023）浙0102执1234号``."""
        return f"（{year}）{self.prefix}执{sequence}号"


def demo_courts() -> list[DemoCourt]:
    """Every demo court, parents before children."""
    out = [DemoCourt(Court(id=SUPREME_ID, name="最高人民法院", province="全国", level="supreme"), "最高法", "北京")]
    for province, (high_id, abbreviation, full_name) in PROVINCES.items():
        out.append(DemoCourt(Court(id=high_id, name=f"{full_name}高级人民法院", province=province, level="high",
                                   parent_id=SUPREME_ID), abbreviation, _first_city(province)))
    for province, mid_id, mid_name, basics in _TREE:
        abbreviation = PROVINCES[province][1]
        out.append(DemoCourt(Court(id=mid_id, name=mid_name, province=province, level="intermediate",
                                   parent_id=PROVINCES[province][0]), abbreviation + mid_id[2:4], CITY_OF[mid_id]))
        for basic_id, basic_name in basics:
            basic = Court(id=basic_id, name=basic_name, province=province, level="basic", parent_id=mid_id)
            out.append(DemoCourt(basic, abbreviation + basic_id[2:], CITY_OF[mid_id]))
    return out


def _first_city(province: str) -> str:
    return next(CITY_OF[mid] for p, mid, _, _ in _TREE if p == province)
