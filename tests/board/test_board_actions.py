"""What people do on the board: vote once and take it back; leads move, give and merge
ideas with chat's rules, history and author notices; nobody else, and no form without the
session's CSRF token."""

from __future__ import annotations

from sqlalchemy import func, select

from adapters.board.app import BOARD
from bot.messages import Notify, plain_text
from bot.storage.board_models import Vote
from bot.storage.models import IdeaEvent
from tests.support.board_support import Board, idea, ideas, member_of, origin, say, team_of


async def _one_idea(board: Board) -> int:
    demo = await team_of(board.services, "demo")
    anna = await member_of(board.services, "anna")
    return (await ideas(board.services, demo, anna, ["Callback within an hour"]))[0]


def _record(board: Board) -> list[Notify]:
    sent: list[Notify] = []

    async def notify(notices: object) -> None:
        sent.extend(notices)  # type: ignore[arg-type]

    board.server.app[BOARD].notify = notify
    return sent


async def test_a_member_votes_once_and_takes_it_back(board: Board) -> None:
    idea_id = await _one_idea(board)
    anna = await board.signed_in(origin("anna"))
    await anna.get(f"/board/ideas/{idea_id}")
    response = await anna.post(f"/board/ideas/{idea_id}/vote", {"vote": "for"})
    assert response.status == 303
    assert response.headers["Location"] == f"/board/ideas/{idea_id}?said=vote_done"
    await anna.post(f"/board/ideas/{idea_id}/vote", {"vote": "for"})
    assert (await idea(board.services, idea_id)).votes == 1
    await anna.get(f"/board/ideas/{idea_id}?said=vote_done")
    assert "Your vote is counted." in anna.last and 'id="votes">1<' in anna.last
    assert "Take back my vote" in anna.last
    demo = await board.signed_in(origin("demo"))
    await demo.post(f"/board/ideas/{idea_id}/vote", {"vote": "for"})
    assert (await idea(board.services, idea_id)).votes == 2
    assert f"#{idea_id} [new] Callback within an hour — anna · votes: 2" in await say(
        board.services, origin("anna"), "ideas"
    )
    await anna.post(f"/board/ideas/{idea_id}/vote", {"vote": "back"})
    await anna.post(f"/board/ideas/{idea_id}/vote", {"vote": "back"})
    assert (await idea(board.services, idea_id)).votes == 1
    async with board.services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Vote)) == 1


async def test_a_lead_moves_an_idea_and_its_author_is_told(board: Board) -> None:
    sent = _record(board)
    idea_id = await _one_idea(board)
    anna = await member_of(board.services, "anna")
    demo = await board.signed_in(origin("demo"))
    await demo.get(f"/board/ideas/{idea_id}")
    assert "For leads" in demo.last
    response = await demo.post(
        f"/board/ideas/{idea_id}/status", {"status": "planned", "owner": str(anna.id)}
    )
    assert response.status == 303
    changed = await idea(board.services, idea_id)
    assert changed.status == "planned" and changed.owner_member_id == anna.id
    assert [(n.target.member_id, plain_text(n.message)) for n in sent] == [
        (anna.id, f"Your idea #{idea_id} is now: planned.")
    ]
    async with board.services.sessions() as session:
        kinds = (
            await session.scalars(
                select(IdeaEvent.kind).where(IdeaEvent.idea_id == idea_id).order_by(IdeaEvent.id)
            )
        ).all()
    assert kinds == ["created", "status", "owner"]
    await demo.get(f"/board/ideas/{idea_id}?said=moved")
    assert "Owner — → anna" in demo.last and "Status: planned" in demo.last
    reply = await say(board.services, origin("anna"), "ideas")
    assert f"#{idea_id} [planned]" in reply


async def test_a_bad_status_or_merge_is_explained_not_stored(board: Board) -> None:
    idea_id = await _one_idea(board)
    demo = await board.signed_in(origin("demo"))
    await demo.get(f"/board/ideas/{idea_id}")
    assert (await demo.post(f"/board/ideas/{idea_id}/status", {"status": "maybe"})).status == 409
    assert "Unknown status “maybe”" in demo.last
    assert (await demo.post(f"/board/ideas/{idea_id}/merge", {"into": str(idea_id)})).status == 409
    assert "cannot be merged into itself" in demo.last
    assert (await idea(board.services, idea_id)).status == "new"


async def test_a_lead_merges_a_duplicate(board: Board) -> None:
    sent = _record(board)
    demo_team = await team_of(board.services, "demo")
    anna = await member_of(board.services, "anna")
    first, second = await ideas(board.services, demo_team, anna, ["Call back", "Call back soon"])
    demo = await board.signed_in(origin("demo"))
    await demo.get(f"/board/ideas/{second}")
    assert (await demo.post(f"/board/ideas/{second}/merge", {"into": f"#{first}"})).status == 303
    assert (await idea(board.services, second)).merged_into_id == first
    assert (await idea(board.services, first)).votes == 1
    assert [plain_text(n.message) for n in sent] == [
        f"Your idea #{second} has been merged into #{first}, which was much the same."
    ]


async def test_a_member_who_is_not_a_lead_is_refused(board: Board) -> None:
    idea_id = await _one_idea(board)
    demo_team = await team_of(board.services, "demo")
    other = (await ideas(board.services, demo_team, None, ["Other"]))[0]
    anna = await board.signed_in(origin("anna"))
    await anna.get(f"/board/ideas/{idea_id}")
    assert (await anna.post(f"/board/ideas/{idea_id}/status", {"status": "planned"})).status == 403
    assert "Only the team's leads can do that." in anna.last
    assert (await anna.post(f"/board/ideas/{idea_id}/merge", {"into": str(other)})).status == 403
    changed = await idea(board.services, idea_id)
    assert changed.status == "new" and changed.merged_into_id is None


async def test_no_form_is_accepted_without_the_sessions_csrf_token(board: Board) -> None:
    idea_id = await _one_idea(board)
    demo = await board.signed_in(origin("demo"))
    await demo.get(f"/board/ideas/{idea_id}")
    anna = await board.signed_in(origin("anna"))
    await anna.get(f"/board/ideas/{idea_id}")
    for path, form in (
        (f"/board/ideas/{idea_id}/status", {"status": "done"}),
        (f"/board/ideas/{idea_id}/vote", {"vote": "for"}),
        (f"/board/ideas/{idea_id}/merge", {"into": "1"}),
    ):
        assert (await demo.post(path, form, csrf=False)).status == 403
        assert (await demo.post(path, {**form, "csrf": anna.csrf}, csrf=False)).status == 403
    changed = await idea(board.services, idea_id)
    assert changed.status == "new" and changed.votes == 0
