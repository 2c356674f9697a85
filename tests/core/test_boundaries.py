"""The core imports no chat SDK or web framework, except where processes are wired; and the
wiring itself names no platform: the platforms come from the registry."""

import ast
import re
from pathlib import Path

import bot
from bot import registry

FORBIDDEN = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "aiohttp", "adapters")
# Where processes are wired: the web server, the command line (a package), the list of
# platforms and the contract they keep.
WIRING = {"web.py", "cli", "registry.py", "platforms.py"}
ROOT = Path(bot.__file__).parent


def imported(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_core_modules_import_no_platform_code() -> None:
    offenders = []
    for path in ROOT.rglob("*.py"):
        wiring = path.relative_to(ROOT).parts[0]
        if wiring in WIRING:
            continue
        offenders += [
            f"{path.relative_to(ROOT)}: {n}" for n in imported(path) if n.split(".")[0] in FORBIDDEN
        ]
    assert offenders == []


def test_only_the_teams_adapter_imports_botbuilder() -> None:
    root = ROOT.parent
    offenders = []
    for path in [*root.glob("bot/**/*.py"), *root.glob("adapters/**/*.py")]:
        if "adapters/teams" in path.as_posix():
            continue
        text = path.read_text("utf-8")
        if "import botbuilder" in text or "from botbuilder" in text:
            offenders.append(str(path))
    assert offenders == []


def test_adapters_read_no_storage_models() -> None:
    """The core hands adapters everything they deliver (a member's target included): no
    adapter reads the database's rows itself."""
    root = Path(bot.__file__).parent.parent
    offenders = []
    for path in root.glob("adapters/**/*.py"):
        name = path.relative_to(root).as_posix()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            offenders += [f"{name}: {n}" for n in names if n.startswith("bot.storage.models")]
    assert offenders == []


# The settings, the web server and the command line: they reach platforms only through the
# registry. The console is the command line's own terminal (``demo --chat``, printed
# digests), and ``adapters.http_body`` reads request bodies for every route.
PLATFORM_FREE = [ROOT / "config.py", ROOT / "web.py", *sorted((ROOT / "cli").glob("*.py"))]
ALLOWED_ADAPTERS = ("adapters.http_body", "adapters.console")
# How the two chat platforms are spelled in code, names, strings and comments alike.
PLATFORM_WORDS = re.compile(r"slack|msteams|microsoft|bot ?framework|\bTeams\b", re.IGNORECASE)


def test_the_wiring_imports_no_platform_but_through_the_registry() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in PLATFORM_FREE
        for name in imported(path)
        if name.split(".")[0] == "adapters" and not name.startswith(ALLOWED_ADAPTERS)
    ]
    assert offenders == []


def test_the_wiring_names_no_platform() -> None:
    offenders = []
    for path in PLATFORM_FREE:
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            # "teams" is also Waarom's own word for a group of people (``waarom teams``):
            # only the capitalised product name counts, with the other platform words.
            found = [m.group() for m in PLATFORM_WORDS.finditer(line)]
            found = [word for word in found if word.lower() != "teams" or word == "Teams"]
            if found:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {', '.join(found)}")
    assert offenders == []


def test_every_registered_platform_keeps_the_contract() -> None:
    seen = set()
    for platform in registry.platforms():
        assert platform.name and platform.name not in seen
        seen.add(platform.name)
        for method in ("missing", "mount", "delivery", "cli_commands"):
            assert callable(getattr(platform, method)), (platform.name, method)
    assert {"slack", "teams", "console"} <= seen
