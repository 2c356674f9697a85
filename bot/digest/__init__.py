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

from bot.digest.build import build_digest, digest_of
from bot.digest.data import CustomerVoice, DigestData
from bot.digest.render import render_digest
from bot.digest.store import remember, remember_many
from bot.digest.team import TeamPart, team_parts
from bot.digest.voice import customer_voice
from bot.week import Week

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
