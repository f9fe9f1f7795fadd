"""Response deadlines of data subject requests (GDPR Art. 12(3); CCPA Civ. Code §1798.130, 11 CCR §7021).

Pure date arithmetic. Months are calendar months: one month after 31 January is the last day of February.
Business days skip Saturdays and Sundays; public holidays are not modelled (a conservative simplification
would add them; the deadline computed here is never later than the true one for weekend-only calendars).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

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
        if not reason.strip():
            raise ValidationError("reason: an extension must give the subject its reasons")
        if on > self.due(received):
            raise ValidationError(
                f"deadline: the extension must be notified within the first period (by {self.due(received)}); "
                f"it is {on}"
            )
        latest = self.extended(received)
        if self.jurisdiction is Jurisdiction.CCPA:
            if months is not None:
                raise ValidationError(
                    "months: a CCPA extension is 45 days (§1798.130(a)(2)(A)); give no months"
                )
            if current is not None:
                raise ValidationError("deadline: already extended; the CCPA allows one extension of 45 days")
            return latest
        if months is not None and not 1 <= months <= 2:
            raise ValidationError(
                f"months: {months}; give 1 or 2 (GDPR Art. 12(3): two further months in all)"
            )
        start = current or self.due(received)
        if start >= latest:
            raise ValidationError(
                f"deadline: already extended to {start}, two further months in all (GDPR Art. 12(3))"
            )
        wanted = add_months(start, months) if months is not None else latest
        if wanted > latest:
            raise ValidationError(
                f"months: {months} more would end on {wanted}, past {latest}, two further months after the "
                "first (GDPR Art. 12(3))"
            )
        return wanted


def is_overdue(deadline: dt.date, today: dt.date, complete: bool) -> bool:
    return not complete and today > deadline


CLOCK_SKEW = dt.timedelta(minutes=5)  # a caller's clock may run a little ahead of ours


def check_past(at: dt.datetime, now: dt.datetime, where: str) -> None:
    """An instant a caller says something happened (a request received, its receipt confirmed): with a time zone,
    so that its day is the day where it happened (deadlines count from it), and not in the future."""
    if at.tzinfo is None:
        raise ValidationError(f"{where}: give a time zone, e.g. 2024-05-01T10:00:00Z")
    if at > now + CLOCK_SKEW:
        raise ValidationError(f"{where}: {at.isoformat()} is in the future")
