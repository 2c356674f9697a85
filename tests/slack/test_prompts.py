"""A prompt's life in Slack: delivered with buttons, answered through a modal, skipped."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import select

from bot.storage.models import Idea, Nudge
from tests.support.slack_fake import FakeSlack
from tests.support.slack_support import Running, ask, assert_valid_blocks, assert_valid_view


async def open_answer_form(serve: Running, fake: FakeSlack) -> tuple[dict[str, Any], str]:
    found = await ask(serve, fake)
    # /waarom ask answers privately, so the buttons sit on an ephemeral message.
    status, _ = await serve.slack.click(
        found["nudge.answer:id"], found["nudge.answer"], ephemeral=True
    )
    assert status == 200
    [opened] = await fake.wait_for("views.open")
    assert_valid_view(opened["view"])
    return opened["view"], found["nudge.answer"]


async def ideas(serve: Running) -> list[Idea]:
    async with serve.services.sessions() as session:
        return list((await session.scalars(select(Idea))).all())


async def test_answer_through_the_modal_creates_an_idea(
    serve: Running, fake_slack: FakeSlack
) -> None:
    view, nudge_id = await open_answer_form(serve, fake_slack)
    names = [block["block_id"] for block in view["blocks"] if block["type"] == "input"]
    assert names == ["why", "how"]
    metadata = json.loads(view["private_metadata"])
    assert metadata["f"] == "answer"
    assert metadata["c"] == nudge_id

    status, body = await serve.slack.submit(
        view, {"why": "Customers cannot find the invoice", "how": "Link it from the order page"}
    )
    assert status == 200
    assert body == ""  # closes the modal
    # Stored before the acknowledgement: no waiting for anything here.
    [idea] = await ideas(serve)
    assert (idea.why, idea.how, idea.nudge_id) == (
        "Customers cannot find the invoice",
        "Link it from the order page",
        int(nudge_id),
    )
    await fake_slack.settle()
    # The prompt was the ephemeral answer to /waarom ask: it is replaced via its response_url.
    updates = [c for c in fake_slack.of("response_url") if c.args.get("replace_original")]
    assert len(updates) == 1
    assert_valid_blocks(updates[0]["blocks"])
    assert "nudge.answer" not in json.dumps(updates[0]["blocks"])


async def test_answer_on_a_channel_message_updates_it(
    serve: Running, fake_slack: FakeSlack
) -> None:
    found = await ask(serve, fake_slack)
    # As if the prompt had been posted (not ephemeral) in the channel by the clock.
    await serve.slack.click(
        found["nudge.answer:id"], found["nudge.answer"], message_ts="1700000000.000777"
    )
    [opened] = await fake_slack.wait_for("views.open")
    await serve.slack.submit(opened["view"], {"why": "Too many steps", "how": "One-click reorder"})
    [update] = await fake_slack.wait_for("chat.update")
    assert update["ts"] == "1700000000.000777"
    assert_valid_blocks(update["blocks"])
    [thanks] = await fake_slack.wait_for("chat.postEphemeral")
    assert_valid_blocks(thanks["blocks"])


async def test_empty_and_overlong_fields_get_inline_errors(
    serve: Running, fake_slack: FakeSlack
) -> None:
    view, _ = await open_answer_form(serve, fake_slack)
    status, body = await serve.slack.submit(view, {"why": "", "how": "x" * 5000})
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"why", "how"}
    assert "5000" in answer["errors"]["how"] or "2000" in answer["errors"]["how"]
    assert await ideas(serve) == []
    # Corrected and submitted again (same modal): now it counts.
    view_id = "VSAMEVIEW"
    await serve.slack.submit(view, {"why": "", "how": "ok"}, view_id=view_id)
    status, body = await serve.slack.submit(
        view, {"why": "Slow", "how": "Cache it"}, view_id=view_id
    )
    assert body == ""
    assert len(await ideas(serve)) == 1


async def test_double_clicked_skip_is_handled_once(serve: Running, fake_slack: FakeSlack) -> None:
    found = await ask(serve, fake_slack)
    now = time.time()
    for offset in (0.0, 0.4):
        status, _ = await serve.slack.click(
            found["nudge.skip:id"],
            found["nudge.skip"],
            action_ts=now + offset,
            message_ts="1700000000.000555",
        )
        assert status == 200
    await fake_slack.settle()
    assert len(fake_slack.of("chat.update")) == 1
    async with serve.services.sessions() as session:
        nudge = await session.get(Nudge, int(found["nudge.skip"]))
    assert nudge is not None
    assert nudge.status == "skipped"


async def test_someone_elses_prompt_is_refused_privately(
    serve: Running, fake_slack: FakeSlack
) -> None:
    found = await ask(serve, fake_slack)
    await serve.slack.click(found["nudge.skip:id"], found["nudge.skip"], user="U0ADMIN")
    await fake_slack.settle()
    replies = fake_slack.of("response_url")
    assert replies[-1]["response_type"] == "ephemeral"
    assert fake_slack.of("chat.update") == []
