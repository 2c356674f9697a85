"""The Slack adapter: Bolt listeners in (:mod:`.inbound`), Web API calls out
(:mod:`.outbound`), Block Kit looks (:mod:`.render`), wired up in :mod:`.app`."""

from adapters.slack.app import build, mount

__all__ = ["build", "mount"]
