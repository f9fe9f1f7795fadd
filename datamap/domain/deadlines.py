"""Response deadlines of data subject requests (GDPR Art. 12(3); CCPA Civ. Code §1798.130, 11 CCR §7021; the
Swiss FADP's right of access, Art. 25(7) and DPO Art. 18: `FadpAccessRule`).

Pure date arithmetic. Months are calendar months: one month after 31 January is the last day of February.
Business days skip Saturdays and Sundays; public holidays are not modelled (a conservative simplification
would add them; the deadline computed here is never later than the true one for weekend-only calendars).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from datamap.errors import ValidationError


class Jurisdiction(StrEnum):
    GDPR = "gdpr"
    CCPA = "ccpa"


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_business_days(day: dt.date, days: int) -> dt.date:
    current = day
    while days > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


class ResponseRule(Protocol):
    """How long a law gives to answer a request, and how the deadline may be extended."""

    def due(self, received: dt.date) -> dt.date: ...

    def receipt_confirmation_due(self, received: dt.date) -> dt.date | None: ...

    def check_extension(
        self,
        received: dt.date,
        on: dt.date,
        reason: str,
        current: dt.date | None,
        months: int | None = None,
    ) -> dt.date: ...


def _check_notified(due: dt.date, on: dt.date, reason: str) -> None:
    """An extension gives the person its reasons, and is notified within the first period (by `due`)."""
    if not reason.strip():
        raise ValidationError("reason: an extension must give the subject its reasons")
    if on > due:
        raise ValidationError(
            f"deadline: the extension must be notified within the first period (by {due}); it is {on}"
        )


def _further_months(start: dt.date, latest: dt.date, months: int | None, law: str) -> dt.date:
    """The deadline `months` (1 or 2; None: to `latest`) after `start` (the deadline as it stands), at most
    `latest`, two months after the first deadline; `law` is cited in the errors."""
    if months is not None and not 1 <= months <= 2:
        raise ValidationError(f"months: {months}; give 1 or 2 ({law}: two further months in all)")
    if start >= latest:
        raise ValidationError(f"deadline: already extended to {start}, two further months in all ({law})")
    wanted = add_months(start, months) if months is not None else latest
    if wanted > latest:
        raise ValidationError(
            f"months: {months} more would end on {wanted}, past {latest}, two further months after the "
            f"first ({law})"
        )
    return wanted


@dataclass(frozen=True)
class DeadlineRule:
    """How long a regime gives to answer, how far it may be extended, and by when the extension is due."""

    jurisdiction: Jurisdiction

    def due(self, received: dt.date) -> dt.date:
        if self.jurisdiction is Jurisdiction.GDPR:
            return add_months(received, 1)  # Art. 12(3): within one month of receipt
        return received + dt.timedelta(days=45)  # §1798.130(a)(2)

    def extended(self, received: dt.date) -> dt.date:
        if self.jurisdiction is Jurisdiction.GDPR:
            return add_months(self.due(received), 2)  # by two further months
        return self.due(received) + dt.timedelta(days=45)  # one extension of 45 days

    def receipt_confirmation_due(self, received: dt.date) -> dt.date | None:
        if self.jurisdiction is Jurisdiction.CCPA:
            return add_business_days(received, 10)  # 11 CCR §7021(a)
        return None

    def check_extension(
        self,
        received: dt.date,
        on: dt.date,
        reason: str,
        current: dt.date | None,
        months: int | None = None,
    ) -> dt.date:
        """The deadline after an extension notified on `on` (`current`: the deadline as already extended), or
        `ValidationError` naming why it is not allowed.

        GDPR Art. 12(3): the month "may be extended by two further months where necessary", the person informed
        "of any such extension within one month of receipt ... together with the reasons": extensions of one or
        two months, up to two further months in all. CCPA §1798.130(a)(2)(A): "may be extended once by an
        additional 45 days", notified within the first 45 days."""
        _check_notified(self.due(received), on, reason)
        latest = self.extended(received)
        if self.jurisdiction is Jurisdiction.CCPA:
            if months is not None:
                raise ValidationError(
                    "months: a CCPA extension is 45 days (§1798.130(a)(2)(A)); give no months"
                )
            if current is not None:
                raise ValidationError("deadline: already extended; the CCPA allows one extension of 45 days")
            return latest
        return _further_months(current or self.due(received), latest, months, "GDPR Art. 12(3)")


FADP_ACCESS_DAYS = 30


@dataclass(frozen=True)
class FadpAccessRule:
    """The Swiss right of access: the revised Federal Act on Data Protection of 25 September 2020 (FADP, SR 235.1,
    in force from 1 September 2023), Art. 25(7): "The information shall in general be provided within 30 days";
    the Data Protection Ordinance of 31 August 2022 (DPO, SR 235.11), Art. 18(1): within 30 days of receipt of
    the request; Art. 18(2): if it cannot be provided within 30 days, the controller must tell the person so,
    and within which period it will be provided; Art. 18(3): a refusal, restriction or deferral is notified
    within the same period. (Before, the ordinance of 14 June 1993 to the FADP of 1992, Art. 1(4), set the same
    30 days and the same notice.) The days are calendar days from the day of receipt.

    An extension is therefore notified within the 30 days and names its period (`months`, required). The DPO sets
    no longest period: this service takes 1 or 2 months, two further months in all, the GDPR's bound, so that a
    request cannot be put off without limit."""

    def due(self, received: dt.date) -> dt.date:
        return received + dt.timedelta(days=FADP_ACCESS_DAYS)  # DPO Art. 18(1)

    def extended(self, received: dt.date) -> dt.date:
        return add_months(self.due(received), 2)  # this service's bound (see above)

    def receipt_confirmation_due(self, received: dt.date) -> dt.date | None:
        return None

    def check_extension(
        self,
        received: dt.date,
        on: dt.date,
        reason: str,
        current: dt.date | None,
        months: int | None = None,
    ) -> dt.date:
        """DPO Art. 18(2): notified within the 30 days, telling the person the period (`months`)."""
        _check_notified(self.due(received), on, reason)
        if months is None:
            raise ValidationError(
                "months: give the period the person is told the information will follow in, 1 or 2 (FADP: "
                "DPO Art. 18(2))"
            )
        return _further_months(
            current or self.due(received),
            self.extended(received),
            months,
            "FADP: DPO Art. 18(2), this service's bound",
        )


def is_overdue(deadline: dt.date, today: dt.date, complete: bool) -> bool:
    return not complete and today > deadline


def local_day(received_at: dt.datetime, now: dt.datetime) -> dt.date:
    """The day `now` is where a request was received (its deadlines are days there: Art. 12(3) counts from the
    day of receipt), told by the offset `received_at` was given with; UTC's when it has none."""
    return now.astimezone(received_at.tzinfo or dt.UTC).date()


CLOCK_SKEW = dt.timedelta(minutes=5)  # a caller's clock may run a little ahead of ours


def check_past(at: dt.datetime, now: dt.datetime, where: str) -> None:
    """An instant a caller says something happened (a request received, its receipt confirmed): with a time zone,
    so that its day is the day where it happened (deadlines count from it), and not in the future."""
    if at.tzinfo is None:
        raise ValidationError(f"{where}: give a time zone, e.g. 2024-05-01T10:00:00Z")
    if at > now + CLOCK_SKEW:
        raise ValidationError(f"{where}: {at.isoformat()} is in the future")
