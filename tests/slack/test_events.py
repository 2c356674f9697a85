"""Events, the shortcut and the App Home, plus what must never happen: unsigned or stale
requests doing anything, replays counted twice, a 429 losing a message."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.storage.models import Feedback, Installation, Member, ProcessedEvent, Team
from tests.support.slack_fake import ADMIN, BOT_USER, CHANNEL, TEAM, USER, FakeSlack
from tests.support.slack_support import Running, assert_valid_blocks, assert_valid_view


def joined_event() -> dict[str, object]:
    return {
        "type": "member_joined_channel",
        "user": BOT_USER,
        "channel": CHANNEL,
        "channel_type": "C",
        "team": TEAM,
        "inviter": ADMIN,
        "event_ts": f"{time.time():.6f}",
    }


async def count(serve: Running, model: type) -> int:
    async with serve.services.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_bot_joining_a_channel_registers_the_team_and_says_hello(
    serve: Running, fake_slack: FakeSlack
) -> None:
    status, _ = await serve.slack.event(joined_event())
    assert status == 200
    [welcome] = await fake_slack.wait_for("chat.postMessage")
    assert welcome["channel"] == CHANNEL
    assert_valid_blocks(welcome["blocks"])
    assert fake_slack.of("conversations.info")[0]["channel"] == CHANNEL
    async with serve.services.sessions() as session:
        team = await session.scalar(select(Team).where(Team.external_id == CHANNEL))
        inviter = await session.scalar(select(Member).where(Member.external_id == ADMIN))
    assert team is not None
    assert inviter is not None
    assert team.name == "product"
    assert team.added_by_member_id == inviter.id


async def test_someone_else_joining_is_not_a_welcome(serve: Running, fake_slack: FakeSlack) -> None:
    event = {**joined_event(), "user": USER}
    await serve.slack.event(event)
    await fake_slack.settle()
    assert fake_slack.of("chat.postMessage") == []


async def test_a_retried_event_is_handled_once(serve: Running, fake_slack: FakeSlack) -> None:
    event = joined_event()
    await serve.slack.event(event, event_id="Ev0RETRY01")
    for attempt in (1, 2):
        status, _ = await serve.slack.event(
            event,
            event_id="Ev0RETRY01",
            headers={"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"},
        )
        assert status == 200
    await fake_slack.settle()
    assert len(fake_slack.of("chat.postMessage")) == 1


async def test_removing_the_bot_from_a_channel_disables_its_team(
    serve: Running, fake_slack: FakeSlack
) -> None:
    await serve.slack.event(joined_event())
    await fake_slack.wait_for("chat.postMessage")
    await serve.slack.event({"type": "channel_left", "channel": CHANNEL, "actor_id": ADMIN})
    await fake_slack.settle()
    async with serve.services.sessions() as session:
        team = await session.scalar(select(Team).where(Team.external_id == CHANNEL))
    assert team is not None
    assert team.active is False


async def test_app_home_is_published(serve: Running, fake_slack: FakeSlack) -> None:
    event = {
        "type": "app_home_opened",
        "user": USER,
        "channel": "D0ANNA",
        "tab": "home",
        "event_ts": f"{time.time():.6f}",
    }
    await serve.slack.event(event)
    [published] = await fake_slack.wait_for("views.publish")
    assert published["user_id"] == USER
    assert published["view"]["type"] == "home"
    assert_valid_view(published["view"])


async def test_messages_tab_is_not_the_home(serve: Running, fake_slack: FakeSlack) -> None:
    event = {"type": "app_home_opened", "user": USER, "channel": "D0ANNA", "tab": "messages"}
    await serve.slack.event(event)
    await fake_slack.settle()
    assert fake_slack.of("views.publish") == []


async def test_shortcut_opens_a_prefilled_form_that_stores_feedback(
    serve: Running, fake_slack: FakeSlack
) -> None:
    said = "Customer said: the app &amp; the site disagree on prices &lt;3 <@U0OTHER>"
    status, _ = await serve.slack.shortcut(said)
    assert status == 200
    [opened] = await fake_slack.wait_for("views.open")
    view = opened["view"]
    assert_valid_view(view)
    [text_field] = [b for b in view["blocks"] if b.get("block_id") == "text"]
    assert text_field["element"]["initial_value"] == (
        "Customer said: the app & the site disagree on prices <3 @U0OTHER"
    )
    status, body = await serve.slack.submit(view, {"text": text_field["element"]["initial_value"]})
    assert (status, body) == (200, "")
    async with serve.services.sessions() as session:
        stored = (await session.scalars(select(Feedback))).all()
    assert [f.text for f in stored] == [text_field["element"]["initial_value"]]
    await fake_slack.wait_for("chat.postEphemeral")


async def test_uninstall_disables_the_workspace_and_keeps_its_teams(
    serve: Running, fake_slack: FakeSlack
) -> None:
    await serve.slack.event(joined_event())
    await fake_slack.wait_for("chat.postMessage")
    await serve.slack.event({"type": "app_uninstalled", "event_ts": f"{time.time():.6f}"})
    await fake_slack.settle()
    async with serve.services.sessions() as session:
        installation = await session.scalar(
            select(Installation).where(Installation.external_id == TEAM)
        )
        team = await session.scalar(select(Team).where(Team.external_id == CHANNEL))
    assert installation is not None
    assert installation.active is False
    assert team is not None
    assert team.active is False


@pytest.mark.parametrize("tamper", ["signature", "stale", "unsigned"])
async def test_bad_signatures_get_401_and_write_nothing(
    serve: Running, fake_slack: FakeSlack, tamper: str
) -> None:
    body = serve.slack.command_body("feedback This must never be stored")
    content_type = "application/x-www-form-urlencoded"
    if tamper == "signature":
        headers = serve.slack.headers(body, content_type=content_type)
        headers["X-Slack-Signature"] = headers["X-Slack-Signature"][:-4] + "0000"
        status, _ = await serve.slack.send(body, content_type, headers=headers)
    elif tamper == "stale":
        status, _ = await serve.slack.send(body, content_type, timestamp=int(time.time()) - 6 * 60)
    else:
        async with serve.slack.http.post(
            serve.slack.base_url + "/slack/events",
            data=body,
            headers={"Content-Type": content_type},
        ) as response:
            status = response.status
    assert status == 401
    event_body = json.dumps(
        {"type": "event_callback", "team_id": TEAM, "event_id": "EvX", "event": joined_event()}
    )
    headers = serve.slack.headers(event_body, content_type="application/json")
    headers["X-Slack-Signature"] = "v0=" + "0" * 64
    status, _ = await serve.slack.send(event_body, "application/json", headers=headers)
    assert status == 401
    await fake_slack.settle(0.2)
    # Nothing but the server's own auth.test at start-up.
    assert [call.method for call in fake_slack.calls if call.method != "auth.test"] == []
    for model in (Feedback, ProcessedEvent, Member, Team, Installation):
        assert await count(serve, model) == 0


async def test_a_429_is_retried_after_retry_after(serve: Running, fake_slack: FakeSlack) -> None:
    fake_slack.throttle("chat.postMessage", times=1, retry_after=1)
    started = time.monotonic()
    await serve.slack.event(joined_event())
    [welcome] = await fake_slack.wait_for("chat.postMessage")
    assert time.monotonic() - started >= 1.0
    assert len(fake_slack.of("chat.postMessage:429")) == 1
    assert_valid_blocks(welcome["blocks"])


async def test_an_unknown_prompt_is_refused_privately(
    serve: Running, fake_slack: FakeSlack
) -> None:
    await serve.slack.click("nudge.answer#0", "999999")
    await fake_slack.settle()
    [reply] = fake_slack.of("response_url")
    assert reply["response_type"] == "ephemeral"
    assert fake_slack.of("views.open") == []


async def test_listener_errors_are_logged_with_context_and_told(
    serve: Running,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot import chat

    async def broken(*_args: object) -> list[object]:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(chat, "handle_text", broken)
    await serve.slack.command("ideas")
    [reply] = await fake_slack.wait_for("response_url")
    assert reply["response_type"] == "ephemeral"
    assert "went wrong" in reply["text"]
    [record] = [r for r in caplog.records if r.name == "adapters.slack.handling" and r.exc_info]
    assert TEAM in record.getMessage()
    assert USER in record.getMessage()


async def test_a_failing_check_keeps_the_text_in_the_modal(
    serve: Running, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import chat

    def broken(*_args: object) -> dict[str, str]:
        raise RuntimeError("catalog on fire")

    await serve.slack.command("feedback")
    [opened] = await fake_slack.wait_for("views.open")
    monkeypatch.setattr(chat, "check_form", broken)
    status, body = await serve.slack.submit(opened["view"], {"text": "Precious words"})
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert "text" in answer["errors"]
    assert await count(serve, Feedback) == 0
    assert await count(serve, ProcessedEvent) == 1  # only the command; the submit can be retried


async def test_a_form_is_stored_before_it_is_acknowledged(
    serve: Running, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import chat

    storing, release = asyncio.Event(), asyncio.Event()
    real = chat.save_form

    async def slow(*args: Any) -> Any:
        storing.set()
        await release.wait()
        return await real(*args)

    await serve.slack.command("feedback")
    [opened] = await fake_slack.wait_for("views.open")
    monkeypatch.setattr(chat, "save_form", slow)
    submitted = asyncio.create_task(serve.slack.submit(opened["view"], {"text": "Precious words"}))
    await storing.wait()
    await asyncio.sleep(0.2)
    assert not submitted.done()  # Slack hears nothing while the form is not stored
    release.set()
    assert await submitted == (200, "")  # the modal closes: it is stored
    assert await count(serve, Feedback) == 1
    [thanks] = await fake_slack.wait_for("chat.postEphemeral")
    assert "Precious words" in json.dumps(thanks.args)


async def test_a_store_that_fails_keeps_the_text_in_the_modal(
    serve: Running,
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from bot import chat

    async def broken(*_args: object) -> list[object]:
        raise RuntimeError("database on fire")

    await serve.slack.command("feedback")
    [opened] = await fake_slack.wait_for("views.open")
    monkeypatch.setattr(chat, "save_form", broken)
    status, body = await serve.slack.submit(opened["view"], {"text": "Precious words"})
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert "nothing was saved" in answer["errors"]["text"]
    assert await count(serve, Feedback) == 0
    [record] = [r for r in caplog.records if r.name == "adapters.slack.handling" and r.exc_info]
    assert "form feedback" in record.getMessage()
    assert TEAM in record.getMessage() and USER in record.getMessage()


async def test_a_form_the_core_refuses_stays_open_with_the_reason(
    serve: Running, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import chat
    from bot.messages import FormErrors

    async def refuse(*_args: object) -> chat.SavedForm:
        return chat.SavedForm((FormErrors({"text": "too long"}),))

    await serve.slack.command("feedback")
    [opened] = await fake_slack.wait_for("views.open")
    monkeypatch.setattr(chat, "save_form", refuse)
    status, body = await serve.slack.submit(opened["view"], {"text": "Precious words"})
    assert status == 200
    assert json.loads(body) == {"response_action": "errors", "errors": {"text": "too long"}}
    await fake_slack.settle(0.2)
    assert fake_slack.of("chat.postEphemeral") == []
