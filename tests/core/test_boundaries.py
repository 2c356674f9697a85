"""The core imports no chat SDK or web framework, except where processes are wired."""

import ast
from pathlib import Path

import bot

FORBIDDEN = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "aiohttp", "adapters")
# Where processes are wired: the web server and the command line (a package).
WIRING = {"web.py", "cli"}


def test_core_modules_import_no_platform_code() -> None:
    root = Path(bot.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        wiring = path.relative_to(root).parts[0]
        if wiring in WIRING:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.relative_to(root)}: {n}" for n in names if n.split(".")[0] in FORBIDDEN
            ]
    assert offenders == []


def test_only_the_teams_adapter_imports_botbuilder() -> None:
    root = Path(bot.__file__).parent.parent
    offenders = []
    for path in [*root.glob("bot/**/*.py"), *root.glob("adapters/**/*.py")]:
        if "adapters/teams" in path.as_posix():
            continue
        text = path.read_text("utf-8")
        if "import botbuilder" in text or "from botbuilder" in text:
            offenders.append(str(path))
    assert offenders == []


# Still reading the replay table directly; they go when replay protection moves into the
# core, and then this list is empty.
_REPLAY = {"adapters/slack/replay.py", "adapters/teams/replay.py"}


def test_adapters_read_no_storage_models() -> None:
    """The core hands adapters everything they deliver (a member's target included): no
    adapter reads the database's rows itself."""
    root = Path(bot.__file__).parent.parent
    offenders = []
    for path in root.glob("adapters/**/*.py"):
        name = path.relative_to(root).as_posix()
        if name in _REPLAY:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            offenders += [f"{name}: {n}" for n in names if n.startswith("bot.models")]
    assert offenders == []
