"""Closed vocabularies of the data map: roles, legal bases, transfer mechanisms, source kinds.

These are the values the seed files, the graph and the GraphQL enums share. Adding a value here is a
schema change: the seed validator and the GraphQL enums follow it automatically.
"""

from __future__ import annotations

from enum import StrEnum


class FlowTrigger(StrEnum):
    """When a flow carries data: routinely, or only on an event (a contingent flow).

    Data that may go somewhere only when something happens has not gone there until a disclosure is observed: a
    contingent destination is shown apart in lineage ("may go there when ..."), and it is in an erasure plan and
    in an Art. 19 list (GDPR Art. 19: recipients "to whom the personal data have been disclosed") only then.
    """

    ROUTINE = "routine"
    LEGAL_REQUEST = "legal_request"  # a court order, an authority's demand, a legal claim or suspected fraud
    CORPORATE_TRANSACTION = "corporate_transaction"  # a merger, sale, reorganisation or insolvency
    ACCOUNT_CONNECTION = "account_connection"  # the person connects an account of another service
    PUBLICATION = "publication"  # the person makes something public
    CONSENT = "consent"  # the person consents to this particular disclosure

    @property
    def when(self) -> str:
        """The event, as words that complete "may go there when ..."."""
        return _WHEN[self]


_WHEN = {
    FlowTrigger.ROUTINE: "the data is processed as usual",
    FlowTrigger.LEGAL_REQUEST: "a court, an authority or a legal claim requires it, or fraud is suspected",
    FlowTrigger.CORPORATE_TRANSACTION: "the business is reorganised, sold or merged",
    FlowTrigger.ACCOUNT_CONNECTION: "the person connects their account with that service",
    FlowTrigger.PUBLICATION: "the person makes the information public",
    FlowTrigger.CONSENT: "the person consents to it",
}


class Relationship(StrEnum):
    """The kind of relationship a subject has with the business (Cal. Civ. Code §1798.83(e)(1): a "customer" has
    an established business relationship "primarily for personal, family, or household purposes")."""

    PERSONAL = "personal"  # personal, family or household purposes: a consumer
    BUSINESS = "business"  # on behalf of a business: a customer's representative, a lead at a company
    NONE = "none"  # no established business relationship (a visitor, a lead)


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

    @property
    def words(self) -> str:
        """The basis as Art. 6(1) names it, with its point."""
        return _BASIS_WORDS[self]


_BASIS_WORDS = {
    LegalBasis.CONSENT: "your consent (GDPR Art. 6(1)(a))",
    LegalBasis.CONTRACT: "the performance of a contract with you, or steps you asked for before one (Art. 6(1)(b))",
    LegalBasis.LEGAL_OBLIGATION: "compliance with a legal obligation (Art. 6(1)(c))",
    LegalBasis.VITAL_INTERESTS: "the protection of vital interests (Art. 6(1)(d))",
    LegalBasis.PUBLIC_TASK: "a task in the public interest (Art. 6(1)(e))",
    LegalBasis.LEGITIMATE_INTERESTS: "legitimate interests (Art. 6(1)(f))",
}


class RetentionBasis(StrEnum):
    """Why data is kept: a business need, or a legal ground that overrides erasure (Art. 17(3))."""

    BUSINESS_NEED = "business_need"
    CONTRACT = "contract"
    LEGAL_OBLIGATION_TAX = "legal_obligation_tax"
    LEGAL_OBLIGATION_ACCOUNTING = "legal_obligation_accounting"
    LEGAL_CLAIMS = "legal_claims"


class TransferMechanism(StrEnum):
    """Chapter V GDPR, UK GDPR and Swiss FADP transfer tools."""

    ADEQUACY = "adequacy"
    EU_US_PRIVACY_SHIELD = "eu_us_privacy_shield"
    SWISS_US_PRIVACY_SHIELD = "swiss_us_privacy_shield"
    EU_US_DPF = "eu_us_dpf"
    SWISS_US_DPF = "swiss_us_dpf"
    UK_EXTENSION = "uk_extension"  # UK Extension to the EU-US DPF ("UK-US data bridge"), UK exporters only
    SCC_2010 = "scc_2010"  # the SCCs before 2021/914: Decisions 2001/497/EC, 2004/915/EC, 2010/87/EU
    SCC_2021 = "scc_2021"
    UK_IDTA = "uk_idta"  # the UK International Data Transfer Agreement (UK GDPR Art. 46(2)(d))
    UK_ADDENDUM = "uk_addendum"  # the UK Addendum to the 2021 EU SCCs (UK GDPR Art. 46(2)(d))
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
