"""The reliability suite: faults, hostile input, isolation and secrets, against the same
loopback fakes the adapter tests use (from ``tests.support``).

At the end of the run one line sums up what the suite did; the counts come from the tests.
"""

from __future__ import annotations

import pytest

from tests.support.rel_tally import TALLY


@pytest.fixture(autouse=True)
def _count_the_run() -> None:
    TALLY.ran = True


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TALLY.ran:
        terminalreporter.write_line(TALLY.line())
