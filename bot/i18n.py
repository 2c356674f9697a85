"""Per-language message catalogs: every user-facing string lives in ``bot/locales/*.yaml``.

Keys are dotted names (``digest.title``); values are ``str.format`` templates. Both catalogs
must have the same keys (a test checks it); a missing key in one language falls back to the
other rather than showing a raw key to a user.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

FALLBACK = "en"


class Catalog:
    def __init__(self, strings: dict[str, dict[str, str]]) -> None:
        self._strings = strings

    @classmethod
    def load(cls) -> Catalog:
        strings: dict[str, dict[str, str]] = {}
        for item in resources.files("bot").joinpath("locales").iterdir():
            if item.name.endswith(".yaml"):
                data = yaml.safe_load(item.read_text(encoding="utf-8"))
                strings[item.name.removesuffix(".yaml")] = _flatten(data)
        return cls(strings)

    @property
    def languages(self) -> list[str]:
        return sorted(self._strings)

    def keys(self, language: str) -> set[str]:
        return set(self._strings.get(language, {}))

    def text(self, language: str, key: str, **values: Any) -> str:
        template = self._strings.get(language, {}).get(key)
        if template is None:
            template = self._strings[FALLBACK].get(key, key)
        return template.format(**values) if values else template

    def translator(self, language: str) -> Translator:
        return Translator(self, language)


class Translator:
    """A catalog bound to one language: ``t("help.title")``."""

    def __init__(self, catalog: Catalog, language: str) -> None:
        self.catalog = catalog
        self.language = language

    def __call__(self, key: str, **values: Any) -> str:
        return self.catalog.text(self.language, key, **values)


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat
