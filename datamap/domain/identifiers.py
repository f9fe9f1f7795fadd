"""Subject identifiers: normalisation and keyed hashing. The graph only ever sees the hash."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from datamap.domain.vocabulary import IdentifierKind
from datamap.errors import ValidationError


@dataclass(frozen=True)
class SubjectIdentifier:
    """One normalised identifier of a data subject (raw value: keep it out of the graph and the logs)."""

    kind: IdentifierKind
    value: str

    def keyed_hash(self, secret: bytes) -> str:
        """HMAC-SHA256 over `kind:value`, hex: equal identifiers hash equal, nothing can be read back."""
        message = f"{self.kind.value}:{self.value}".encode()
        return hmac.new(secret, message, hashlib.sha256).hexdigest()


def normalise_email(raw: str) -> str:
    """Trim and lower-case; reject what is not an email address."""
    value = raw.strip().lower()
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(f"email: not a valid email address ({exc})") from None
    return value


# A phone number as people write it: digits, an optional leading +, spaces and the usual separators. Anything
# else (letters, `ext. 12`, `#12`, trailing text) is refused: phonenumbers would drop it or read an extension,
# and two different inputs would silently become the same subject.
_PHONE_CHARACTERS = re.compile(r"\+?[0-9 ().\-/]+")


def normalise_phone(raw: str, default_region: str | None = None) -> str:
    """E.164 (`+31205550101`). Numbers without a country code need `default_region` (ISO alpha-2)."""
    value = raw.strip()
    if not _PHONE_CHARACTERS.fullmatch(value):
        raise ValidationError(
            "phone: only digits, a leading +, spaces and ( ) . - / are accepted, no extension or other text; "
            "give the number with its country code, e.g. +1 415 555 0134"
        )
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            f"phone: {exc}; give the number with its country code, e.g. +1 415 555 0134"
        ) from None
    if not phonenumbers.is_possible_number(number):
        raise ValidationError("phone: not a possible phone number for its country code")
    if number.extension:
        raise ValidationError("phone: an extension is not part of a subject's number; give the number alone")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def normalise_external_id(raw: str) -> str:
    value = raw.strip()
    if not value:
        raise ValidationError("externalId: empty")
    if len(value) > 256:
        raise ValidationError("externalId: longer than 256 characters")
    return value


def parse_identifiers(
    *,
    email: str | None = None,
    phone: str | None = None,
    external_id: str | None = None,
    phone_region: str | None = None,
) -> list[SubjectIdentifier]:
    """Normalise whichever identifiers are given; at least one is required."""
    found: list[SubjectIdentifier] = []
    if email is not None:
        found.append(SubjectIdentifier(IdentifierKind.EMAIL, normalise_email(email)))
    if phone is not None:
        found.append(SubjectIdentifier(IdentifierKind.PHONE, normalise_phone(phone, phone_region)))
    if external_id is not None:
        found.append(SubjectIdentifier(IdentifierKind.EXTERNAL_ID, normalise_external_id(external_id)))
    if not found:
        raise ValidationError("subject: give at least one identifier (email, phone or externalId)")
    return found
