from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.engine.prompts import PromptFileError, load_library
from bot.i18n import Catalog
from bot.intake.normalise import STEPS


def test_the_library_has_enough_prompts_per_language_and_covers_the_journey() -> None:
    library = load_library()
    for language in ("nl", "en"):
        prompts = library.of(language)
        assert len(prompts) >= 60
        assert {p.kind for p in prompts} == {"waarom", "zo", "quote"}
        assert {p.step for p in prompts if p.step} == set(STEPS)
        tags = {tag for p in prompts for tag in p.tags}
        assert {"sacrifice", "difference", "inward", "ways-of-working"} <= tags
        assert all("{quote}" in p.text for p in library.of(language, "quote"))


def _write(root: Path, language: str, kind: str, body: str) -> None:
    folder = root / language
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{kind}.yaml").write_text(body, encoding="utf-8")


GOOD = """language: en
entries:
  - id: en-waarom-one
    kind: waarom
    text: Why do we ask customers for their number twice?
    tags: [ways-of-working]
    keywords: [number, form]
"""


def test_a_broken_file_names_the_file_the_entry_and_the_problem(tmp_path: Path) -> None:
    _write(tmp_path, "en", "waarom", GOOD)
    _write(
        tmp_path,
        "en",
        "quote",
        """language: en
entries:
  - id: en-quote-fine
    kind: quote
    text: "A customer said {quote} — what did they give up?"
    tags: [sacrifice]
    keywords: [time, effort]
  - id: en-quote-no-placeholder
    kind: quote
    text: A customer said something, but the quote is missing here.
    tags: [sacrifice]
    keywords: [time, effort]
  - id: en-quote-bad-tag
    kind: quote
    text: "{quote} and {customer_name} said so"
    tags: [grumpy]
    keywords: [time, effort]
""",
    )
    with pytest.raises(PromptFileError) as caught:
        load_library(tmp_path)
    problems = caught.value.problems
    assert (
        "prompts/en/quote.yaml: entry 2 (en-quote-no-placeholder): a quote prompt needs {quote}"
        in problems
    )
    assert any(
        p.startswith("prompts/en/quote.yaml: entry 3 (en-quote-bad-tag): tags") and "grumpy" in p
        for p in problems
    )


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    _write(tmp_path, "nl", "zo", "language: nl\nentries:\n  - id: [unclosed\n")
    with pytest.raises(PromptFileError, match=r"prompts/nl/zo.yaml: line \d+ not valid YAML"):
        load_library(tmp_path)


def test_duplicate_ids_and_wrong_folder_language_are_caught(tmp_path: Path) -> None:
    _write(tmp_path, "en", "waarom", GOOD)
    _write(tmp_path, "nl", "waarom", GOOD)
    with pytest.raises(PromptFileError) as caught:
        load_library(tmp_path)
    assert "prompts/nl/waarom.yaml: language 'en' in folder 'nl'" in caught.value.problems


def test_prompts_check_command(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["prompts", "check"])
    assert ok.exit_code == 0, ok.output
    assert "valid" in ok.output
    _write(tmp_path, "en", "waarom", GOOD.replace("tags: [ways-of-working]", "tags: []"))
    bad = runner.invoke(app, ["prompts", "check", str(tmp_path)])
    assert bad.exit_code == 1
    assert "prompts/en/waarom.yaml: entry 1 (en-waarom-one): tags" in bad.output


def test_every_catalog_has_the_same_keys() -> None:
    catalog = Catalog.load()
    assert catalog.languages == ["en", "nl"]
    assert catalog.keys("nl") == catalog.keys("en")
