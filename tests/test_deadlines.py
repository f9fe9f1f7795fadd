"""Deadline rules, without the database: calendar months, leap years, business days, one extension."""

import datetime as dt

import pytest

from datamap.domain.deadlines import DeadlineRule, Jurisdiction, add_business_days, add_months, is_overdue
from datamap.errors import ValidationError

GDPR = DeadlineRule(Jurisdiction.GDPR)
CCPA = DeadlineRule(Jurisdiction.CCPA)
D = dt.date


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (D(2024, 1, 31), D(2024, 2, 29)),  # leap year: clamp to 29 February
        (D(2023, 1, 31), D(2023, 2, 28)),
        (D(2024, 12, 15), D(2025, 1, 15)),  # across the year boundary
        (D(2024, 3, 31), D(2024, 4, 30)),
    ],
)
def test_gdpr_one_calendar_month(received: dt.date, due: dt.date) -> None:
    assert GDPR.due(received) == due


def test_gdpr_extension_adds_two_months_to_the_first_deadline() -> None:
    assert GDPR.extended(D(2024, 1, 31)) == D(2024, 4, 29)
    assert add_months(D(2024, 11, 30), 3) == D(2025, 2, 28)


def test_ccpa_45_days_plus_45_and_receipt_confirmed_in_10_business_days() -> None:
    assert CCPA.due(D(2024, 12, 20)) == D(2025, 2, 3)
    assert CCPA.extended(D(2024, 12, 20)) == D(2025, 3, 20)
    assert CCPA.receipt_confirmation_due(D(2024, 11, 29)) == D(2024, 12, 13)  # a Friday: two weekends
    assert GDPR.receipt_confirmation_due(D(2024, 11, 29)) is None
    assert add_business_days(D(2024, 2, 23), 5) == D(2024, 3, 1)  # over 29 February


def test_an_extension_is_allowed_once_with_reasons_within_the_first_period() -> None:
    received = D(2024, 5, 2)
    assert GDPR.check_extension(received, D(2024, 6, 2), "complex request", already_extended=False) == D(
        2024, 8, 2
    )
    with pytest.raises(ValidationError, match="within the first period"):
        GDPR.check_extension(received, D(2024, 6, 3), "too late", already_extended=False)
    with pytest.raises(ValidationError, match="once"):
        GDPR.check_extension(received, D(2024, 5, 10), "again", already_extended=True)
    with pytest.raises(ValidationError, match="reasons"):
        GDPR.check_extension(received, D(2024, 5, 10), " ", already_extended=False)


def test_overdue_means_past_the_deadline_and_not_complete() -> None:
    assert is_overdue(D(2024, 6, 2), D(2024, 6, 3), complete=False)
    assert not is_overdue(D(2024, 6, 2), D(2024, 6, 2), complete=False)
    assert not is_overdue(D(2024, 6, 2), D(2024, 9, 1), complete=True)
