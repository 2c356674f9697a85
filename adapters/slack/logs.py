"""The Slack Web API client's log, without tokens.

slack_sdk logs every response body at DEBUG, and the answer to ``oauth.v2.access`` holds a
workspace's new bot token: with ``waarom -v`` that token would land in the log. Every client
Waarom makes logs through :func:`api_logger`, which masks anything shaped like a Slack token.
"""

from __future__ import annotations

import logging
import re

# Bot, user, refresh and app-level tokens: xoxb-…, xoxp-…, xoxe-…, xapp-….
TOKEN = re.compile(r"\b(?:xox[a-z]|xapp)-[A-Za-z0-9-]+")
MASK = "(redacted token)"


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = TOKEN.sub(MASK, message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def api_logger() -> logging.Logger:
    logger = logging.getLogger("adapters.slack.api")
    if not any(isinstance(f, RedactTokens) for f in logger.filters):
        logger.addFilter(RedactTokens())
    return logger
