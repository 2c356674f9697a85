"""``waarom msteams package``: the zip Teams accepts."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.teams.package import PackageError, manifest
from bot.cli import app

APP_ID = "11111111-2222-3333-4444-555555555555"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_package_has_the_manifest_with_the_app_id_and_both_icons(tmp_path: Path) -> None:
    target = tmp_path / "waarom.zip"
    result = CliRunner().invoke(app, ["msteams", "package", "--app-id", APP_ID, "-o", str(target)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(target) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        data = json.loads(archive.read("manifest.json"))
        assert _png_size(archive.read("color.png")) == (192, 192)
        assert _png_size(archive.read("outline.png")) == (32, 32)
    assert data["id"] == APP_ID
    assert data["bots"][0]["botId"] == APP_ID
    assert set(data["bots"][0]["scopes"]) == {"personal", "team", "groupChat"}
    assert "{{" not in json.dumps(data)


def test_package_refuses_a_missing_or_malformed_app_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROSOFT_APP_ID", "")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["msteams", "package"])
    assert result.exit_code == 2
    assert "MICROSOFT_APP_ID" in result.output
    with pytest.raises(PackageError, match="GUID"):
        manifest("not-a-guid")
