"""The weekly digest: one per team per ISO week.

The digest of week W covers the feedback received during W (Monday to Sunday in the team's
time zone) and goes out on the team's digest day of the week after.

It is a list of sections (:mod:`bot.digest.sections`), each computing its figures and
rendering them. :func:`build_digest` gathers the figures into :class:`DigestData` (plain
data, JSON-ready): the customer voice once per organisation and time zone
(:mod:`bot.digest.voice`, over the week read by :mod:`bot.digest.reading`), then the team's
own part (:mod:`bot.digest.team`). :func:`render_digest` turns them into a neutral message in
the team's language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import lazy

if TYPE_CHECKING:
    from bot.digest.build import build_digest as build_digest
    from bot.digest.build import digest_of as digest_of
    from bot.digest.data import CustomerVoice as CustomerVoice
    from bot.digest.data import DigestData as DigestData
    from bot.digest.render import render_digest as render_digest
    from bot.digest.store import remember as remember
    from bot.digest.store import remember_many as remember_many
    from bot.digest.team import TeamPart as TeamPart
    from bot.digest.team import team_parts as team_parts
    from bot.digest.voice import customer_voice as customer_voice
    from bot.week import Week as Week

# Loaded when first used (:mod:`bot.lazy`).
_EXPORTS = {
    "build_digest": "bot.digest.build",
    "digest_of": "bot.digest.build",
    "CustomerVoice": "bot.digest.data",
    "DigestData": "bot.digest.data",
    "render_digest": "bot.digest.render",
    "remember": "bot.digest.store",
    "remember_many": "bot.digest.store",
    "TeamPart": "bot.digest.team",
    "team_parts": "bot.digest.team",
    "customer_voice": "bot.digest.voice",
    "Week": "bot.week",
}

__all__ = [
    "CustomerVoice",
    "DigestData",
    "TeamPart",
    "Week",
    "build_digest",
    "customer_voice",
    "digest_of",
    "remember",
    "remember_many",
    "render_digest",
    "team_parts",
]

__getattr__ = lazy.exports(__name__, _EXPORTS)
