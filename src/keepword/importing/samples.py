"""Valid synthetic import rows and files (tests, benchmarks, examples in the docs).

Identifiers are built with real region codes, so every row passes validation; a handful of
creditors (banks, a company, people) recur across rows as they do in a real batch.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

from keepword.domain.identifiers import make_credit_code, make_id_number
from keepword.importing.columns import COLUMNS

REGIONS = ("110101", "310101", "330102", "440305", "510104")
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
_COMPANIES = ("科技", "贸易", "建设", "餐饮", "物流", "实业", "文化传媒", "电子")


class SampleFactory:
    """Deterministic rows for one court; identifiers never repeat unless reuse is asked for."""

    def __init__(self, seed: int = 0, court_id: str = "330102", year: int = 2023) -> None:
        self.random = random.Random(seed)
        self.court_id = court_id
        self.year = year
        self._used: set[str] = set()
        self.creditors = [self.organization("银行"), self.organization("银行"), self.organization("小额贷款"),
                          self.person(), self.person()]

    def id_number(self) -> str:
        while True:
            birth = date(1950, 1, 1) + timedelta(days=self.random.randrange(0, 365 * 50))
            number = make_id_number(self.random.choice(REGIONS), birth, self.random.randrange(1000))
            if number not in self._used:
                self._used.add(number)
                return number

    def credit_code(self) -> str:
        while True:
            body = f"{self.random.randrange(10 ** 8):08d}"
            code = make_credit_code("9", "1", self.random.choice(REGIONS), body)
            if code not in self._used:
                self._used.add(code)
                return code

    def name(self) -> str:
        return self.random.choice(_SURNAMES) + "".join(self.random.choices(_GIVEN, k=self.random.randint(1, 2)))

    def person(self) -> dict:
        return {"kind": "person", "name": self.name(), "id": self.id_number()}

    def organization(self, trade: str | None = None) -> dict:
        city = self.random.choice(("杭州", "上海", "北京", "深圳", "成都"))
        trade = trade or self.random.choice(_COMPANIES)
        suffix = "股份有限公司" if trade == "银行" else "有限公司"
        return {"kind": "organization", "name": f"{city}{self.name()}{trade}{suffix}", "id": self.credit_code()}

    def phone(self) -> str:
        return f"1{self.random.choice('3589')}{self.random.randrange(10 ** 9):09d}"

    def row(self, number: int) -> dict:
        """One valid row: case ``(YEAR)浙0102执NUMBER号`` for a person or (one in five) a company."""
        judged = date(self.year, 1, 1) + timedelta(days=self.random.randrange(0, 200))
        effective = judged + timedelta(days=self.random.randint(10, 30))
        filed = effective + timedelta(days=self.random.randint(1, 60))
        creditor = self.random.choice(self.creditors)
        company = self.random.random() < 0.2
        debtor = self.organization() if company else self.person()
        representative = self.person() if company else None
        amount = f"{self.random.randint(1_000, 2_000_000)}.{self.random.randrange(100):02d}"
        return {
            "court_id": self.court_id,
            "case_number": f"({self.year})浙0102执{number}号",
            "filed_on": filed.isoformat(),
            "judgment_date": judged.isoformat(),
            "effective_date": effective.isoformat(),
            "amount": amount,
            "currency": "CNY",
            "obligation_text": f"支付欠款{amount}元及利息",
            "creditor_kind": creditor["kind"],
            "creditor_name": creditor["name"],
            "creditor_id": creditor["id"],
            "debtor_kind": debtor["kind"],
            "debtor_name": debtor["name"],
            "debtor_id": debtor["id"],
            "debtor_phones": ";".join(self.phone() for _ in range(self.random.randint(0, 2))),
            "debtor_legal_representative": representative["name"] if representative else "",
            "debtor_legal_representative_id": representative["id"] if representative else "",
        }

    def rows(self, count: int, first_number: int = 1) -> list[dict]:
        return [self.row(first_number + i) for i in range(count)]


def sample_rows(count: int, *, seed: int = 0, court_id: str = "330102", year: int = 2023) -> list[dict]:
    """``count`` valid rows keyed by the canonical column names, values as text."""
    return SampleFactory(seed, court_id, year).rows(count)


def _columns(rows: list[dict]) -> list[str]:
    """The template's columns that the rows have, in template order."""
    present = set().union(*rows) if rows else set(COLUMNS)
    return [name for name in COLUMNS if name in present]


def write_csv(path: str | Path, rows: Iterable[dict], *, encoding: str = "utf-8",
              chinese_headers: bool = False) -> Path:
    """Write rows as CSV; ``encoding="utf-8-sig"`` or ``"gb18030"`` as Excel on a Chinese system writes them."""
    rows, path = list(rows), Path(path)
    columns = _columns(rows)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([COLUMNS[c] if chinese_headers else c for c in columns])
        for row in rows:
            writer.writerow([row.get(name, "") for name in columns])
    return path


def write_xlsx(path: str | Path, rows: Iterable[dict], *, chinese_headers: bool = False, title: str | None = None,
               date_cells: bool = True) -> Path:
    """Write rows as an Excel workbook: dates as date cells, identifiers as text, amounts as numbers."""
    from openpyxl import Workbook

    rows = list(rows)
    columns = _columns(rows)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("cases")
    if title:
        sheet.append([title])
    sheet.append([COLUMNS[c] if chinese_headers else c for c in columns])
    for row in rows:
        cells = []
        for name in columns:
            value = row.get(name, "")
            if date_cells and name in ("filed_on", "judgment_date", "effective_date") and value:
                value = date.fromisoformat(value)
            elif name == "amount" and value:
                value = float(value)
            cells.append(value)
        sheet.append(cells)
    workbook.save(path)
    return Path(path)
