"""The board's pages over real HTTP, as a member and as a lead sees them, and what each
refuses: ideas of a team one is not in, or of another organisation, are not there (404)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import update

from bot.digest import DigestData, remember
from bot.storage.models import Feedback, Idea, Nudge
from tests.support.board_support import Board, ideas, member_of, origin, say, team_of


async def _seed(board: Board) -> dict[str, int]:
    services = board.services
    await say(services, origin("bob", "ops"), "help")  # a team of the organisation anna is not in
    demo, ops = await team_of(services, "demo"), await team_of(services, "ops")
    general = await team_of(services, "general")
    anna, zed = await member_of(services, "anna"), await member_of(services, "zed")
    mine = await ideas(
        services,
        demo,
        anna,
        ["Callback within an hour", "Evening appointments until nine", "=HYPERLINK(evil)"],
    )
    theirs = await ideas(services, ops, None, ["Ops only idea"])
    foreign = await ideas(services, general, zed, ["Another organisation's idea"])
    async with services.sessions() as session, session.begin():
        quote = Feedback(
            org_id=demo.org_id,
            received_at=services.now(),
            text="I waited two days for a call back",
            redacted="I waited two days for a call back",
            segment="retail",
            dedupe_key="x:1",
        )
        session.add(quote)
        await session.flush()
        await session.execute(update(Idea).where(Idea.id == mine[0]).values(feedback_id=quote.id))
    return {
        "callback": mine[0],
        "evening": mine[1],
        "formula": mine[2],
        "ops": theirs[0],
        "foreign": foreign[0],
        "anna": anna.id,
    }


async def test_the_ideas_of_my_teams_only(board: Board) -> None:
    ids = await _seed(board)
    bob = await board.signed_in(origin("bob", "ops"))  # another member's session shows anna nothing
    anna = await board.signed_in(origin("anna"))
    response = await anna.get("/board/ideas")
    assert response.status == 200
    page = anna.last
    assert "Callback within an hour" in page
    assert "Evening appointments until nine" in page
    assert "Ops only idea" not in page
    assert "Another organisation" not in page
    assert f'href="/board/ideas/{ids["callback"]}"' in page
    assert '<html lang="en">' in page
    assert '<label for="f-status">' in page
    assert "ops" not in page.split('id="f-team"', 1)[1].split("</select>", 1)[0]
    await bob.get("/board/ideas")
    assert "Ops only idea" in bob.last and "Callback" not in bob.last


async def test_filter_search_sort_and_pages(board: Board) -> None:
    ids = await _seed(board)
    demo = await team_of(board.services, "demo")
    await ideas(board.services, demo, None, [f"Bulk idea {n:02d}" for n in range(30)])
    anna = await board.signed_in(origin("anna"))
    await anna.get("/board/ideas?q=evening")
    assert "Evening appointments" in anna.last and "Callback" not in anna.last
    await anna.get("/board/ideas?q=%25")  # a LIKE wildcard is searched for, not matched
    assert "No ideas match." in anna.last
    await anna.get("/board/ideas?status=planned")
    assert "No ideas match." in anna.last
    await anna.get("/board/ideas?sort=newest")
    assert "Ideas found: 33" in anna.last and "Page 1 of 2" in anna.last
    assert anna.last.index("Bulk idea 29") < anna.last.index("Bulk idea 28")
    assert "Callback within an hour" not in anna.last  # on page 2, newest first
    await anna.get("/board/ideas?sort=newest&page=2")
    assert "Callback within an hour" in anna.last and "Page 2 of 2" in anna.last
    await anna.get(f"/board/ideas?owner={ids['anna']}")
    assert "No ideas match." in anna.last
    await anna.get(f"/board/ideas?team={(await team_of(board.services, 'ops')).id}")
    assert "Ops only idea" not in anna.last  # another team's id is ignored, not obeyed


async def test_an_idea_with_its_quote_history_and_who(board: Board) -> None:
    ids = await _seed(board)
    demo = await board.signed_in(origin("demo"))
    await demo.post(f"/board/ideas/{ids['callback']}/status", {"status": "reviewing"})
    await demo.post(f"/board/ideas/{ids['evening']}/merge", {"into": str(ids["callback"])})
    anna = await board.signed_in(origin("anna"))
    assert (await anna.get(f"/board/ideas/{ids['callback']}")).status == 200
    page = anna.last
    assert "why: Callback within an hour" in page
    assert "“I waited two days for a call back”" in page
    assert "retail" in page
    assert "Suggested by</dt><dd>anna" in page
    assert "Status new → reviewing" in page and "by demo" in page
    assert f"#{ids['evening']} merged into this idea" in page
    assert "Merged into this idea" in page and "Evening appointments until nine" in page
    assert "For leads" not in page  # anna does not lead the team
    await anna.get(f"/board/ideas/{ids['evening']}")
    assert f"This idea was merged into #{ids['callback']}." in anna.last


async def test_other_teams_and_organisations_ideas_are_not_found(board: Board) -> None:
    ids = await _seed(board)
    anna = await board.signed_in(origin("anna"))
    for idea_id in (ids["ops"], ids["foreign"], 999999):
        assert (await anna.get(f"/board/ideas/{idea_id}")).status == 404
        assert (await anna.post(f"/board/ideas/{idea_id}/vote")).status == 404
    zed = await board.signed_in(origin("zed", "general", workspace="T2"))
    assert (await zed.get(f"/board/ideas/{ids['callback']}")).status == 404
    await zed.get("/board/ideas")
    assert "Another organisation's idea" in zed.last and "Callback" not in zed.last
    assert (
        await zed.post(f"/board/ideas/{ids['callback']}/status", {"status": "done"})
    ).status == 404


async def test_the_export_is_the_filtered_list_made_safe_for_spreadsheets(board: Board) -> None:
    await _seed(board)
    anna = await board.signed_in(origin("anna"))
    response = await anna.get("/board/ideas.csv?sort=newest")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(anna.last)))
    assert [row["how"] for row in rows] == [
        "'=HYPERLINK(evil)",
        "Evening appointments until nine",
        "Callback within an hour",
    ]
    assert rows[0]["team"] == "demo" and rows[0]["author"] == "anna"
    await anna.get("/board/ideas.csv?q=evening")
    assert len(list(csv.DictReader(io.StringIO(anna.last)))) == 1


async def _digest(board: Board, team_name: str, week: str, count: int) -> None:
    team = await team_of(board.services, team_name)
    data = DigestData(
        team_id=team.id,
        team_name=team_name,
        language=team.language,
        week=week,
        start="2026-11-09",
        end="2026-11-15",
        count=count,
        previous_count=1,
        average=None,
        previous_average=None,
        pain=1,
        delight=1,
        scored=0,
        themes=[
            {
                "name": "wait",
                "label": "waiting time",
                "count": count,
                "previous": 1,
                "keywords": ["wait"],
            }
        ],
    )
    async with board.services.sessions() as session, session.begin():
        await remember(session, data)


async def test_the_digest_archive_and_trends(board: Board) -> None:
    await _seed(board)
    await _digest(board, "demo", "2026-W46", 4)
    await _digest(board, "demo", "2026-W45", 2)
    await _digest(board, "ops", "2026-W46", 9)
    demo_team = await team_of(board.services, "demo")
    async with board.services.sessions() as session, session.begin():
        for status in ("answered", "sent", "answered"):
            session.add(
                Nudge(
                    team_id=demo_team.id,
                    prompt_id="p",
                    status=status,
                    sent_at=board.services.now() - dt.timedelta(days=7),
                )
            )
    anna = await board.signed_in(origin("anna"))
    await anna.get("/board/digests")
    assert "Week 2026-W46: 4 customer responses" in anna.last
    assert anna.last.index("2026-W46") < anna.last.index("2026-W45")
    assert "9 customer responses" not in anna.last
    digest_link = anna.last.split('href="/board/digests/', 1)[1].split('"', 1)[0]
    assert (await anna.get(f"/board/digests/{digest_link}")).status == 200
    assert "Customer voice, week 2026-W46 — demo" in anna.last
    assert "waiting time" in anna.last
    ops = await team_of(board.services, "ops")
    assert (await anna.get(f"/board/digests?team={ops.id}")).status == 404
    ops_digest = int(digest_link) + 2
    assert (await anna.get(f"/board/digests/{ops_digest}")).status == 404

    assert (await anna.get("/board/trends")).status == 200
    assert (
        "<svg" in anna.last
        and 'aria-label="waiting time: 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 4"' in anna.last
    )
    assert '<th scope="row">2026-W46</th><td>3</td><td>2</td>' in anna.last
    assert "anna" not in anna.last.split("<main", 1)[1]  # a team figure, no names


async def test_a_dutch_team_reads_the_board_in_dutch(board: Board) -> None:
    await _seed(board)
    await say(board.services, origin("demo"), "settings language nl")
    anna = await board.signed_in(origin("anna"))
    await anna.get("/board/ideas")
    assert '<html lang="nl">' in anna.last
    assert "Ideeën" in anna.last and "Meeste stemmen" in anna.last
