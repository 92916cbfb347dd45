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


def write_records(path, count: int) -> None:
    """A few thousand records: listed, unlisted and invalid numbers, names with commas, quotes
    and line breaks, bad kinds and dates."""
    from datetime import date, timedelta

    from keepword.domain.identifiers import make_id_number

    names = ("张三", "Zhang, San", 'Big "Z"', "two\nlines", "曾小明", "", "李四")  # 7 against 6 templates
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["record_id", "kind", "name", "id_number", "birth_date"])
        for i in range(count):
            name = names[i % len(names)]
            unlisted = make_id_number("110105", date(1950, 1, 1) + timedelta(days=i * 7), i % 1000)
            writer.writerow([
                [f"R{i}", "person", name, "11010519491231002X", ""],
                [f"R{i}", "", name, unlisted, ""],
                [f"R{i}", "person", name, "110105194912310021", ""],
                [f"R{i}", "person", name, "", "1980-05-06"],
                [f"R{i}", "robot", name, unlisted, ""],
                [f"R,{i}", "person", name, unlisted, "32/13/1990"],
            ][i % 6])


def test_screen_with_several_jobs_writes_what_one_job_writes(tmp_path):
    _load_commands()
    (tmp_path / "registry.csv").write_text(REGISTRY, encoding="utf-8")
    write_records(tmp_path / "records.csv", 3000)
    outputs = {}
    for jobs in ("1", "2"):
        outputs[jobs] = tmp_path / f"results-{jobs}.csv"
        result = CliRunner().invoke(app, ["screen", "--registry", str(tmp_path / "registry.csv"), "--jobs", jobs,
                                          "--input", str(tmp_path / "records.csv"), "--output", str(outputs[jobs])])
        assert result.exit_code == 0, result.output
        assert "3,000 records" in result.output
    assert outputs["2"].read_bytes() == outputs["1"].read_bytes()
    rows = list(csv.DictReader(outputs["2"].open(encoding="utf-8", newline="")))
    assert [row["record_id"] for row in rows[:7]] == ["R0", "R1", "R2", "R3", "R4", "R,5", "R6"]
    assert {row["decision"] for row in rows} == {"match", "review", "no_match", "invalid"}
    assert rows[4]["decision"] == "invalid" and "kind" in rows[4]["reason"]
    assert rows[5]["decision"] == "invalid" and "birth_date" in rows[5]["reason"]


def test_screen_leaves_no_output_when_the_input_cannot_be_read(tmp_path):
    _load_commands()
    (tmp_path / "registry.csv").write_text(REGISTRY, encoding="utf-8")
    write_records(tmp_path / "records.csv", 3000)
    with open(tmp_path / "records.csv", "ab") as records:
        records.write(b"R-last,person,\xff\xfe,,\n")
    out = tmp_path / "results.csv"
    result = CliRunner().invoke(app, ["screen", "--registry", str(tmp_path / "registry.csv"), "--jobs", "2",
                                      "--input", str(tmp_path / "records.csv"), "--output", str(out)])
    assert result.exit_code == 1
    assert "input file" in result.output and "utf-8" in result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["records.csv", "registry.csv"]
