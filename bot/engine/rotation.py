"""Choose the next prompt for someone: never the same one twice in a row, never a quote they
have seen, and preferably one that fits what customers talk about most this week."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from bot.engine.prompts import Kind, Prompt, PromptLibrary
from bot.voice.text import stem


def _stable(seed: str, prompt_id: str) -> str:
    # A stable, seed-dependent order among equals: varied across people, same on rerun.
    return hashlib.sha256(f"{seed}:{prompt_id}".encode()).hexdigest()


def theme_fit(prompt: Prompt, theme_words: Iterable[str]) -> int:
    roots = {stem(word, prompt.language) for word in theme_words}
    return sum(1 for keyword in prompt.keywords if stem(keyword, prompt.language) in roots)


def choose_prompt(
    library: PromptLibrary,
    language: str,
    kind: Kind,
    *,
    recent: Sequence[str],
    theme_words: Iterable[str] = (),
    step: str | None = None,
    seed: str = "",
) -> Prompt:
    """``recent``: prompt ids this person (or team) got, newest first."""
    candidates = library.of(language, kind) or library.of("en", kind)
    if not candidates:
        raise LookupError(f"the prompt library has no {kind} prompts")
    last = recent[0] if recent else None
    if len(candidates) > 1:
        candidates = [prompt for prompt in candidates if prompt.id != last]
    age = {prompt_id: index for index, prompt_id in enumerate(recent)}
    words = list(theme_words)
    never = len(recent) + 1

    def rank(prompt: Prompt) -> tuple[int, int, int, str]:
        # Unused or least recently used first, then the best fit with the week's theme and
        # the quote's journey step.
        recency = age.get(prompt.id, never)
        fit = theme_fit(prompt, words) + (2 if step and prompt.step == step else 0)
        fresh_bucket = min(recency, 12)
        return (-fresh_bucket, -fit, 0, _stable(seed, prompt.id))

    return min(candidates, key=rank)
