"""Hostile input, generated, where the webhook's own suite does not reach: Slack command text
and modal submissions, Teams messages and card submits, console lines, import rows and
prompt files. Nothing may crash, nothing may be stored other than as given, and no text a
person wrote may become a mention, a link or markup in what the bot sends.

Examples are few and derandomized, so CI sees the same inputs on every run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import time
import zoneinfo
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import ClientSession
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block
from sqlalchemy import func, select

from adapters.console import ConsoleChat
from adapters.slack import inbound, render
from adapters.teams import cards
from bot.chat import views
from bot.engine.nudges import new_nudge
from bot.engine.prompts import PromptFileError, load_library
from bot.intake.importer import UnreadableFile, import_file
from bot.intake.normalise import FieldMap, Rejected, normalise, typed_text
from bot.storage.directory import organisation
from bot.storage.models import Feedback, Idea, Installation, Member, Team
from tests.support.rel_tally import TALLY
from tests.support.rel_world import TENANT_A, World, start_world
from tests.support.slack_fake import ADMIN, CHANNEL
from tests.support.slack_support import formatting, hidden_characters, live_markup
from tests.support.teams_support import assert_valid_card

HOSTILE = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S0123|@devs>",
    "@everyone @here @channel",
    "<@U0ADMIN>",
    "<#C0PRODUCT|product>",
    "<https://evil.example|click me>",
    "*bold* _it_ ~strike~ `code` ```block```",
    "> quoted\n> more",
    "[link](https://evil.example) ![img](https://evil.example/x.png)",
    '{"type": "section", "text": {"type": "mrkdwn", "text": "<!channel>"}}',
    '{"type": "AdaptiveCard", "body": [{"type": "Action.OpenUrl", "url": "https://evil.example"}]}',
    "<at>Everyone</at>",
    "&lt;!channel&gt; &amp; &gt;",
    "\x00\x01\x1b[2J\x1b]0;pwned\x07\x7f",
    "\u202egnirts desrever\u202c \u200b\ufeff",
    "line\r\nbreak\rcarriage",
    "𝕳𝖊𝖑𝖑𝖔 👩‍👩‍👧‍👦",
    "%s {text} {0} $1 \\",
    "x" * 5001,
]
hostile = st.one_of(
    st.sampled_from(HOSTILE),
    st.builds(
        lambda a, b, c: a + b + c,
        st.sampled_from(HOSTILE),
        st.text(max_size=40),
        st.sampled_from(HOSTILE),
    ),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200),
)
FEW = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    async with ClientSession() as http:
        built = await start_world(database_url, http)
        try:
            yield built
        finally:
            await built.fake.settle(0.05)
            await built.close()
            await built.fake.close()
            await built.connector.close()


def _expected_feedback(text: str, segment: str) -> str | None:
    """What the store should keep of a feedback form, by the intake's own rules."""
    try:
        item = normalise(
            {"text": text, "segment": segment.strip() or None},
            FieldMap(received_at=None, score=None, step=None, external_id=None, source=None),
            zone=zoneinfo.ZoneInfo("Europe/Amsterdam"),
            default_source="chat",
            now=dt.datetime.now(dt.UTC),
        )
    except Rejected:
        return None
    return item.text


def _check_slack_payloads(calls: list[Any]) -> None:
    for call in calls:
        raw = json.dumps(call.args, ensure_ascii=False)
        # Only what Slack parses as mrkdwn can mention, link or format; plain_text and rich
        # text show people's words as typed. Hidden characters are a leak anywhere.
        shaped = live_markup(call.args) + formatting(call.args) + hidden_characters(call.args)
        TALLY.leaked += int(bool(shaped))
        assert not shaped, raw[:2000]
        for block in call.args.get("blocks") or (call.args.get("view") or {}).get("blocks") or []:
            parsed = Block.parse(block)
            assert parsed is not None
            parsed.validate_json()


async def _nudge_for(world: World, user: str) -> int:
    async with world.services.sessions() as session, session.begin():
        team = (
            await session.scalars(
                select(Team)
                .join(Installation, Team.installation_id == Installation.id)
                .where(Installation.platform == "slack", Team.external_id == CHANNEL)
            )
        ).one()
        member = (await session.scalars(select(Member).where(Member.external_id == user))).one()
        return (
            await new_nudge(session, world.services.library, team, member, now=world.services.now())
        ).id


@FEW
@given(text=hostile, segment=hostile, why=hostile)
async def test_slack_commands_and_forms_take_any_text(
    world: World, text: str, segment: str, why: str
) -> None:
    slack, fake = world.slack, world.fake
    if not getattr(world, "ready", False):
        await slack.command("help", user=ADMIN)
        await fake.settle(0.05)
        world.ready = True  # type: ignore[attr-defined]
    fake.calls.clear()
    async with world.services.sessions() as session:
        before = int(await session.scalar(select(func.max(Feedback.id))) or 0)

    # The slash command, as Slack form-encodes it.
    for words in (f"feedback {text}", text, f"idea {text}", f"settings digest {text}"):
        status, _ = await slack.command(words, user=ADMIN)
        assert status == 200
    # The feedback modal, with the text and the group as typed.
    t = world.services.catalog.translator("en")
    view = render.modal_view(views.feedback_form(t), render.FormState("feedback", "", CHANNEL))
    status, body = await slack.submit(view, {"text": text, "segment": segment}, user=ADMIN)
    assert status == 200
    # An answer whose why is hostile, then the ideas list and the home tab that show it.
    nudge = await _nudge_for(world, ADMIN)
    answer = views.answer_form(t, SimpleNamespace(id=nudge), None)  # type: ignore[arg-type]
    status, answered = await slack.submit(
        render.modal_view(answer, render.FormState("answer", str(nudge), CHANNEL)),
        {"why": why, "how": f"how {why}"},
        user=ADMIN,
    )
    assert status == 200
    await fake.settle(0.08)
    await slack.command("ideas", user=ADMIN)
    await slack.event(
        {
            "type": "app_home_opened",
            "user": ADMIN,
            "channel": "D0ADMIN",
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
    )
    await fake.settle(0.08)
    TALLY.requests += 8
    TALLY.bad_inputs += 3

    shown = json.dumps([c.args for c in fake.calls], ensure_ascii=False)
    assert inbound.SORRY not in shown and inbound.SORRY_FORM not in shown
    _check_slack_payloads(fake.calls)
    # The form's text is stored exactly as the intake keeps it, or refused on the form.
    async with world.services.sessions() as session:
        new = (await session.scalars(select(Feedback).where(Feedback.id > before))).all()
        ideas = (await session.scalars(select(Idea).where(Idea.nudge_id == nudge))).all()
    expected = _expected_feedback(text, segment)
    if body:
        assert json.loads(body)["response_action"] == "errors"
    stored_texts = {row.text for row in new}
    if expected is not None and not body:
        assert expected in stored_texts or await _already_stored(world, expected)
    assert all(row.text.strip() for row in new)
    if answered:
        assert ideas == []
    else:
        assert [(i.why, i.how) for i in ideas] == [(typed_text(why), typed_text(f"how {why}"))]


async def _already_stored(world: World, text: str) -> bool:
    async with world.services.sessions() as session:
        return bool(await session.scalar(select(func.count()).where(Feedback.text == text)))


def _user_text_places(node: Any, needle: str, path: str = "") -> list[str]:
    """Where in a card a string containing ``needle`` sits (type of its element + key)."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and needle in value:
                found.append(f"{node.get('type', path)}.{key}")
            else:
                found += _user_text_places(value, needle, node.get("type", path))
    elif isinstance(node, list):
        for item in node:
            found += _user_text_places(item, needle, path)
    return found


@FEW
@given(text=hostile, why=hostile)
async def test_teams_messages_and_card_submits_take_any_text(
    world: World, text: str, why: str
) -> None:
    teams, connector = world.teams, world.connector
    here = {
        "tenant": TENANT_A,
        "conversation": "19:acme-hostile",
        "conversation_type": "channel",
        "user": "29:acme-lead",
    }
    connector.calls.clear()
    marker = f"Q{len(text)}Z{abs(hash(why)) % 10_000}"
    statuses = [
        await teams.say(f"feedback {marker} {text}", **here),
        await teams.say(text or " ", **here),
        await teams.say(f"idea 1 {text}", **here),
    ]
    async with world.services.sessions() as session, session.begin():
        team = (
            await session.scalars(select(Team).where(Team.external_id == "19:acme-hostile"))
        ).one()
        member = (
            await session.scalars(select(Member).where(Member.external_id == "29:acme-lead"))
        ).one()
        nudge = (
            await new_nudge(session, world.services.library, team, member, now=world.services.now())
        ).id
    t = world.services.catalog.translator("en")
    spec = cards.form_spec(views.answer_form(t, SimpleNamespace(id=nudge), None))  # type: ignore[arg-type]
    statuses.append(
        await teams.post(
            teams.activity(
                value={
                    cards.FORM: "answer",
                    cards.CONTEXT: str(nudge),
                    cards.SPEC: spec,
                    "why": f"{marker} {why}",
                    "how": why,
                },
                **here,
            )
        )
    )
    statuses.append(await teams.say("ideas", **here))
    TALLY.requests += 5
    TALLY.bad_inputs += 2
    assert all(status in (200, 201) for status in statuses), statuses
    for call in connector.calls:
        body = call.body or {}
        assert not [e for e in body.get("entities") or [] if e.get("type") == "mention"]
        for card in call.cards:
            assert_valid_card(card)
            # The words people wrote are shown only as TextRuns (never markdown, links or
            # mentions) or kept as an input's value; never as a card's own markup.
            places = set(_user_text_places(card, marker))
            assert places <= {
                "TextRun.text",
                "Input.Text.value",
                "AdaptiveCard.fallbackText",
                "Action.Submit.data",
            } | {p for p in places if p.endswith(".why")}, places


@FEW
@given(lines=st.lists(hostile, min_size=1, max_size=4))
async def test_console_lines_never_crash_or_reach_the_terminal_raw(
    world: World, lines: list[str]
) -> None:
    flat = [line.replace("\r", " ").replace("\n", " ") for line in lines]
    script = (
        "ask\n1\n"
        + "\n".join(flat)
        + "\n"
        + "\n".join(f"feedback {line}" for line in flat)
        + "\nideas\n"
    )
    out = io.StringIO()
    await ConsoleChat(world.services, io.StringIO(script), out, echo=False).run()
    TALLY.bad_inputs += len(lines)
    TALLY.requests += 2 * len(lines) + 3
    shown = out.getvalue()
    # Terminal control sequences in stored text would repaint the operator's screen.
    assert "\x1b" not in shown and "\x07" not in shown, repr(shown[-500:])


rows = st.lists(
    st.fixed_dictionaries(
        {
            "text": hostile | st.none() | st.integers(),
            "score": st.one_of(st.none(), st.integers(-5, 15), hostile),
            "received_at": st.one_of(
                st.none(),
                st.sampled_from(
                    ["2026-11-10", "10-11-2026 09:00", "not a date", "1e400", "-99999999999"]
                ),
                hostile,
            ),
            "segment": st.one_of(st.none(), hostile),
        }
    ),
    max_size=8,
)


@FEW
@given(records=rows, garbage=st.binary(max_size=30), kind=st.sampled_from(["csv", "jsonl"]))
async def test_import_rows_are_kept_or_reported_never_a_crash(
    world: World,
    tmp_path_factory: pytest.TempPathFactory,
    records: list[dict[str, Any]],
    garbage: bytes,
    kind: str,
) -> None:
    path = tmp_path_factory.mktemp("import") / f"rows.{kind}"
    if kind == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=["text", "score", "received_at", "segment"])
        writer.writeheader()
        writer.writerows(records)
        data = buffer.getvalue().encode("utf-8", "surrogatepass")
    else:
        data = b"".join(
            json.dumps(r, ensure_ascii=False).encode("utf-8", "surrogatepass") + b"\n"
            for r in records
        )
    path.write_bytes(data + garbage)  # and whatever bytes follow: invalid UTF-8, NULs
    async with world.services.sessions() as session, session.begin():
        before = int(await session.scalar(select(func.count()).select_from(Feedback)) or 0)
        org = (await organisation(session)).id
    try:
        report = await import_file(
            world.services.sessions,
            org,
            path,
            FieldMap(external_id=None, source=None, step=None),
            zone=world.services.zone,
        )
    except UnreadableFile:
        TALLY.bad_inputs += 1
        return
    TALLY.bad_inputs += len(records) + 1
    async with world.services.sessions() as session:
        after = int(await session.scalar(select(func.count()).select_from(Feedback)) or 0)
        texts = (await session.scalars(select(Feedback.text))).all()
    assert after - before == report.imported
    assert all(t.strip() and not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", t) for t in texts)


entry = st.fixed_dictionaries(
    {
        "id": hostile | st.just("en-waarom-x"),
        "kind": st.sampled_from(["waarom", "zo", "quote", "x"]) | hostile,
        "text": hostile | st.integers(),
        "tags": st.lists(hostile | st.just("pain"), max_size=3),
    },
)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    document=st.one_of(
        st.builds(lambda e: {"language": "en", "entries": e}, st.lists(entry, max_size=3)),
        st.recursive(
            st.none() | st.booleans() | hostile,
            lambda inner: st.lists(inner) | st.dictionaries(hostile, inner),
            max_leaves=6,
        ),
    ),
    raw=st.binary(max_size=40),
    use_raw=st.booleans(),
)
def test_prompt_files_are_loaded_or_named_never_a_crash(
    tmp_path_factory: pytest.TempPathFactory, document: Any, raw: bytes, use_raw: bool
) -> None:
    import yaml

    root = tmp_path_factory.mktemp("prompts")
    (root / "en").mkdir()
    target = root / "en" / "waarom.yaml"
    if use_raw:
        target.write_bytes(raw)
    else:
        target.write_text(
            yaml.safe_dump(document, allow_unicode=True), "utf-8", errors="surrogatepass"
        )
    TALLY.bad_inputs += 1
    problem = ""
    try:
        load_library(root)
    except PromptFileError as exc:
        problem = str(exc)
    assert not problem or "prompts/en/waarom.yaml" in problem
