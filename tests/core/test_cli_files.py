"""The CLI with files that are wrong in some way: a clear line, an exit code as the README
says, nothing lost, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", database_url)
    return CliRunner()


def test_a_file_in_another_encoding_exits_2_naming_the_option(
    cli: CliRunner, tmp_path: Path
) -> None:
    source = tmp_path / "nps.csv"
    source.write_bytes("Opmerking\nGoed\nCafé was dicht\n".encode("cp1252"))
    done = cli.invoke(app, ["import", str(source), "--text", "Opmerking"])
    assert done.exit_code == 2
    assert "--encoding cp1252" in done.output
    assert "1 row is not valid" in " ".join(done.output.split())
    again = cli.invoke(app, ["import", str(source), "--text", "Opmerking", "--encoding", "cp1252"])
    assert again.exit_code == 0
    assert "imported 1, duplicates 1, rejected 0" in again.output


def test_an_empty_file_exits_1_and_says_so(cli: CliRunner, tmp_path: Path) -> None:
    for content in ("", "Opmerking\n"):
        source = tmp_path / "empty.csv"
        source.write_text(content)
        done = cli.invoke(app, ["import", str(source), "--text", "Opmerking"])
        assert done.exit_code == 1
        assert "no rows" in done.output


def test_exporting_into_a_missing_folder_is_a_clear_refusal(cli: CliRunner, tmp_path: Path) -> None:
    done = cli.invoke(app, ["ideas", "--csv", str(tmp_path / "nope" / "ideas.csv")])
    assert done.exit_code == 2
    assert "does not exist" in done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)


def test_checking_a_missing_prompt_folder_is_a_clear_refusal(tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["prompts", "check", str(tmp_path / "nope")])
    assert done.exit_code == 2
    assert "does not exist" in done.output
