"""What is kept of customers, and for how long: retention of raw text and erasure on request.

**Retention.** Feedback is stored as given for ``WAAROM_RETENTION_DAYS`` after it was received;
after that its raw text is replaced by the redacted form, so only what chat may show and the
words found in it remain. The clock's sweep does it a batch at a time (:func:`apply_retention`),
each batch its own short transaction, so a large PostgreSQL table is never locked for long.

**Erasure.** :func:`forget` removes a customer's feedback (by external id, e-mail address,
phone number or source) from every place it is kept, in one transaction: the feedback rows,
the quotes of nudges, the links of ideas and the highlights of the digests kept for the
archive. A hash of each erased row's dedupe key is kept so that importing the same file again
does not bring it back (:func:`bot.intake.feedback.store_feedback`).

On SQLite, ``secure_delete`` (set in :mod:`bot.storage.db`) zeroes what is deleted or
overwritten, and
the write-ahead log, which still holds the pages as they were, is checkpointed and truncated
afterwards.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import phonenumbers
from sqlalchemy import ColumnElement, String, cast, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.bootstrap import Services
from bot.engine.nudge_state import OPEN, NudgeStatus
from bot.intake.feedback import key_hash
from bot.storage.models import Digest, Feedback, ForgottenFeedback, Idea, Nudge, Organisation, Team
from bot.week import Week

log = logging.getLogger(__name__)

RETENTION_BATCH = 1000
# Per clock sweep: a backlog (the first sweep after an upgrade) is worked off over several
# sweeps rather than holding up one for long.
RETENTION_BATCHES = 50
_CHUNK = 500  # ids per IN (…): well inside SQLite's limit on parameters
_UTC = zoneinfo.ZoneInfo("UTC")
# Separators people put in phone numbers, removed before looking for its digits.
_PHONE_SEPARATORS = (" ", "-", ".", "(", ")", "/", "\u00a0")


# --- retention ---------------------------------------------------------------------------


async def expire_raw_text(
    sessions: async_sessionmaker[AsyncSession],
    received_before: dt.datetime,
    *,
    batch: int = RETENTION_BATCH,
    batches: int | None = RETENTION_BATCHES,
) -> int:
    """Replace the raw text of feedback received before ``received_before`` by its redacted
    form, ``batch`` rows per transaction, at most ``batches`` of them (``None``: all).
    Returns how many rows changed."""
    done = 0
    round_ = 0
    while batches is None or round_ < batches:
        round_ += 1
        # Rows whose text equals the redacted form have nothing to remove; the partial index
        # ix_feedback_raw_received holds exactly the others. SKIP LOCKED: several clock
        # processes share the work instead of queueing for the same rows.
        due = (
            select(Feedback.id)
            .where(Feedback.text != Feedback.redacted, Feedback.received_at < received_before)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        async with sessions() as session, session.begin():
            result = await session.execute(
                update(Feedback)
                .where(Feedback.id.in_(due.scalar_subquery()))
                .values(text=Feedback.redacted)
                .execution_options(synchronize_session=False)
            )
        changed = int(result.rowcount)  # type: ignore[attr-defined]
        done += changed
        if changed < batch:
            break
    if done:
        await settle(sessions)
    return done


async def apply_retention(services: Services, now: dt.datetime) -> int:
    """The clock's part: one sweep's worth of :func:`expire_raw_text` under the settings."""
    days = services.settings.waarom_retention_days
    changed = await expire_raw_text(services.sessions, now - dt.timedelta(days=days))
    if changed:
        log.info(
            "retention: raw text of %d feedback item(s) older than %d days removed", changed, days
        )
    return changed


async def settle(sessions: async_sessionmaker[AsyncSession]) -> bool:
    """On SQLite, move the write-ahead log into the database file and truncate it, so the
    pages as they were before a delete or overwrite are not left in the log. False when
    another process's open read kept it from finishing (the log is then reused later)."""
    async with sessions() as session:
        connection = await session.connection()
        if connection.dialect.name != "sqlite":
            return True
        # Not inside a transaction: the driver begins one only before data changes.
        row = (await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).first()
    return row is None or row[0] == 0


# --- erasure -----------------------------------------------------------------------------


class NotAKey(ValueError):
    """The erasure request names no customer, or names one in a form we cannot read."""


@dataclass(frozen=True)
class Customer:
    """Whose feedback to erase: any of the keys given (several: all of their feedback)."""

    external_id: str | None = None
    email: str | None = None
    phone: str | None = None  # E.164, see :func:`customer`
    source: str | None = None
    org: str | None = None  # an organisation's slug; None: every organisation


def customer(
    *,
    external_id: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    source: str | None = None,
    org: str | None = None,
) -> Customer:
    """Check and normalise an erasure request: the e-mail address in lower case, the phone
    number in E.164 (a Dutch number may be written nationally, 06-12345678)."""
    external_id, source = (external_id or "").strip() or None, (source or "").strip() or None
    email = (email or "").strip().lower() or None
    if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise NotAKey(f"{email!r} is not an e-mail address")
    if phone is not None and phone.strip():
        try:
            number = phonenumbers.parse(phone, "NL")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_possible_number(number):
            raise NotAKey(f"{phone!r} is not a phone number (write it as 06-12345678 or +31…)")
        phone = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    else:
        phone = None
    if not any((external_id, email, phone, source)):
        raise NotAKey("name the customer: --external-id, --email, --phone or --source")
    return Customer(external_id, email, phone, source, (org or "").strip() or None)


@dataclass
class Removed:
    """What an erasure removed, per place it was kept."""

    feedback: int = 0
    nudge_quotes: int = 0
    idea_links: int = 0
    digest_highlights: int = 0
    digests: int = 0
    # False when the SQLite write-ahead log could not be truncated yet (see :func:`settle`).
    settled: bool = True

    def lines(self) -> list[str]:
        return [
            f"feedback: {self.feedback} item(s)",
            f"nudges: {self.nudge_quotes} quote(s) removed",
            f"ideas: {self.idea_links} link(s) to the feedback removed (the ideas stay)",
            f"digests: {self.digest_highlights} quote(s) removed"
            f" from {self.digests} kept digest(s)",
        ]


async def forget(
    sessions: async_sessionmaker[AsyncSession], who: Customer, *, dry_run: bool = False
) -> Removed:
    """Erase ``who``'s feedback everywhere it is kept, in one transaction. ``dry_run`` does all
    of it and rolls back, which counts exactly what a real run would remove."""
    async with sessions() as session:
        try:
            removed = await _erase(session, await _matching(session, who))
        except BaseException:
            await session.rollback()
            raise
        if dry_run:
            await session.rollback()
            return removed
        await session.commit()
    if removed.feedback:
        removed.settled = await settle(sessions)
    return removed


@dataclass(frozen=True)
class _Row:
    id: int
    org_id: int
    received_at: dt.datetime
    dedupe_key: str


async def _matching(session: AsyncSession, who: Customer) -> list[_Row]:
    scope: list[ColumnElement[bool]] = []
    if who.org is not None:
        org_id = await session.scalar(select(Organisation.id).where(Organisation.slug == who.org))
        if org_id is None:
            raise NotAKey(f"no organisation {who.org!r}; `waarom teams` lists what exists")
        scope.append(Feedback.org_id == org_id)
    columns = (Feedback.id, Feedback.org_id, Feedback.received_at, Feedback.dedupe_key)
    found: dict[int, _Row] = {}
    exact = [
        *([Feedback.external_id == who.external_id] if who.external_id else []),
        *([Feedback.source == who.source] if who.source else []),
    ]
    if exact:
        for row in await session.execute(select(*columns).where(*scope, or_(*exact))):
            found[row.id] = _Row(*row)
    # An e-mail address or phone number is looked for in the raw text (the redacted form no
    # longer has it): a coarse filter in SQL, then an exact look at each candidate.
    for condition, confirm in _fuzzy(who):
        query = select(*columns, Feedback.text, Feedback.external_id).where(*scope, condition)
        for candidate in await session.execute(query):
            if candidate.id not in found and confirm(candidate.text, candidate.external_id):
                found[candidate.id] = _Row(*candidate[:4])
    return sorted(found.values(), key=lambda row: row.id)


_Confirm = Callable[[str, str | None], bool]


def _fuzzy(who: Customer) -> list[tuple[ColumnElement[bool], _Confirm]]:
    checks: list[tuple[ColumnElement[bool], _Confirm]] = []
    if who.email:
        domain = who.email.rsplit("@", 1)[1]
        exact = re.compile(rf"(?<![\w.+-]){re.escape(who.email)}(?![\w-]|\.\w)", re.IGNORECASE)
        checks.append(
            (
                or_(
                    func.lower(Feedback.text).contains("@" + domain, autoescape=True),
                    func.lower(Feedback.external_id) == who.email,
                ),
                lambda text, external_id: (
                    bool(exact.search(text)) or (external_id or "").lower() == who.email
                ),
            )
        )
    if who.phone:
        target = phonenumbers.parse(who.phone)
        tail = str(target.national_number)[-6:]
        regions = {"NL", phonenumbers.region_code_for_number(target) or "NL"}
        checks.append(
            (
                or_(
                    _digits_of(Feedback.text).contains(tail, autoescape=True),
                    _digits_of(Feedback.external_id).contains(tail, autoescape=True),
                ),
                lambda text, external_id: (
                    _has_phone(text, who.phone, regions)
                    or _has_phone(external_id or "", who.phone, regions)
                ),
            )
        )
    return checks


def _digits_of(column: Any) -> Any:
    # A number's digits are in order with only separators between them: without those, the
    # last digits of its national number appear as one run.
    expression: Any = cast(column, String)
    for separator in _PHONE_SEPARATORS:
        expression = func.replace(expression, separator, "")
    return expression


def _has_phone(text: str, target: str | None, regions: set[str]) -> bool:
    # POSSIBLE, not VALID as redaction uses: an erasure errs on the side of removing.
    for region in sorted(regions):
        for match in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.POSSIBLE
        ):
            if phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164) == (
                target
            ):
                return True
    return False


async def _erase(session: AsyncSession, rows: Sequence[_Row]) -> Removed:
    removed = Removed()
    if not rows:
        return removed
    ids = [row.id for row in rows]
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        # A nudge still waiting for an answer would be reminded without its quote.
        await session.execute(
            update(Nudge)
            .where(Nudge.feedback_id.in_(chunk), Nudge.status.in_(OPEN))
            .values(status=NudgeStatus.EXPIRED)
        )
        removed.nudge_quotes += _count(
            await session.execute(
                update(Nudge).where(Nudge.feedback_id.in_(chunk)).values(feedback_id=None)
            )
        )
        removed.idea_links += _count(
            await session.execute(
                update(Idea).where(Idea.feedback_id.in_(chunk)).values(feedback_id=None)
            )
        )
    await _erase_highlights(session, rows, removed)
    await _remember_forgotten(session, rows)
    for start in range(0, len(ids), _CHUNK):
        removed.feedback += _count(
            await session.execute(
                delete(Feedback).where(Feedback.id.in_(ids[start : start + _CHUNK]))
            )
        )
    return removed


def _count(result: Any) -> int:
    return int(result.rowcount)


async def _erase_highlights(session: AsyncSession, rows: Sequence[_Row], removed: Removed) -> None:
    """Take the erased quotes out of the digests kept for the archive. A digest of week W
    only quotes feedback received in W (in its team's time zone), so only the digests of
    those weeks, give or take the widest time zone offset, are read."""
    ids = {row.id for row in rows}
    weeks = {
        str(Week.of(row.received_at + dt.timedelta(hours=shift), _UTC))
        for row in rows
        for shift in (-14, 14)
    }
    orgs = {row.org_id for row in rows}
    kept = await session.execute(
        select(Digest.id, Digest.payload)
        .join(Team, Team.id == Digest.team_id)
        .where(Team.org_id.in_(orgs), Digest.week.in_(sorted(weeks)))
    )
    for digest_id, payload in kept.all():
        payload = payload or {}
        highlights = payload.get("highlights") or []
        left = [item for item in highlights if item.get("id") not in ids]
        # "What customers put up with" quotes feedback too, with the same ids.
        burdens = payload.get("put_up_with") or {}
        quotes = burdens.get("quotes") or []
        quotes_left = [item for item in quotes if item.get("id") not in ids]
        gone = len(highlights) - len(left) + len(quotes) - len(quotes_left)
        if not gone:
            continue
        changed = {**payload, "highlights": left}
        if burdens:
            changed["put_up_with"] = {**burdens, "quotes": quotes_left}
        await session.execute(update(Digest).where(Digest.id == digest_id).values(payload=changed))
        removed.digests += 1
        removed.digest_highlights += gone


async def _remember_forgotten(session: AsyncSession, rows: Sequence[_Row]) -> None:
    now = dt.datetime.now(dt.UTC)
    values = sorted(
        {(row.org_id, key_hash(row.dedupe_key)) for row in rows},
    )
    insert = (
        postgresql.insert(ForgottenFeedback)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(ForgottenFeedback)
    )
    for start in range(0, len(values), _CHUNK):
        await session.execute(
            insert.on_conflict_do_nothing(index_elements=["org_id", "key_hash"]),
            [
                {"org_id": org_id, "key_hash": hashed, "forgotten_at": now}
                for org_id, hashed in values[start : start + _CHUNK]
            ],
        )
