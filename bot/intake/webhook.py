"""The customer feedback webhook (``POST /feedback``), without the web framework.

A request carries one JSON object or an array of them, with the importer's field names
(``text`` required; ``received_at``, ``score``, ``segment``, ``step``, ``external_id``,
``source``) plus ``org``: the slug of the organisation the item belongs to (``default`` when
left out). It is signed the way Slack signs its requests::

    X-Waarom-Request-Timestamp: <unix seconds>
    X-Waarom-Signature: v0=<hex HMAC-SHA256 of "v0:{timestamp}:{raw body}">

with ``WAAROM_WEBHOOK_SECRET`` as the key. :func:`receive` turns the raw request into a
:class:`Reply`; ``bot.web`` only reads the body (capped at :data:`MAX_BODY_BYTES`) and writes
the reply.

Items are judged one by one: a bad item, or one naming an organisation that does not exist,
is rejected with its index and reason while the others are stored. The stored items are
written in one transaction: if the database fails midway, nothing of the batch is kept and
the answer is 503 with ``Retry-After``. Retrying is safe because items dedupe exactly as the
importer's do (``external_id``, or else a hash of the content).

The secret is the operator's: whoever holds it may write feedback to any organisation, as
``waarom import --org`` may.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.bootstrap import Services
from bot.intake.feedback import store_feedback
from bot.intake.normalise import FeedbackIn, FieldMap, Rejected, normalise
from bot.storage.directory import DEFAULT_ORG, UnknownOrganisation, organisation

log = logging.getLogger(__name__)

ROUTE = "/feedback"
TIMESTAMP_HEADER = "X-Waarom-Request-Timestamp"
SIGNATURE_HEADER = "X-Waarom-Signature"
VERSION = "v0"
MAX_BODY_BYTES = 1024 * 1024
MAX_ITEMS = 1000
# Same window as Slack's: long enough for clock skew and a slow proxy, short enough that a
# captured request cannot be replayed later (and a replay inside it only finds duplicates).
REPLAY_WINDOW = dt.timedelta(minutes=5)
RETRY_AFTER_SECONDS = 5
SOURCE = "webhook"
MAX_ORG = 64

FIELDS = FieldMap()
_ORG = "org"
_TEXT_FIELDS = (*FIELDS.columns(), _ORG)
# Twelve digits reach the year 33658; anything longer is not a timestamp but an attack on
# int() (Python refuses to parse very long digit strings).
_TIMESTAMP_RE = re.compile(r"^[0-9]{1,12}$")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: dict[str, object]
    headers: Mapping[str, str] = field(default_factory=dict)


class Refused(Exception):
    """The request as a whole is refused; ``status`` and ``str()`` say how and why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def error(status: int, reason: str) -> Reply:
    return Reply(status, {"error": reason})


def too_large() -> Reply:
    return error(413, f"the body is larger than {MAX_BODY_BYTES} bytes")


# --- signature ---------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Waarom-Signature`` value for ``body`` sent at ``timestamp``."""
    message = f"{VERSION}:{timestamp}:".encode() + body
    return f"{VERSION}=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def check_headers(
    timestamp: str | None, signature: str | None, *, now: dt.datetime
) -> tuple[str, str]:
    """What can be refused before the body is read: missing headers, a stale timestamp
    (:class:`Refused`, 401). Returns both headers, present."""
    if not timestamp or not signature:
        raise Refused(401, f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER} header")
    if not _TIMESTAMP_RE.match(timestamp):
        raise Refused(401, f"{TIMESTAMP_HEADER} must be unix seconds")
    if abs(now.timestamp() - int(timestamp)) > REPLAY_WINDOW.total_seconds():
        raise Refused(401, f"{TIMESTAMP_HEADER} is more than 5 minutes from the server's clock")
    return timestamp, signature


def verify(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, *, now: dt.datetime
) -> None:
    """Raise :class:`Refused` (401) unless the request is signed with ``secret`` and fresh."""
    timestamp, signature = check_headers(timestamp, signature, now=now)
    expected = sign(secret, timestamp, body).encode()
    # Compare bytes: compare_digest refuses non-ASCII str, and a header may hold anything.
    if not hmac.compare_digest(expected, signature.encode("utf-8", "replace")):
        raise Refused(401, "signature does not match")


# --- parsing -----------------------------------------------------------------------------


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def parse(body: bytes) -> list[object]:
    """The items of a JSON object or array body; :class:`Refused` (400, 413) if there are none
    to judge."""
    if len(body) > MAX_BODY_BYTES:
        raise Refused(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(400, f"the body is not UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise Refused(
            400, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except ValueError as exc:
        # NaN/Infinity (Python's json accepts them; JSON does not), or an integer too long
        # for int().
        raise Refused(400, f"not valid JSON: {str(exc).split(';')[0]}") from None
    except RecursionError:
        raise Refused(400, "not valid JSON: nested too deeply") from None
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list):
        raise Refused(400, "expected a JSON object or an array of objects")
    if len(value) > MAX_ITEMS:
        raise Refused(413, f"{len(value)} items; at most {MAX_ITEMS} per request")
    return value


# --- judging items -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Accepted:
    index: int
    org: str
    item: FeedbackIn


@dataclass(slots=True)
class Batch:
    accepted: list[Accepted] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)


def _org_slug(value: object) -> str:
    if value is None:
        return DEFAULT_ORG
    if not isinstance(value, str):
        raise Rejected("org must be text (an organisation's slug)")
    slug = value.strip()
    if not slug:
        return DEFAULT_ORG
    if len(slug) > MAX_ORG or _CONTROL_RE.search(slug):
        raise Rejected(f"org is not an organisation's slug (at most {MAX_ORG} characters)")
    return slug


def judge(item: object, *, zone: zoneinfo.ZoneInfo, now: dt.datetime) -> tuple[str, FeedbackIn]:
    """The organisation slug and normalised feedback of one item, or :class:`Rejected`."""
    if not isinstance(item, dict):
        raise Rejected("each item must be a JSON object")
    for name in _TEXT_FIELDS:
        value = item.get(name)
        # JSON may escape half a UTF-16 pair ("\ud800"); such a string cannot be stored or
        # shown, and the database driver would fail on it rather than refuse it.
        if isinstance(value, str) and _SURROGATE_RE.search(value):
            raise Rejected(f"{name} holds an unpaired UTF-16 surrogate escape")
    when = item.get("received_at")
    if when is not None and (isinstance(when, bool) or not isinstance(when, str | int | float)):
        raise Rejected("received_at must be a date text or unix seconds")
    org = _org_slug(item.get(_ORG))
    # Out-of-range dates and text of only control characters are refused by normalise.
    return org, normalise(item, FIELDS, zone=zone, default_source=SOURCE, now=now)


def judge_all(items: Sequence[object], *, zone: zoneinfo.ZoneInfo, now: dt.datetime) -> Batch:
    batch = Batch()
    for index, item in enumerate(items):
        try:
            org, feedback = judge(item, zone=zone, now=now)
        except Rejected as exc:
            batch.rejected.append((index, str(exc)))
        else:
            batch.accepted.append(Accepted(index, org, feedback))
    return batch


# --- storing -----------------------------------------------------------------------------


async def _organisations(
    sessions: async_sessionmaker[AsyncSession], slugs: set[str]
) -> dict[str, int]:
    """Ids of the organisations that exist (``default`` is created on first use)."""
    found: dict[str, int] = {}
    async with sessions() as session, session.begin():
        for slug in sorted(slugs):
            try:
                found[slug] = (await organisation(session, slug)).id
            except UnknownOrganisation:
                continue
    return found


async def store(sessions: async_sessionmaker[AsyncSession], batch: Batch) -> int:
    """Store the accepted items in one transaction; items of unknown organisations move to
    ``batch.rejected``. Returns how many rows were new. A database error propagates after
    the transaction rolled back, so nothing of the batch is kept."""
    orgs = await _organisations(sessions, {a.org for a in batch.accepted})
    known = []
    for accepted in batch.accepted:
        if accepted.org in orgs:
            known.append(accepted)
        else:
            batch.rejected.append((accepted.index, f"no organisation {accepted.org!r}"))
    batch.accepted = known
    batch.rejected.sort()
    # One order for every request (organisation, then dedupe key): concurrent batches with
    # overlapping items then take their row locks in the same order and cannot deadlock.
    ordered = sorted(known, key=lambda a: (orgs[a.org], a.item.dedupe_key))
    stored = 0
    async with sessions() as session, session.begin():
        for org_id, group in groupby(ordered, key=lambda a: orgs[a.org]):
            stored += await store_feedback(session, org_id, [a.item for a in group])
    return stored


def refuse_unsigned(
    services: Services, *, timestamp: str | None, signature: str | None
) -> Reply | None:
    """A refusal for a request that cannot be signed right, before its body is read."""
    try:
        check_headers(timestamp, signature, now=services.now())
    except Refused as exc:
        log.warning("feedback webhook: %d, %s", exc.status, exc)
        return error(exc.status, str(exc))
    return None


async def receive(
    services: Services, *, timestamp: str | None, signature: str | None, body: bytes
) -> Reply:
    """Answer one webhook request. Logs counts and reasons, never the customer's words."""
    secret = services.settings.waarom_webhook_secret
    if secret is None or not secret.get_secret_value():
        return error(404, "the feedback webhook is not configured")
    now = services.now()
    try:
        verify(secret.get_secret_value(), timestamp, signature, body, now=now)
        items = parse(body)
    except Refused as exc:
        log.warning("feedback webhook: %d, %s", exc.status, exc)
        return error(exc.status, str(exc))
    batch = judge_all(items, zone=services.zone, now=now)
    try:
        stored = await store(services.sessions, batch)
    except (SQLAlchemyError, OSError) as exc:
        # The message of a driver error may quote the statement's parameters (customer text):
        # only its type is logged at warning level.
        log.warning("feedback webhook: database error (%s); batch rolled back", type(exc).__name__)
        log.debug("feedback webhook: database error", exc_info=True)
        return Reply(
            503,
            {"error": "the database is unavailable; nothing was stored, please retry"},
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    duplicates = len(batch.accepted) - stored
    log.info(
        "feedback webhook: %d items: %d stored, %d duplicates, %d rejected",
        len(items),
        stored,
        duplicates,
        len(batch.rejected),
    )
    return Reply(
        200,
        {
            "stored": stored,
            "duplicates": duplicates,
            "rejected": [{"index": i, "reason": reason} for i, reason in batch.rejected],
        },
    )
