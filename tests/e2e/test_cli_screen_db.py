"""`keepword screen --db` end to end: a customer file against the registry database as it is now."""

import csv

from typer.testing import CliRunner

from feed_support import listed_debtor, pay_in_full
from keepword.cli import _load_commands, app


def screen(*args: str):
    _load_commands()
    return CliRunner().invoke(app, ["screen", *args])


def said(result) -> str:
    """The command's output with the terminal's line wrapping undone."""
    return " ".join(result.output.split())


def test_screen_against_the_database_matches_listed_debtors_only(engine, ctx, tmp_path):
    listed = listed_debtor(ctx, ringback=False).debtors[0].party
    paid_case = listed_debtor(ctx, ringback=False)
    paid = paid_case.debtors[0].party
    pay_in_full(ctx, paid_case)
    records = tmp_path / "records.csv"
    records.write_text("record_id,kind,name,id_number,birth_date\n"
                       f"R1,person,{listed.name},{listed.id_number},\n"
                       f"R2,person,{paid.name},{paid.id_number},\n"
                       "R3,person,李四,110105194912310021,\n", encoding="utf-8")
    out = tmp_path / "results.csv"

    result = screen("--db", engine.url.render_as_string(hide_password=False), "--input", str(records),
                    "--output", str(out))

    assert result.exit_code == 0, result.output
    assert "indexed 1 entries" in said(result) and "screened 3 records" in said(result)
    rows = {r["record_id"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert (rows["R1"]["decision"], rows["R1"]["entry_id"]) == ("match", listed.id)
    assert rows["R2"]["decision"] == "no_match", "paid in full and delisted"
    assert rows["R3"]["decision"] == "invalid"


def test_screen_needs_exactly_one_of_a_registry_file_and_a_database(tmp_path):
    records = tmp_path / "records.csv"
    records.write_text("record_id,name\nR1,张三\n", encoding="utf-8")
    registry = tmp_path / "registry.csv"
    registry.write_text("entry_id,kind,name,id_number\n", encoding="utf-8")
    out = str(tmp_path / "results.csv")

    neither = screen("--input", str(records), "--output", out)
    both = screen("--registry", str(registry), "--db", f"sqlite:///{tmp_path / 'x.db'}", "--input", str(records),
                  "--output", out)

    for result in (neither, both):
        assert result.exit_code == 1
        assert "exactly one of --registry REGISTRY.csv or --db URL" in said(result)
    assert not (tmp_path / "results.csv").exists()


def test_screen_against_a_database_without_a_registry_says_so(tmp_path):
    records = tmp_path / "records.csv"
    records.write_text("record_id,name\nR1,张三\n", encoding="utf-8")

    result = screen("--db", f"sqlite:///{tmp_path / 'empty.db'}", "--input", str(records),
                    "--output", str(tmp_path / "results.csv"))

    assert result.exit_code == 1
    assert "no keepword registry" in said(result) and "keepword init" in said(result)
