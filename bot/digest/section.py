"""What a digest section is: the figures it computes and how it shows them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.digest.data import DigestData
from bot.i18n import Translator
from bot.messages import Part

Source = TypeVar("Source")


@dataclass(frozen=True, slots=True)
class Section(Generic[Source]):
    """One part of the digest. ``figures`` computes the section's keys of
    :class:`~bot.digest.data.DigestData` from its source (the customers' week, or the team's
    own); ``render`` shows them as neutral message parts in the reader's language, or
    nothing when there is nothing to say."""

    figures: Callable[[Source], dict[str, Any]]
    render: Callable[[DigestData, Translator], list[Part]]
