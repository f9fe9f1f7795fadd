"""Identifiers are normalised, then keyed-hashed; nothing of the raw value survives."""

import hashlib
import hmac

import pytest

from datamap.domain.identifiers import parse_identifiers
from datamap.errors import ValidationError

SECRET = b"k" * 32


def test_email_is_trimmed_and_lower_cased_before_hashing() -> None:
    (a,) = parse_identifiers(email="  Anna.Jansen@Example.COM ")
    (b,) = parse_identifiers(email="anna.jansen@example.com")
    assert a == b
    assert a.keyed_hash(SECRET) == b.keyed_hash(SECRET)
    # the documented digest: HMAC-SHA256 keyed with the secret over `kind:normalised value`, hex
    expected = hmac.new(SECRET, b"email:anna.jansen@example.com", hashlib.sha256).hexdigest()
    assert a.keyed_hash(SECRET) == expected
    assert a.keyed_hash(b"another-secret-of-32-bytes-long!") != expected


def test_phone_numbers_in_any_format_normalise_to_e164() -> None:
    (a,) = parse_identifiers(phone="+1 (415) 555-0134")
    (b,) = parse_identifiers(phone="+14155550134")
    assert a.value == "+14155550134" == b.value


def test_the_hash_depends_on_the_secret_and_the_kind() -> None:
    (email,) = parse_identifiers(email="x@example.com")
    (ext,) = parse_identifiers(external_id="x@example.com")
    assert email.keyed_hash(SECRET) != email.keyed_hash(b"other-secret-value")
    assert email.keyed_hash(SECRET) != ext.keyed_hash(SECRET)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"phone": "555-0134"}, "country code"),
        ({"phone": "+1 2"}, "phone"),
        ({"external_id": "   "}, "externalId"),
        ({}, "at least one identifier"),
    ],
)
def test_malformed_identifiers_are_rejected_naming_the_field(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_identifiers(**kwargs)
