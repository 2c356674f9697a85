"""The new digest sections reach every reader: terminal, Slack and Teams, in one language."""

from __future__ import annotations

import json

from adapters.console.render import render as console
from adapters.slack.render import message_pages
from adapters.teams.cards import message_card
from bot.bootstrap import Services
from bot.demo import demo_team, latest_week, load_sample, week_digest
from bot.digest import render_digest

SECTIONS = {
    "nl": ("Pijn en plezier", "Wat klanten ervoor moesten doen", "Waarin groepen verschillen"),
    "en": ("Pain and delight", "What customers put up with", "How groups differ"),
}
OTHER_LANGUAGE = {"nl": ("customers put up with", "groups differ"), "en": ("Waarin", "moesten")}


async def test_the_demo_digest_shows_the_new_sections_in_every_renderer(
    services: Services,
) -> None:
    await load_sample(services)
    team = await demo_team(services)
    data = await week_digest(services, team, await latest_week(services, team), keep=False)
    assert data.put_up_with["count"] >= 1
    for language, headings in SECTIONS.items():
        message = render_digest(data, services.catalog.translator(language))
        text, _ = console(message)
        slack = json.dumps(message_pages(message), ensure_ascii=False)
        teams = json.dumps(message_card(message), ensure_ascii=False)
        for rendered in (text, slack, teams):
            assert all(heading in rendered for heading in headings)
            assert not any(word in rendered for word in OTHER_LANGUAGE[language])
        # Theme lines read as customers wrote, not as the model's word pairs.
        bullets = [line for line in text.splitlines() if line.startswith("• ")]
        assert [f"• {theme['label']}" for theme in data.themes] == [
            line.split(":")[0] for line in bullets[: len(data.themes)]
        ]
