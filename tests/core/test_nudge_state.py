"""The moves a nudge may make, in one table (no database needed)."""

from __future__ import annotations

import pytest

from bot.engine.nudge_state import OPEN, NudgeStatus, can_move


@pytest.mark.parametrize(
    ("current", "to", "allowed"),
    [
        ("sent", NudgeStatus.SNOOZED, True),
        ("sent", NudgeStatus.SKIPPED, True),
        ("snoozed", NudgeStatus.SENT, True),  # the reminder brings it back
        ("skipped", NudgeStatus.SNOOZED, False),  # "Later" after "Skip" does not revive it
        ("skipped", NudgeStatus.ANSWERED, True),  # a late answer still counts
        ("expired", NudgeStatus.ANSWERED, True),
        ("answered", NudgeStatus.ANSWERED, False),  # a double submit makes one idea
        ("answered", NudgeStatus.SKIPPED, False),
        ("nonsense", NudgeStatus.SENT, False),
    ],
)
def test_a_nudge_moves_only_as_the_table_says(current: str, to: NudgeStatus, allowed: bool) -> None:
    assert can_move(current, to) is allowed


def test_open_nudges_are_the_ones_still_waiting_for_the_member() -> None:
    assert set(OPEN) == {"sent", "snoozed"}
