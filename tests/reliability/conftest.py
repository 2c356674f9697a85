"""The reliability suite: faults, hostile input, isolation and secrets, against the same
loopback fakes the adapter tests use (their helper modules are put on the path here).

At the end of the run one line sums up what the suite did; the counts come from the tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
for name in ("slack", "teams", "webhook", "clock"):
    folder = HERE.parent / name
    if str(folder) not in sys.path:
        sys.path.append(str(folder))

from rel_tally import TALLY  # noqa: E402


@pytest.fixture(autouse=True)
def _count_the_run() -> None:
    TALLY.ran = True


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TALLY.ran:
        terminalreporter.write_line(TALLY.line())
