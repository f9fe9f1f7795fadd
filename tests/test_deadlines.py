"""Deadline rules, without the database: calendar months, leap years, business days, extensions."""

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


def test_gdpr_extensions_add_up_to_two_further_months_in_all_notified_within_the_first_month() -> None:
    """Art. 12(3): "may be extended by two further months"; the person is told of "any such extension" within one
    month of receipt. One month and then another is as lawful as two at once; a third is not."""
    received = D(2024, 5, 2)  # first deadline 2024-06-02, latest 2024-08-02
    assert GDPR.check_extension(received, D(2024, 6, 2), "complex request", None) == D(2024, 8, 2)
    once = GDPR.check_extension(received, D(2024, 5, 10), "many requests", None, months=1)
    assert once == D(2024, 7, 2)
    assert GDPR.check_extension(received, D(2024, 5, 20), "still complex", once, months=1) == D(2024, 8, 2)
    with pytest.raises(ValidationError, match="two further months in all"):
        GDPR.check_extension(received, D(2024, 5, 20), "more", D(2024, 8, 2))
    with pytest.raises(ValidationError, match="past 2024-08-02"):
        GDPR.check_extension(received, D(2024, 5, 20), "more", once, months=2)
    for months in (0, 3, 100_000, -30_000):  # refused before any date is computed (no year 10359)
        with pytest.raises(ValidationError, match="give 1 or 2"):
            GDPR.check_extension(received, D(2024, 5, 20), "more", None, months=months)
    with pytest.raises(ValidationError, match="within the first period"):
        GDPR.check_extension(received, D(2024, 6, 3), "too late", None)
    with pytest.raises(ValidationError, match="reasons"):
        GDPR.check_extension(received, D(2024, 5, 10), " ", None)


def test_a_ccpa_extension_is_45_days_once() -> None:
    received = D(2024, 12, 20)
    assert CCPA.check_extension(received, D(2025, 1, 10), "complex", None) == D(2025, 3, 20)
    with pytest.raises(ValidationError, match="one extension of 45 days"):
        CCPA.check_extension(received, D(2025, 1, 11), "again", D(2025, 3, 20))
    with pytest.raises(ValidationError, match="give no months"):
        CCPA.check_extension(received, D(2025, 1, 10), "complex", None, months=1)


def test_overdue_means_past_the_deadline_and_not_complete() -> None:
    assert is_overdue(D(2024, 6, 2), D(2024, 6, 3), complete=False)
    assert not is_overdue(D(2024, 6, 2), D(2024, 6, 2), complete=False)
    assert not is_overdue(D(2024, 6, 2), D(2024, 9, 1), complete=True)
