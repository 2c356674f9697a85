"""Feedback import from files, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import zoneinfo
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.bootstrap import Services
from bot.intake.importer import UnreadableFile, import_file
from bot.intake.normalise import FieldMap
from bot.storage.directory import organisation
from bot.storage.models import Feedback

ZONE = zoneinfo.ZoneInfo("Europe/Amsterdam")
FIELDS = FieldMap(
    text="comment",
    received_at="date",
    score="nps",
    segment="seg",
    step=None,
    external_id=None,
    source=None,
)

CSV = (
    "comment,date,nps,seg\n"
    "Monteur kwam pas na 9 dagen,12-11-2026 10:00,4,forens\n"
    '"Top, bel me op 06-12345678",2026-11-12 11:00:00 +0100,10,student\n'
    ",2026-11-12,5,x\n"
    "mooi,gisteren,5,x\n"
    "score raar,2026-11-12,11,x\n"
    "te veel,velden,3,x,y\n"
    '"Een klacht\nover twee regels",1763000000,2,gezin\n'
    "Laatste goede regel,2026-11-13T08:00:00Z,8,senior\n"
)


async def _org(services: Services) -> int:
    async with services.sessions() as session, session.begin():
        return (await organisation(session)).id


async def _count(services: Services) -> int:
    async with services.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Feedback)) or 0


async def test_bad_rows_are_reported_by_line_and_good_rows_kept(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    report = await import_file(services.sessions, await _org(services), path, FIELDS, zone=ZONE)

    assert report.imported == 4
    assert dict(report.rejected) == {
        4: "no text in 'comment'",
        5: "unreadable date 'gisteren'",
        6: "score must be from 0 to 10 (NPS 0–10 or CSAT 1–5)",
        7: "5 fields where the header has 4",
    }
    assert await _count(services) == 4


async def test_reimporting_the_same_file_adds_nothing(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    org = await _org(services)
    await import_file(services.sessions, org, path, FIELDS, zone=ZONE)
    again = await import_file(services.sessions, org, path, FIELDS, zone=ZONE)
    assert (again.imported, again.duplicates) == (0, 4)
    assert await _count(services) == 4


async def test_text_is_stored_as_given_and_redacted_alongside(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    await import_file(services.sessions, await _org(services), path, FIELDS, zone=ZONE)
    async with services.sessions() as session:
        row = await session.scalar(select(Feedback).where(Feedback.text.like("Top%")))
    assert row is not None
    assert row.text == "Top, bel me op 06-12345678"
    assert row.redacted == "Top, bel me op [#phone]"  # a neutral code, shown per language
    assert row.received_at.isoformat() == "2026-11-12T10:00:00+00:00"
    assert (row.score, row.segment, row.source) == (10.0, "student", "export.csv")


async def test_jsonl_with_external_ids_dedupes_on_the_id(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        {"id": "a1", "body": "De app crasht bij het betalen", "when": "2026-11-10T09:00:00+01:00"},
        {"id": "a2", "body": "Snelle levering, fijne monteur", "when": "1762765200"},
        "not json {",
        ["a list"],
        {
            "id": "a1",
            "body": "De app crasht bij het betalen (bewerkt)",
            "when": "2026-11-10T09:00:00+01:00",
        },
    ]
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines), encoding="utf-8"
    )
    fields = FieldMap(
        text="body",
        received_at="when",
        score=None,
        segment=None,
        step=None,
        external_id="id",
        source=None,
    )
    report = await import_file(services.sessions, await _org(services), path, fields, zone=ZONE)
    assert (report.imported, report.duplicates) == (2, 1)
    assert [line for line, _ in report.rejected] == [3, 4]


async def test_a_missing_column_stops_before_reading(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    fields = FieldMap(
        text="opmerking",
        received_at=None,
        score=None,
        segment=None,
        step=None,
        external_id=None,
        source=None,
    )
    with pytest.raises(UnreadableFile, match="opmerking"):
        await import_file(services.sessions, await _org(services), path, fields, zone=ZONE)


async def test_semicolons_and_latin1_as_dutch_excel_writes_them(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("tekst;cijfer\nCafé was dicht;7,5\nÏets anders;9\n".encode("latin-1"))
    fields = FieldMap(
        text="tekst",
        received_at=None,
        score="cijfer",
        segment=None,
        step=None,
        external_id=None,
        source=None,
    )
    report = await import_file(
        services.sessions,
        await _org(services),
        path,
        fields,
        zone=ZONE,
        delimiter=";",
        encoding="latin-1",
    )
    assert report.imported == 2
    async with services.sessions() as session:
        scores = sorted((await session.scalars(select(Feedback.score))).all())
    assert scores == [7.5, 9.0]


async def test_undecodable_bytes_reject_the_row_not_the_file(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"text\ngoed\nkapot \xff\xfe\nook goed\n")
    fields = FieldMap(
        text="text",
        received_at=None,
        score=None,
        segment=None,
        step=None,
        external_id=None,
        source=None,
    )
    report = await import_file(services.sessions, await _org(services), path, fields, zone=ZONE)
    assert report.imported == 2
    assert report.rejected == [(3, "text is not valid text in this encoding (try --encoding)")]


async def test_numbers_too_large_to_read_reject_their_line_not_the_import(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"text": "Goed geholpen", "score": 8}),
        '{"text": "Onleesbaar groot", "score": ' + "1" * 400 + "}",
        '{"text": "Meer cijfers dan Python leest", "score": ' + "9" * 5000 + "}",
        json.dumps({"text": "Ook goed", "score": 7}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fields = FieldMap(
        text="text",
        received_at=None,
        score="score",
        segment=None,
        step=None,
        external_id=None,
        source=None,
    )
    report = await import_file(services.sessions, await _org(services), path, fields, zone=ZONE)
    assert report.imported == 2
    assert [line for line, _ in report.rejected] == [2, 3]
    assert "score must be from 0 to 10" in report.rejected[0][1]
    assert "not valid JSON" in report.rejected[1][1]
