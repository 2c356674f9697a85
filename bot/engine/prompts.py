"""The prompt library: waarom, zo and quote prompts as data files in ``prompts/<lang>/``.

Every file is validated when it is loaded. A problem names the file, the entry and what is
wrong, so whoever edits a prompt can fix it without reading code.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.intake.normalise import STEPS

Kind = Literal["waarom", "zo", "quote"]
TAGS = frozenset(
    {
        "ways-of-working",
        "sacrifice",
        "difference",
        "journey",
        "person",
        "values",
        "inward",
        "delight",
        "pain",
    }
)
PLACEHOLDERS = frozenset({"quote", "segment", "step"})


class PromptFileError(ValueError):
    """One or more problems in the prompt library; ``problems`` lists them all."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class PromptEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z]{2}-(waarom|zo|quote)-[a-z0-9-]+$")
    kind: Kind
    text: str = Field(min_length=20, max_length=300)
    tags: tuple[str, ...] = Field(min_length=1, max_length=3)
    step: Literal[STEPS] | None = None  # type: ignore[valid-type]
    keywords: tuple[str, ...] = Field(min_length=2, max_length=8)

    @field_validator("tags")
    @classmethod
    def _known_tags(cls, tags: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [tag for tag in tags if tag not in TAGS]
        if unknown:
            raise ValueError(f"unknown tag(s) {', '.join(unknown)}; use {', '.join(sorted(TAGS))}")
        return tags

    @field_validator("keywords")
    @classmethod
    def _lowercase(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(word.strip().lower() for word in words)

    def placeholders(self) -> set[str]:
        try:
            return {
                name for _, name, _, _ in string.Formatter().parse(self.text) if name is not None
            }
        except ValueError as exc:
            raise ValueError(f"text has a stray brace ({exc})") from None


class PromptFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: str = Field(pattern=r"^[a-z]{2}$")
    entries: list[dict[str, object]] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Prompt:
    id: str
    language: str
    kind: Kind
    text: str
    tags: tuple[str, ...]
    step: str | None
    keywords: tuple[str, ...]

    def render(self, *, quote: str = "", segment: str = "", step: str = "") -> str:
        return self.text.format(quote=quote, segment=segment, step=step)


class PromptLibrary:
    def __init__(self, prompts: Iterable[Prompt]) -> None:
        self._by_id = {prompt.id: prompt for prompt in prompts}

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, prompt_id: str) -> Prompt | None:
        return self._by_id.get(prompt_id)

    def languages(self) -> list[str]:
        return sorted({prompt.language for prompt in self._by_id.values()})

    def of(self, language: str, kind: Kind | None = None) -> list[Prompt]:
        return [
            prompt
            for prompt in self._by_id.values()
            if prompt.language == language and (kind is None or prompt.kind == kind)
        ]


def _describe(error: dict[str, object]) -> str:
    location = ".".join(str(part) for part in error.get("loc", ()))  # type: ignore[attr-defined]
    message = str(error.get("msg", "invalid"))
    return f"{location}: {message}" if location else message


def _check_entry(entry: PromptEntry, file_kind: str, language: str) -> list[str]:
    problems = []
    if entry.kind != file_kind:
        problems.append(f"kind {entry.kind!r} in the {file_kind} file")
    if not entry.id.startswith(f"{language}-{entry.kind}-"):
        problems.append(f"id must start with {language}-{entry.kind}-")
    try:
        used = entry.placeholders()
    except ValueError as exc:
        return [*problems, str(exc)]
    unknown = used - PLACEHOLDERS
    if unknown:
        names = ", ".join("{" + name + "}" for name in sorted(unknown))
        problems.append(f"unknown placeholder(s) {names}; use {{quote}}, {{segment}}, {{step}}")
    if entry.kind == "quote" and "quote" not in used:
        problems.append("a quote prompt needs {quote}")
    if entry.kind != "quote" and used:
        problems.append(
            f"only quote prompts take placeholders, found {{{'}, {'.join(sorted(used))}}}"
        )
    return problems


def parse_file(
    source: Traversable | Path, label: str, language_dir: str
) -> tuple[list[Prompt], list[str]]:
    """Parse one prompt file; returns the good prompts and the problems found."""
    file_kind = source.name.rsplit(".", 1)[0]
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return [], [f"{label}: not UTF-8 text"]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        return [], [f"{label}:{where} not valid YAML ({getattr(exc, 'problem', exc)})"]
    if file_kind not in ("waarom", "zo", "quote"):
        return [], [f"{label}: file name must be waarom.yaml, zo.yaml or quote.yaml"]
    try:
        document = PromptFile.model_validate(data)
    except ValidationError as exc:
        return [], [f"{label}: {_describe(err)}" for err in exc.errors()]  # type: ignore[arg-type]
    problems: list[str] = []
    if document.language != language_dir:
        problems.append(f"{label}: language {document.language!r} in folder {language_dir!r}")
    prompts: list[Prompt] = []
    for index, raw in enumerate(document.entries, start=1):
        name = f"entry {index}" + (
            f" ({raw['id']})" if isinstance(raw, dict) and "id" in raw else ""
        )
        try:
            entry = PromptEntry.model_validate(raw)
        except ValidationError as exc:
            problems.extend(f"{label}: {name}: {_describe(err)}" for err in exc.errors())  # type: ignore[arg-type]
            continue
        entry_problems = _check_entry(entry, file_kind, document.language)
        if entry_problems:
            problems.extend(f"{label}: {name}: {problem}" for problem in entry_problems)
            continue
        prompts.append(
            Prompt(
                entry.id,
                document.language,
                entry.kind,
                entry.text,
                entry.tags,
                entry.step,
                entry.keywords,
            )
        )
    return prompts, problems


def _files(root: Traversable | Path) -> list[tuple[Traversable | Path, str, str]]:
    found = []
    for language in sorted(root.iterdir(), key=lambda item: item.name):
        if not language.is_dir() or language.name.startswith(("_", ".")):
            continue
        for item in sorted(language.iterdir(), key=lambda item: item.name):
            if item.name.endswith((".yaml", ".yml")):
                found.append((item, f"prompts/{language.name}/{item.name}", language.name))
    return found


def load_library(root: Traversable | Path | None = None) -> PromptLibrary:
    """Load and validate every prompt file; raise :class:`PromptFileError` listing all
    problems if any file is broken."""
    base = root if root is not None else resources.files("prompts")
    prompts: list[Prompt] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for source, label, language_dir in _files(base):
        good, bad = parse_file(source, label, language_dir)
        problems.extend(bad)
        for prompt in good:
            if prompt.id in seen:
                problems.append(f"{label}: {prompt.id}: id already used in {seen[prompt.id]}")
                continue
            seen[prompt.id] = label
            prompts.append(prompt)
    if not prompts and not problems:
        problems.append(f"no prompt files found under {base}")
    if problems:
        raise PromptFileError(problems)
    return PromptLibrary(prompts)
