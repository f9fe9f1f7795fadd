"""Closed vocabularies of the data map: roles, legal bases, transfer mechanisms, source kinds.

These are the values the seed files, the graph and the GraphQL enums share. Adding a value here is a
schema change: the seed validator and the GraphQL enums follow it automatically.
"""

from __future__ import annotations

from enum import StrEnum


class RecipientRole(StrEnum):
    """The role an organisation plays towards the controller on one relationship."""

    CONTROLLER = "controller"
    JOINT_CONTROLLER = "joint_controller"
    PROCESSOR = "processor"  # GDPR processor; CCPA/Shine-the-Light service provider
    AFFILIATE = "affiliate"
    THIRD_PARTY = "third_party"
    AUTHORITY = "authority"
    SUCCESSOR = "successor"


class LegalBasis(StrEnum):
    """GDPR Art. 6(1) lawful bases."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"


class RetentionBasis(StrEnum):
    """Why data is kept: a business need, or a legal ground that overrides erasure (Art. 17(3))."""

    BUSINESS_NEED = "business_need"
    CONTRACT = "contract"
    LEGAL_OBLIGATION_TAX = "legal_obligation_tax"
    LEGAL_OBLIGATION_ACCOUNTING = "legal_obligation_accounting"
    LEGAL_CLAIMS = "legal_claims"


class TransferMechanism(StrEnum):
    """Chapter V GDPR (and Swiss FADP) transfer tools."""

    ADEQUACY = "adequacy"
    EU_US_PRIVACY_SHIELD = "eu_us_privacy_shield"
    SWISS_US_PRIVACY_SHIELD = "swiss_us_privacy_shield"
    EU_US_DPF = "eu_us_dpf"
    SWISS_US_DPF = "swiss_us_dpf"
    SCC_2010 = "scc_2010"
    SCC_2021 = "scc_2021"
    BCR = "bcr"
    DEROGATION = "derogation"


class SourceKind(StrEnum):
    """How data reaches the controller (seed §7)."""

    DEVICE = "device"
    APP = "app"
    DIRECT = "direct"
    THIRD_PARTY_SITE = "third_party_site"
    SOCIAL_MEDIA = "social_media"
    PUBLIC = "public"
    THIRD_PARTY = "third_party"


class IdentifierKind(StrEnum):
    """Kinds of subject identifier; each is normalised, then keyed-hashed, never stored raw."""

    EMAIL = "email"
    PHONE = "phone"
    EXTERNAL_ID = "external_id"
