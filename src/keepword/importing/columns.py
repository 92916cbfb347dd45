"""The columns of a case import file, their Chinese aliases, and finding the header row.

Courts export from different systems, so a header cell is matched after folding case, spaces,
underscores, hyphens and brackets: ``Debtor ID``, ``debtor_id`` and ``被执行人证件号码`` all name
the same column. Columns that match nothing are ignored (exports often carry 序号, 备注, ...).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from keepword.domain.errors import ValidationFailed

#: Canonical column names in the order a template lists them, with the Chinese label a template uses.
COLUMNS: dict[str, str] = {
    "court_id": "法院代码",
    "case_number": "案号",
    "filed_on": "立案日期",
    "judgment_date": "判决日期",
    "effective_date": "生效日期",
    "amount": "标的金额",
    "currency": "币种",
    "obligation_text": "生效法律文书确定的义务",
    "creditor_kind": "申请执行人类型",
    "creditor_name": "申请执行人",
    "creditor_id": "申请执行人证件号码",
    "debtor_kind": "被执行人类型",
    "debtor_name": "被执行人",
    "debtor_id": "被执行人证件号码",
    "debtor_phones": "被执行人电话",
    "debtor_legal_representative": "法定代表人",
    "debtor_legal_representative_id": "法定代表人身份证号",
}

#: Columns a file must have. ``court_id`` may be left out when the import names the court (--court).
REQUIRED = (
    "court_id", "case_number", "filed_on", "judgment_date", "effective_date", "amount",
    "creditor_kind", "creditor_name", "creditor_id", "debtor_kind", "debtor_name", "debtor_id",
)

_ALIASES: dict[str, tuple[str, ...]] = {
    "court_id": ("court", "court code", "法院编码", "执行法院代码", "法院编号"),
    "case_number": ("case no", "case", "执行案号", "案件编号"),
    "filed_on": ("filing date", "filed", "立案时间", "执行立案日期"),
    "judgment_date": ("judgment", "裁判日期", "判决时间", "作出日期", "执行依据作出日期"),
    "effective_date": ("effective", "生效时间", "执行依据生效日期"),
    "amount": ("obligation", "执行标的", "执行标的金额", "标的额", "金额", "执行金额"),
    "obligation_text": ("obligation text", "义务内容", "执行依据确定的义务", "生效法律文书确定的义务内容"),
    "creditor_kind": ("申请人类型", "申请执行人类别"),
    "creditor_name": ("creditor", "申请执行人名称", "申请执行人姓名", "申请执行人姓名名称", "申请人"),
    "creditor_id": ("creditor identifier", "申请执行人身份证号", "申请执行人身份证号码",
                    "申请执行人统一社会信用代码", "申请执行人身份证号统一社会信用代码"),
    "debtor_kind": ("被执行人类别", "主体类型", "当事人类型"),
    "debtor_name": ("debtor", "被执行人姓名", "被执行人名称", "被执行人姓名名称", "姓名", "名称", "姓名名称"),
    "debtor_id": ("debtor identifier", "被执行人身份证号", "被执行人身份证号码", "被执行人统一社会信用代码",
                  "被执行人身份证号统一社会信用代码", "身份证号", "身份证号码", "统一社会信用代码",
                  "身份证号统一社会信用代码", "证件号码"),
    "debtor_phones": ("phones", "phone", "被执行人联系电话", "联系电话", "电话", "手机号", "手机号码"),
    "debtor_legal_representative": ("legal representative", "法定代表人姓名", "法定代表人或负责人",
                                    "法定代表人或负责人姓名", "被执行人法定代表人"),
    "debtor_legal_representative_id": ("legal representative id", "法定代表人身份证号码", "法定代表人证件号码"),
}

_FOLD = re.compile(r"[\s_\-—/／()（）【】\[\]:：*]+")


def fold_header(cell: object) -> str:
    """A header cell reduced to what tells columns apart: lower case, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", str(cell or "")).replace("\ufeff", "")
    return _FOLD.sub("", text).lower()


_LOOKUP: dict[str, str] = {}
for _name, _label in COLUMNS.items():
    for _alias in (_name, _label, *_ALIASES.get(_name, ())):
        _LOOKUP[fold_header(_alias)] = _name


def column_for(cell: object) -> str | None:
    """The canonical column a header cell names, or None."""
    return _LOOKUP.get(fold_header(cell))


@dataclass(frozen=True)
class Header:
    """Where the header row is and which column each cell position holds."""

    line: int  # 1-based line of the header row
    positions: dict[int, str]  # cell index -> canonical column
    ignored: tuple[str, ...]  # header cells that name no column

    @property
    def columns(self) -> frozenset[str]:
        return frozenset(self.positions.values())


def read_header(cells: Sequence[object], line: int) -> Header:
    """Map one header row; two cells naming the same column are an error."""
    positions: dict[int, str] = {}
    seen: dict[str, str] = {}
    ignored = []
    for index, cell in enumerate(cells):
        if cell is None or not str(cell).strip():
            continue
        name = column_for(cell)
        if name is None:
            ignored.append(str(cell).strip())
            continue
        if name in seen:
            raise ValidationFailed("header", f"columns {seen[name]!r} and {str(cell).strip()!r} both mean {name}")
        seen[name] = str(cell).strip()
        positions[index] = name
    return Header(line=line, positions=positions, ignored=tuple(ignored))


#: How many lines may come before the header (a title such as "XX法院执行案件导入表").
HEADER_SEARCH_LINES = 10


def is_header_row(cells: Sequence[object]) -> bool:
    """A row is taken as the header when at least three cells name known columns."""
    return sum(1 for cell in cells if cell is not None and column_for(cell)) >= 3


def missing_columns(columns: frozenset[str] | set[str], *, court_given: bool) -> list[str]:
    """Required columns the file lacks (``court_id`` is not needed when the import names the court)."""
    return [c for c in REQUIRED if c not in columns and not (c == "court_id" and court_given)]


def require_columns(columns: frozenset[str] | set[str], *, court_given: bool) -> None:
    """Raise naming every required column the file lacks, with its Chinese header."""
    missing = missing_columns(columns, court_given=court_given)
    if missing:
        named = ", ".join(f"{c} ({COLUMNS[c]})" for c in missing)
        raise ValidationFailed("header", f"missing required column{'s' if len(missing) > 1 else ''}: {named}")
