"""`keepword screen` end to end: a customer file against a registry file."""

import csv

from typer.testing import CliRunner

from keepword.cli import _load_commands, app

REGISTRY = """entry_id,kind,name,id_number,birth_date
E1,person,张三,11010519491231002X,1949-12-31
E2,person,曾小明,,1980-05-06
"""
RECORDS = """record_id,kind,name,id_number,birth_date
R1,person,张三,11010519491231002X,
R2,person,ZENG Xiaoming,,1980-05-06
R3,person,曾小明,,1990-01-01
R4,person,李四,110105194912310021,
R5,person,张三,,
"""


def test_screen_decides_per_record_and_never_matches_a_name_alone(tmp_path):
    _load_commands()
    (tmp_path / "registry.csv").write_text(REGISTRY, encoding="utf-8")
    (tmp_path / "records.csv").write_text(RECORDS, encoding="utf-8")
    out = tmp_path / "results.csv"
    result = CliRunner().invoke(app, ["screen", "--registry", str(tmp_path / "registry.csv"),
                                      "--input", str(tmp_path / "records.csv"), "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = {r["record_id"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert list(next(csv.reader(out.open(encoding="utf-8")))) == ["record_id", "decision", "entry_id", "score", "reason"]
    assert (rows["R1"]["decision"], rows["R1"]["entry_id"]) == ("match", "E1")
    assert rows["R2"]["decision"] == "review"
    assert rows["R3"]["decision"] == "no_match"
    assert rows["R4"]["decision"] == "invalid" and "checksum" in rows["R4"]["reason"]
    assert rows["R5"]["decision"] != "match"
