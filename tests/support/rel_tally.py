"""What the reliability suite did, counted by the tests themselves and printed once at the
end of the run (see ``conftest.py``): faults injected, requests sent, bad inputs tried, and
items lost or leaked (both must stay 0; a test that finds one counts it before it fails)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Tally:
    faults: int = 0
    requests: int = 0
    bad_inputs: int = 0
    lost: int = 0
    leaked: int = 0
    ran: bool = False

    def line(self) -> str:
        return (
            f"reliability: {self.faults} faults injected, {self.requests} requests sent, "
            f"{self.bad_inputs} bad inputs tried, {self.lost} lost, {self.leaked} leaked"
        )


TALLY = Tally()
