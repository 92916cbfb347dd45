"""Shared data for the screening tests: valid identifiers built with the domain helpers."""

from __future__ import annotations

from datetime import date

from keepword.domain.identifiers import make_credit_code, make_id_number
from keepword.screening import RegistryEntry

ON = date(2025, 6, 30)
ZHANG_SAN_BIRTH = date(1980, 5, 17)
ZHANG_SAN_ID = make_id_number("110101", ZHANG_SAN_BIRTH, 123)
NAMESAKE_ID = make_id_number("310104", ZHANG_SAN_BIRTH, 457)  # another 张三, same birthday, not listed
ZENG_BIRTH = date(1990, 3, 4)
LEGAL_REP_ID = make_id_number("440103", date(1970, 1, 2), 11)
CONTROLLER_ID = make_id_number("510107", date(1965, 8, 9), 32)
HUAXIN_CODE = make_credit_code("9", "1", "110108", "MA01ABCD")
UNLISTED_CODE = make_credit_code("9", "1", "110108", "MA01ABCE")
OLD_ID_BIRTH = date(1962, 11, 30)
OLD_ID_18 = make_id_number("320102", OLD_ID_BIRTH, 318)
OLD_ID_15 = OLD_ID_18[:6] + OLD_ID_18[8:17]
SECRET = "shared-secret-for-tests"


def registry_entries() -> list[RegistryEntry]:
    return [
        RegistryEntry("E1", "person", "张三", ZHANG_SAN_ID, ZHANG_SAN_BIRTH),
        RegistryEntry("E2", "person", "曾小明", "", ZENG_BIRTH),  # no ID number on file
        RegistryEntry("E3", "organization", "北京华信科技有限责任公司", HUAXIN_CODE,
                      bound_persons=(("legal_representative", LEGAL_REP_ID), ("actual_controller", CONTROLLER_ID))),
        RegistryEntry("E4", "person", "王五", OLD_ID_18, categories=("consumption_restricted", "exit_restricted")),
        RegistryEntry("E5", "person", "赵六", make_id_number("110105", date(1975, 1, 1), 1),
                      in_force_from=date(2020, 1, 1), in_force_until=date(2021, 12, 31)),
    ]
