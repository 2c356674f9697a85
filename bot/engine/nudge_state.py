"""A nudge's life: its states and the moves between them, in one place.

The clock sends (``sent``), reminds a snoozed one back to ``sent``, and expires what was
never answered; a member skips, snoozes ("Later") or answers. An answer is accepted from
any state but ``answered`` (a late answer is still an idea); nothing leaves ``answered``.
"""

from __future__ import annotations

from enum import StrEnum


class NudgeStatus(StrEnum):
    SENT = "sent"
    SNOOZED = "snoozed"
    SKIPPED = "skipped"
    ANSWERED = "answered"
    EXPIRED = "expired"


# Waiting for the member: reminded, expired and erased as one group.
OPEN: tuple[NudgeStatus, ...] = (NudgeStatus.SENT, NudgeStatus.SNOOZED)

_MOVES: dict[NudgeStatus, frozenset[NudgeStatus]] = {
    NudgeStatus.SENT: frozenset(
        {NudgeStatus.SNOOZED, NudgeStatus.SKIPPED, NudgeStatus.ANSWERED, NudgeStatus.EXPIRED}
    ),
    # A snoozed nudge comes back as "sent" with its reminder.
    NudgeStatus.SNOOZED: frozenset(
        {NudgeStatus.SENT, NudgeStatus.SKIPPED, NudgeStatus.ANSWERED, NudgeStatus.EXPIRED}
    ),
    # Skipped or expired: only an answer still counts ("Later" on a skipped one does not
    # bring it back to be reminded).
    NudgeStatus.SKIPPED: frozenset({NudgeStatus.ANSWERED}),
    NudgeStatus.EXPIRED: frozenset({NudgeStatus.ANSWERED}),
    NudgeStatus.ANSWERED: frozenset(),
}


def can_move(current: str, to: NudgeStatus) -> bool:
    """Whether a nudge in ``current`` may become ``to``; an unknown state moves nowhere."""
    try:
        return to in _MOVES[NudgeStatus(current)]
    except ValueError:
        return False
