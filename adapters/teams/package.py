"""The Teams app package: ``manifest.json`` with the bot's app id filled in, and the icons,
zipped for upload (Teams admin center, or "Upload a custom app" in Teams)."""

from __future__ import annotations

import json
import re
import uuid
import zipfile
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version
from pathlib import Path

MANIFEST = Path(__file__).parent / "manifest"
FILES = ("manifest.json", "color.png", "outline.png")
_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")


class PackageError(ValueError):
    """The package cannot be built; the message says what to change."""


def _version() -> str:
    try:
        found = installed_version("waarom")
    except PackageNotFoundError:
        return "1.0.0"
    # Teams wants MAJOR.MINOR.PATCH, nothing more.
    parts = [*re.findall(r"\d+", found), "0", "0", "0"][:3]
    return ".".join(parts)


def manifest(
    app_id: str, *, base_url: str = "https://github.com/waarom", developer: str = "Waarom"
) -> dict[str, object]:
    try:
        uuid.UUID(app_id)
    except ValueError:
        raise PackageError(
            f"MICROSOFT_APP_ID must be the bot's Microsoft app id (a GUID), not {app_id!r}"
        ) from None
    if not base_url.startswith("https://"):
        raise PackageError(f"--website must be an https:// URL, not {base_url!r}")
    base = base_url.rstrip("/")
    values = {
        "MICROSOFT_APP_ID": app_id,
        "VERSION": _version(),
        "DEVELOPER_NAME": developer,
        "WEBSITE_URL": base,
        "PRIVACY_URL": f"{base}/privacy",
        "TERMS_URL": f"{base}/terms",
    }
    template = (MANIFEST / "manifest.json").read_text("utf-8")
    filled = _PLACEHOLDER.sub(lambda m: json.dumps(values[m.group(1)])[1:-1], template)
    return json.loads(filled)  # type: ignore[no-any-return]


def build(app_id: str, target: Path, **options: str) -> Path:
    """Write the zip to ``target`` and return its path."""
    data = json.dumps(manifest(app_id, **options), indent=2, ensure_ascii=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        # Teams expects the files at the root of the zip, not in a folder.
        archive.writestr("manifest.json", data)
        for name in FILES[1:]:
            archive.write(MANIFEST / name, name)
    return target
