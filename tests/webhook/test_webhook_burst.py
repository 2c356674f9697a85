"""A burst of concurrent batches with overlapping items: every item is stored exactly once,
and the answers' counts add up to what the database holds.

Each batch is its own request on its own connection, all in flight at once, so on PostgreSQL
the transactions really do race for the same unique keys (and, were rows inserted in request
order, could deadlock on them)."""

from __future__ import annotations

import asyncio
import random

from tests.support.webhook_sender import Sender

BATCHES = 24
PER_BATCH = 60
DISTINCT = 300


def _item(number: int) -> dict[str, object]:
    # Half the items dedupe on an external id, half on their content; two organisations.
    item: dict[str, object] = {
        "text": f"Reactie {number}: de accu hield het niet vol.",
        "org": "acme" if number % 3 == 0 else "default",
        "score": number % 11,
    }
    if number % 2:
        item["external_id"] = f"ext-{number}"
    else:
        item["received_at"] = f"2026-11-{1 + number % 17:02d}T09:00:00Z"
    return item


async def test_concurrent_batches_store_every_item_exactly_once(sender: Sender) -> None:
    await sender.add_org("acme")
    rng = random.Random(7)
    batches = []
    for _ in range(BATCHES):
        numbers = rng.sample(range(DISTINCT), PER_BATCH)
        # Repeats inside a batch as well as across batches.
        numbers += numbers[:5]
        rng.shuffle(numbers)
        batches.append([_item(n) for n in numbers])
    sent = {n for batch in batches for n in {int(str(i["text"]).split()[1][:-1]) for i in batch}}

    answers = await asyncio.gather(*(sender.post(b) for b in batches))

    # Not even a retryable 503: batches write their rows in one global order, so they wait
    # for each other instead of deadlocking (PostgreSQL would abort one of each such pair).
    assert [a.status for a in answers] == [200] * BATCHES, [a.body for a in answers]
    assert all(a.body["rejected"] == [] for a in answers)
    stored = sum(a.body["stored"] for a in answers)
    duplicates = sum(a.body["duplicates"] for a in answers)
    assert stored == len(sent)
    assert stored + duplicates == sum(len(b) for b in batches)
    assert await sender.count() == len(sent)
    assert await sender.count("acme") == sum(1 for n in sent if n % 3 == 0)
    texts = [row.text for _, row in await sender.rows()]
    assert len(texts) == len(set(texts))
