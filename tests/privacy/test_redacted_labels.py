"""Segments and journey steps are shown beside quotes: only their redacted form may appear."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.bootstrap import Services
from bot.chat.views import prompt_message
from bot.cli import app
from bot.engine.nudges import new_nudge, nudge_content
from bot.messages import plain_text
from tests.support.privacy_support import fixed_services, store, support_team

SEGMENT = "Bel 06-12345678, jan@voorbeeld.nl of www.voorbeeld.nl"
STEP = "bel 0687654321 of piet@voorbeeld.nl"
RAW = ("06-12345678", "0687654321", "jan@voorbeeld.nl", "piet@voorbeeld.nl", "www.voorbeeld")


def _row(received_at: str) -> dict[str, object]:
    return {
        "text": "De monteur kwam twee keer niet opdagen",
        "received_at": received_at,
        "score": 3,
        "segment": SEGMENT,
        "step": STEP,
    }


async def _team(url: str) -> None:
    services = fixed_services(url)
    try:
        await support_team(services)
    finally:
        await services.close()


def _import(database_url: str, tmp_path: Path) -> None:
    """The row as an export holds it, through `waarom import`."""
    path = tmp_path / "nps.csv"
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(_row("")))
        writer.writeheader()
        writer.writerow(_row("2026-11-10 10:00"))
    result = CliRunner().invoke(
        app,
        [
            *("import", str(path), "--text", "text", "--received-at", "received_at"),
            *("--score", "score", "--segment", "segment", "--step", "step"),
        ],
        env={"DATABASE_URL": database_url},
    )
    assert result.exit_code == 0 and "imported 1" in result.output, result.output


@pytest.mark.parametrize("output", ["text", "json"])
@pytest.mark.finding(7)
def test_the_digest_never_shows_a_segment_or_step_as_given(
    database_url: str, output: str, tmp_path: Path
) -> None:
    asyncio.run(_team(database_url))
    _import(database_url, tmp_path)
    result = CliRunner().invoke(
        app,
        ["digest", "--team", "Support", "--week", "2026-W46", "--format", output],
        env={"DATABASE_URL": database_url, "WAAROM_LANGUAGE": "en"},
    )
    assert result.exit_code == 0, result.output
    shown = result.output
    assert not [raw for raw in RAW if raw in shown]
    if output == "json":
        # JSON keeps the markers as their language-neutral codes.
        data = json.loads(shown)
        assert data["segments"][0]["name"] == "Bel [#phone], [#email] of [#link]"
        assert data["highlights"][0]["step"] == "bel [#phone] of [#email]"
    else:
        # An English team reads the markers in English.
        assert "[phone]" in shown and "[e-mail]" in shown and "[link]" in shown
        assert "[#" not in shown and "steps." not in shown


@pytest.mark.finding(7)
async def test_a_nudge_quote_never_shows_a_segment_or_step_as_given(services: Services) -> None:
    target, anna = await support_team(services)
    await store(services, [_row("2026-11-17T10:00:00+01:00")])
    async with services.sessions() as session, session.begin():
        nudge = await new_nudge(session, services.library, target, anna, now=services.now())
        prompt, quote = await nudge_content(session, services.library, nudge)
    assert quote is not None
    shown = plain_text(prompt_message(services.catalog.translator("en"), prompt, nudge, quote))
    assert not [raw for raw in RAW if raw in shown]
    assert "[phone]" in shown and "[#" not in shown and "steps." not in shown
