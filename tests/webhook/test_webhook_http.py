"""``POST /feedback`` over real HTTP on both databases: counts, dedupe, per-item rejection,
and the request-level refusals (400, 401, 413), none of which writes anything."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession
from pydantic import SecretStr

from bot import bootstrap
from bot.config import Settings
from bot.intake import webhook
from tests.support.webhook_sender import SECRET, Sender, start

NOW = dt.datetime(2026, 11, 18, 14, 0, tzinfo=dt.UTC)


async def test_a_valid_batch_is_stored_with_its_fields(sender: Sender) -> None:
    answer = await sender.post(
        [
            {
                "text": "De levering was twee dagen te laat.",
                "received_at": "17-11-2026 09:30",
                "score": 4,
                "segment": "Zakelijk",
                "step": "levering",
                "external_id": "nps-1",
                "source": "nps",
            },
            {"text": "Great bike, the app is clumsy.", "score": "8,5", "received_at": 1763400000},
            {"text": "Bel me op 06-12345678 a.u.b."},
        ]
    )
    assert answer.status == 200
    assert answer.body == {"stored": 3, "duplicates": 0, "rejected": []}
    rows = await sender.rows()
    assert [(org, row.text) for org, row in rows] == [
        ("default", "Bel me op 06-12345678 a.u.b."),
        ("default", "De levering was twee dagen te laat."),
        ("default", "Great bike, the app is clumsy."),
    ]
    third, first, second = (row for _, row in rows)
    # Read in the configured zone (Amsterdam, UTC+1 in November).
    assert first.received_at == dt.datetime(2026, 11, 17, 8, 30, tzinfo=dt.UTC)
    assert (first.score, first.segment, first.step, first.source, first.external_id) == (
        4.0,
        "Zakelijk",
        "delivery",
        "nps",
        "nps-1",
    )
    assert second.score == 8.5
    assert second.received_at == dt.datetime.fromtimestamp(1763400000, dt.UTC)
    assert second.source == "webhook"
    assert third.received_at == NOW
    assert "12345678" not in third.redacted


async def test_one_object_is_one_item(sender: Sender) -> None:
    answer = await sender.post({"text": "Fijne fiets."})
    assert answer.body == {"stored": 1, "duplicates": 0, "rejected": []}


async def test_labels_as_long_as_their_column_are_stored(sender: Sender) -> None:
    # An old marker a customer typed grows by a character as a code; the stored label must
    # still fit, or PostgreSQL refuses the whole batch.
    answer = await sender.post(
        {"text": "Goede service.", "step": "[link]" + "0" * 26, "segment": "[telefoon]" + "x" * 54}
    )
    assert answer.status == 200
    assert answer.body == {"stored": 1, "duplicates": 0, "rejected": []}
    [(_, row)] = await sender.rows()
    assert row.step == "[#link]" + "0" * 25
    assert row.segment == "[#phone]" + "x" * 54


async def test_an_empty_array_stores_nothing(sender: Sender) -> None:
    answer = await sender.post([])
    assert (answer.status, answer.body) == (200, {"stored": 0, "duplicates": 0, "rejected": []})


async def test_duplicates_are_counted_not_stored(sender: Sender) -> None:
    batch = [
        {"text": "Slot klemt.", "external_id": "a"},
        {"text": "Zonder id, zelfde inhoud.", "received_at": "2026-11-17T10:00:00Z"},
        {"text": "Nog een.", "external_id": "b"},
    ]
    assert (await sender.post(batch)).body == {"stored": 3, "duplicates": 0, "rejected": []}
    # A resend (a retry after a lost answer) adds nothing; a new item in it is stored.
    again = [*batch, {"text": "Nieuw.", "external_id": "c"}]
    assert (await sender.post(again)).body == {"stored": 1, "duplicates": 3, "rejected": []}
    # Repeats inside one batch count as duplicates too; the external id decides, not the text.
    within = [
        {"text": "Eerste versie.", "external_id": "d"},
        {"text": "Tweede versie.", "external_id": "d"},
        {"text": "Zelfde tekst.", "received_at": "2026-11-16T08:00:00Z"},
        {"text": "Zelfde tekst.", "received_at": "2026-11-16T08:00:00Z"},
    ]
    assert (await sender.post(within)).body == {"stored": 2, "duplicates": 2, "rejected": []}
    assert await sender.count() == 6


async def test_bad_items_are_rejected_one_by_one_and_the_rest_is_stored(sender: Sender) -> None:
    answer = await sender.post(
        [
            {"text": "Goed geholpen door de monteur."},
            {"score": 9},
            {"text": "Prima", "score": 11},
            42,
            {"text": "x" * 5001},
            {"text": ["not", "text"]},
            {"text": "Morgen", "received_at": "2027-01-01T00:00:00Z"},
            {"text": "Onleesbaar", "received_at": "gisteren"},
            {"text": "Ver weg", "received_at": "0001-01-01T00:00:00+05:00"},
            {"text": "Half \ud83d paar"},
            {"text": "Te ver", "received_at": True},
            {"text": "\x1b\x00"},
            {"text": "Laatste goede."},
        ]
    )
    assert answer.status == 200
    assert answer.body["stored"] == 2
    assert answer.body["duplicates"] == 0
    reasons = {r["index"]: r["reason"] for r in answer.body["rejected"]}
    assert sorted(reasons) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert reasons[1] == "no text in 'text'"
    assert "0 to 10" in reasons[2]
    assert reasons[3] == "each item must be a JSON object"
    assert "5000" in reasons[4]
    assert reasons[5] == "'text' must be text"
    assert "future" in reasons[6]
    assert "unreadable date" in reasons[7]
    assert reasons[8] == "date '0001-01-01T00:00:00+05:00' is out of range"
    assert "surrogate" in reasons[9]
    assert "received_at must be" in reasons[10]
    assert reasons[11] == "no text in 'text'"
    assert [row.text for _, row in await sender.rows()] == [
        "Goed geholpen door de monteur.",
        "Laatste goede.",
    ]


async def test_each_item_names_its_organisation(sender: Sender) -> None:
    await sender.add_org("acme")
    answer = await sender.post(
        [
            {"text": "Voor acme.", "org": "acme", "external_id": "1"},
            {"text": "Voor default.", "external_id": "1"},
            {"text": "Ook default.", "org": "default"},
            {"text": "Voor niemand.", "org": "globex"},
            {"text": "Geen slug.", "org": 7},
        ]
    )
    # The same external id in two organisations is two pieces of feedback.
    assert answer.body["stored"] == 3
    assert answer.body["rejected"] == [
        {"index": 3, "reason": "no organisation 'globex'"},
        {"index": 4, "reason": "org must be text (an organisation's slug)"},
    ]
    assert await sender.count("acme") == 1
    assert await sender.count("default") == 2


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b'[{"text": "caf\xe9"}]', "not UTF-8"),
        (b'"just text"', "expected a JSON object or an array"),
        (b"12", "expected a JSON object or an array"),
        (b'[{"text": "x", "score": NaN}]', "NaN"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b"", "not valid JSON"),
    ],
)
async def test_a_body_that_is_not_a_json_object_or_array_is_400(
    sender: Sender, body: bytes, reason: str
) -> None:
    answer = await sender.post(body)
    assert answer.status == 400
    assert reason in answer.body["error"]
    assert await sender.count() == 0


async def test_unsigned_tampered_or_stale_requests_are_401_and_write_nothing(
    sender: Sender,
) -> None:
    body = json.dumps([{"text": "Ik wil mijn geld terug."}]).encode()
    good = sender.signed_headers(body)
    tampered_body = body.replace(b"geld", b"fiets")
    cases = {
        "tampered body": (tampered_body, good),
        "wrong secret": (body, sender.signed_headers(body, secret="guessed")),
        "stale": (body, sender.signed_headers(body, at=NOW - dt.timedelta(minutes=5, seconds=1))),
        "from the future": (body, sender.signed_headers(body, at=NOW + dt.timedelta(minutes=6))),
        "no signature": (body, {webhook.TIMESTAMP_HEADER: good[webhook.TIMESTAMP_HEADER]}),
        "no timestamp": (body, {webhook.SIGNATURE_HEADER: good[webhook.SIGNATURE_HEADER]}),
        "no headers": (body, {}),
        "bare hex": (
            body,
            {**good, webhook.SIGNATURE_HEADER: good[webhook.SIGNATURE_HEADER][3:]},
        ),
        "timestamp not seconds": (
            body,
            {**good, webhook.TIMESTAMP_HEADER: good[webhook.TIMESTAMP_HEADER] + ".0"},
        ),
        "upper-case hex": (
            body,
            {**good, webhook.SIGNATURE_HEADER: good[webhook.SIGNATURE_HEADER].upper()},
        ),
        "non-ascii signature": (body, {**good, webhook.SIGNATURE_HEADER: "v0=é"}),
    }
    for name, (sent, headers) in cases.items():
        answer = await sender.post_raw(sent, headers)
        assert answer.status == 401, name
        assert answer.body["error"], name
    assert await sender.count() == 0
    # Within the window (edge included) the same signed request is accepted.
    edge = sender.signed_headers(body, at=NOW - dt.timedelta(minutes=5))
    assert (await sender.post_raw(body, edge)).status == 200


async def test_too_large_is_413_with_a_json_answer(sender: Sender) -> None:
    item = {"text": "y" * 1000}
    big = json.dumps([item] * 1100).encode()
    assert len(big) > webhook.MAX_BODY_BYTES
    answer = await sender.post(big)
    assert answer.status == 413
    assert str(webhook.MAX_BODY_BYTES) in answer.body["error"]

    # Without a Content-Length (chunked) the bytes read are counted instead.
    async def chunks() -> AsyncIterator[bytes]:
        for offset in range(0, len(big), 50_000):
            yield big[offset : offset + 50_000]

    async with sender.http.post(
        sender.url, data=chunks(), headers=sender.signed_headers(big)
    ) as response:
        assert response.status == 413
        assert str(webhook.MAX_BODY_BYTES) in (await response.json())["error"]

    too_many = json.dumps([{"text": f"{i}"} for i in range(webhook.MAX_ITEMS + 1)]).encode()
    assert len(too_many) < webhook.MAX_BODY_BYTES
    answer = await sender.post(too_many)
    assert answer.status == 413
    assert f"at most {webhook.MAX_ITEMS}" in answer.body["error"]

    # Exactly at the limits is fine.
    at_limit = json.dumps([{"text": f"nr {i}"} for i in range(webhook.MAX_ITEMS)]).encode()
    answer = await sender.post(at_limit)
    assert (answer.status, answer.body["stored"]) == (200, webhook.MAX_ITEMS)
    assert await sender.count() == webhook.MAX_ITEMS


async def test_other_methods_are_405(sender: Sender) -> None:
    async with sender.http.get(sender.url) as response:
        assert response.status == 405


@pytest.mark.parametrize("secret", [None, ""])
async def test_without_a_secret_the_webhook_is_not_mounted(
    settings: Settings, http: ClientSession, caplog: pytest.LogCaptureFixture, secret: str | None
) -> None:
    caplog.set_level(logging.INFO, logger="bot.web")
    # An empty WAAROM_WEBHOOK_SECRET= (a common way to switch a variable off) is no secret:
    # an HMAC with an empty key would be anyone's to forge.
    update = {"waarom_webhook_secret": None if secret is None else SecretStr(secret)}
    server = await start(bootstrap.build(settings.model_copy(update=update)))
    try:
        async with http.post(server.make_url("/feedback"), json={"text": "x"}) as response:
            assert response.status == 404
    finally:
        await server.close()
    lines = [r.getMessage() for r in caplog.records if "WAAROM_WEBHOOK_SECRET" in r.getMessage()]
    assert lines == ["Feedback webhook: WAAROM_WEBHOOK_SECRET is not set; /feedback not mounted"]


async def test_logs_carry_no_customer_text(
    sender: Sender, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    secret_words = "Mijn-adres-is-Dorpsstraat-12"
    await sender.post([{"text": secret_words}, {"text": secret_words, "score": "veel"}])
    await sender.post([{"text": secret_words, "segment": secret_words * 10}])
    await sender.post(b'[{"text": "' + secret_words.encode() + b'"')
    body = json.dumps({"text": secret_words}).encode()
    await sender.post_raw(body, sender.signed_headers(body, secret="wrong"))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "feedback webhook: 2 items: 1 stored" in logged
    assert secret_words not in logged
    assert SECRET not in logged


async def _raw_exchange(url: str, head: str, body: bytes) -> bytes:
    """Send ``head`` and part of a body on a raw socket, keep the connection open, and read
    the answer the server gives without waiting for the rest."""
    from yarl import URL

    target = URL(url)
    reader, writer = await asyncio.open_connection(target.host, target.port)
    try:
        writer.write(head.encode() + body)
        await writer.drain()
        return await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=30)
    finally:
        writer.close()


@pytest.mark.finding(6)
async def test_an_unsigned_upload_is_refused_before_its_body_arrives(sender: Sender) -> None:
    head = (
        "POST /feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000000\r\n\r\n"
    )
    answer = await _raw_exchange(sender.url, head, b'[{"text": "')
    assert answer.startswith(b"HTTP/1.1 401")


@pytest.mark.finding(6)
async def test_a_stalled_signed_upload_is_cut_off(
    sender: Sender, monkeypatch: pytest.MonkeyPatch
) -> None:
    from adapters import http_body

    monkeypatch.setattr(http_body, "BODY_SECONDS", 0.5)
    headers = sender.signed_headers(b"[]")
    head = (
        "POST /feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"{webhook.TIMESTAMP_HEADER}: {headers[webhook.TIMESTAMP_HEADER]}\r\n"
        f"{webhook.SIGNATURE_HEADER}: {headers[webhook.SIGNATURE_HEADER]}\r\n"
        "Content-Length: 100000\r\n\r\n"
    )
    answer = await _raw_exchange(sender.url, head, b'[{"text": "')
    assert answer.startswith(b"HTTP/1.1 408")
    assert await sender.count() == 0
