"""The board in a real browser (Debian's chromium through chromedriver and Selenium): a lead
takes the link from a chat reply in the console, signs in, moves an idea to planned and
votes for it, and sees both on the page and in chat ``ideas``. Screenshots land in
docs/board/ for docs/board.md.

Without chromium the test is skipped locally; under CI (CI=true) it fails instead, as
``.ci/run`` installs chromium and chromium-driver.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

from adapters.console import ConsoleChat
from bot import bootstrap
from bot.config import Settings
from bot.digest import DigestData, Week, remember_many
from bot.storage.models import Nudge, Team
from tests.support.board_support import start

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "board"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def _browser_or_skip() -> Any:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.path.exists(path)]
    try:
        from selenium import webdriver
    except ImportError:
        missing.append("the selenium package")
    if missing:
        reason = f"no browser to drive: {', '.join(missing)} missing (apt-get install chromium chromium-driver)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return webdriver


THEMES = (("waiting for a call back", 6), ("invoice errors", 3), ("app login", 2))


async def _history(services: bootstrap.Services, team_name: str) -> None:
    """Twelve weeks of digests and questions, so the trends page has something to draw."""
    from sqlalchemy import select

    async with services.sessions() as session, session.begin():
        team = (await session.scalars(select(Team).where(Team.external_id == team_name))).one()
        week, datas = Week.to_send(services.now(), services.zone), []
        for n in range(12):
            themes = [
                {
                    "name": name,
                    "label": name,
                    "count": base + (n * 7 + i) % 5,
                    "previous": 0,
                    "keywords": [],
                }
                for i, (name, base) in enumerate(THEMES)
            ]
            start = week.monday()
            datas.append(
                DigestData(
                    team_id=team.id,
                    team_name=team_name,
                    language="en",
                    week=str(week),
                    start=start.isoformat(),
                    end=start.isoformat(),
                    count=sum(t["count"] for t in themes),
                    previous_count=0,
                    average=None,
                    previous_average=None,
                    pain=0,
                    delight=0,
                    scored=0,
                    themes=themes,
                )
            )
            for k in range(4):
                session.add(
                    Nudge(
                        team_id=team.id,
                        prompt_id="p",
                        status="answered" if k < 1 + n % 3 else "sent",
                        sent_at=week.bounds(services.zone)[0] + dt.timedelta(days=1, hours=k),
                    )
                )
            week = week.previous()
        await remember_many(session, datas)


async def _console(services: bootstrap.Services, user: str, script: str) -> str:
    out = io.StringIO()
    await ConsoleChat(services, io.StringIO(script), out, user=user, echo=True).run()
    return out.getvalue()


def _drive(webdriver: Any, link: str, shots: Path) -> dict[str, str]:
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as arrived
    from selenium.webdriver.support.ui import Select, WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="waarom-chromium-")
    for flag in (*FLAGS, f"--user-data-dir={profile}", "--window-size=1200,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    seen: dict[str, str] = {}
    try:
        driver.get(link)
        wait = WebDriverWait(driver, 15)

        def find(by: str, value: str) -> Any:
            return wait.until(arrived.element_to_be_clickable((by, value)))

        find(By.ID, "sign-in").click()
        wait.until(arrived.url_matches(r"/board/ideas$"))
        driver.save_screenshot(str(shots / "ideas.png"))
        find(By.CSS_SELECTOR, ".idea h2 a").click()
        wait.until(arrived.presence_of_element_located((By.ID, "a-status")))
        Select(find(By.ID, "a-status")).select_by_value("planned")
        find(By.ID, "save").click()
        wait.until(arrived.url_contains("said=moved"))
        seen["status"] = find(By.ID, "status").text
        find(By.ID, "vote").click()
        wait.until(arrived.url_contains("said=vote_done"))
        seen["votes"] = find(By.ID, "votes").text
        seen["said"] = find(By.ID, "said").text
        driver.save_screenshot(str(shots / "idea.png"))
        find(By.LINK_TEXT, "Ideas").click()
        wait.until(arrived.url_matches(r"/board/ideas$"))
        seen["list"] = find(By.CSS_SELECTOR, ".idea .meta").text
        find(By.LINK_TEXT, "Trends").click()
        wait.until(arrived.url_matches(r"/board/trends$"))
        driver.save_screenshot(str(shots / "trends.png"))
        driver.set_window_size(400, 900)  # a phone
        driver.get(link.split("/board/", 1)[0] + "/board/ideas")
        driver.save_screenshot(str(shots / "phone.png"))
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return seen


async def test_a_lead_signs_in_from_chat_plans_and_votes_in_a_browser(
    settings: Settings, clock: Any
) -> None:
    webdriver = _browser_or_skip()
    services = bootstrap.build(settings.model_copy(update={"waarom_public_url": "http://x/"}))
    services.now = clock
    board = await start(services)
    try:
        # Links point at this server: the public URL is where people reach it.
        services.settings = settings.model_copy(update={"waarom_public_url": board.base})
        await _console(services, "demo", "help\n")
        await _console(
            services,
            "anna",
            "feedback I waited two days for a call back #retail\nask\n1\n"
            "Customers wait days for a call back\nCall back within one hour\n",
        )
        await _history(services, "demo")
        reply = await _console(services, "demo", "board\n")
        link = re.search(r"http://\S+/board/login/[A-Za-z0-9_\-]+", reply)
        assert link, reply
        SHOTS.mkdir(parents=True, exist_ok=True)
        seen = await asyncio.to_thread(_drive, webdriver, link.group(0), SHOTS)
        assert seen["status"] == "planned"
        assert seen["votes"] == "1"
        assert seen["said"] == "Your vote is counted."
        assert "planned" in seen["list"] and "Votes: 1" in seen["list"]
        ideas = await _console(services, "demo", "ideas\n")
        assert "#1 [planned] Call back within one hour — anna · votes: 1" in ideas
        for name in ("ideas", "idea", "trends", "phone"):
            assert (SHOTS / f"{name}.png").stat().st_size > 1000
    finally:
        await board.close()
