"""Hostile input, generated, in what the bot reads from files: import rows and prompt files.
Nothing may crash; rows are kept or reported, and a bad prompt file is named.

Examples are few and derandomized, so CI sees the same inputs on every run.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.engine.prompts import PromptFileError, load_library
from bot.intake.importer import UnreadableFile, import_file
from bot.intake.normalise import FieldMap
from bot.storage.directory import organisation
from bot.storage.models import Feedback
from tests.support.rel_hostile import FEW, hostile, hostile_world
from tests.support.rel_tally import TALLY
from tests.support.rel_world import World


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    async with hostile_world(database_url) as built:
        yield built


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
