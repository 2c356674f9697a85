"""Organisations are separate unless the operator joins them, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot import chat
from bot.bootstrap import Services
from bot.chat.origin import Origin
from bot.config import SettingsError, load_settings
from bot.intake.feedback import store_feedback
from bot.intake.normalise import FieldMap, normalise
from bot.messages import Quote, Say, plain_text
from bot.storage import orgs
from bot.storage.directory import organisation
from bot.storage.models import Feedback, Organisation, Team

SECRET = "Accu leeg na 12 km, klant Geheimstraat wacht al weken"


async def _default_feedback(services: Services) -> None:
    async with services.sessions() as session, session.begin():
        org = await organisation(session)
        item = normalise(
            {
                "text": SECRET,
                "score": 2,
                "received_at": (services.now() - dt.timedelta(days=7)).isoformat(),
            },
            FieldMap(step=None, external_id=None, source=None),
            zone=services.zone,
            default_source="test",
            now=services.now(),
        )
        await store_feedback(session, org.id, [item])


def _shown(outcomes: list) -> str:
    text = ""
    for outcome in outcomes:
        if isinstance(outcome, Say):
            text += plain_text(outcome.message)
            text += " ".join(p.text for p in outcome.message.parts if isinstance(p, Quote))
    return text


async def _team_org(services: Services, external_id: str) -> str:
    async with services.sessions() as session:
        return (
            await session.execute(
                select(Organisation.slug)
                .join(Team, Team.org_id == Organisation.id)
                .where(Team.external_id == external_id)
            )
        ).scalar_one()


@pytest.mark.finding(2)
async def test_an_unlisted_tenant_reads_no_quotes_of_the_default_organisation(
    services: Services,
) -> None:
    await _default_feedback(services)
    stranger = Origin("teams", "tenant-x", "19:chan", "29:eve", user_is_admin=True)
    for command in ("ask", "digest"):
        assert "Geheimstraat" not in _shown(await chat.handle_text(services, stranger, command))
    await chat.handle_text(services, stranger, "feedback Mijn eigen klant is boos")
    assert await _team_org(services, "19:chan") == "teams-tenant-x"
    async with services.sessions() as session:
        default_texts = (
            await session.scalars(
                select(Feedback.text).join(Organisation).where(Organisation.slug == "default")
            )
        ).all()
    assert default_texts == [SECRET]


@pytest.mark.finding(2)
async def test_an_unlisted_slack_workspace_gets_its_own_organisation(services: Services) -> None:
    await _default_feedback(services)
    other = Origin("slack", "T9", "C9", "U9", user_is_admin=True)
    assert "Geheimstraat" not in _shown(await chat.handle_text(services, other, "ask"))
    assert await _team_org(services, "C9") == "slack-T9"


@pytest.mark.finding(2)
async def test_a_listed_workspace_and_a_home_one_read_the_default_organisation(
    services: Services,
) -> None:
    await _default_feedback(services)
    services.settings.waarom_default_workspaces = frozenset({("teams", "tenant-ours")})
    listed = Origin("teams", "tenant-ours", "19:ours", "29:ann", user_is_admin=True)
    home = Origin("slack", "T1", "C1", "U1", user_is_admin=True, home=True)
    for origin in (listed, home):
        assert "Geheimstraat" in _shown(await chat.handle_text(services, origin, "ask"))
    assert await _team_org(services, "19:ours") == "default"
    assert await _team_org(services, "C1") == "default"


def test_the_setting_is_read_as_platform_and_id_and_refuses_other_forms() -> None:
    settings = load_settings(waarom_default_workspaces="slack:T0123, teams:abc-def")
    assert settings.waarom_default_workspaces == {("slack", "T0123"), ("teams", "abc-def")}
    with pytest.raises(SettingsError, match="WAAROM_DEFAULT_WORKSPACES"):
        load_settings(waarom_default_workspaces="T0123")


@pytest.mark.finding(2)
async def test_linking_moves_a_known_workspace_and_its_teams(services: Services) -> None:
    await _default_feedback(services)
    stranger = Origin("teams", "tenant-x", "19:chan", "29:eve", user_is_admin=True)
    await chat.handle_text(services, stranger, "help")
    assert await _team_org(services, "19:chan") == "teams-tenant-x"
    async with services.sessions() as session, session.begin():
        assert await orgs.link(session, "teams", "tenant-x", "default") == 1
    assert await _team_org(services, "19:chan") == "default"
    assert "Geheimstraat" in _shown(await chat.handle_text(services, stranger, "ask"))


def test_orgs_command_links_and_lists(database_url: str, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    from bot.cli import app

    runner = CliRunner()
    linked = runner.invoke(app, ["orgs", "link", "slack", "T42", "--org", "acme"])
    assert linked.exit_code == 0, linked.output
    listed = runner.invoke(app, ["orgs"])
    assert listed.exit_code == 0, listed.output
    assert "acme" in listed.output and "T42" in listed.output
    refused = runner.invoke(app, ["orgs", "link", "slack", "T42", "--org", "x" * 65])
    assert refused.exit_code == 2 and "--org" in refused.output


async def test_own_slugs_fit_the_column() -> None:
    assert len(orgs.own_slug("teams", "x" * 100)) == orgs.MAX_SLUG
