"""Chat with Waarom in a terminal: the same commands as Slack and Teams.

Buttons become numbered choices and forms one question per field. Input and output streams
are injectable, so scripts and tests drive it with lines in and replies out.
"""

from adapters.console.session import ConsoleChat

__all__ = ["ConsoleChat"]
