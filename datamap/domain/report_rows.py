"""The rows the report statements return, as the pure report builders read them. Types only.

Keys are the statements' column and Neo4j property names. A map projection (`n {.a, .b}`) has every key it
names, null when the node lacks the property; `n {.*}` has only the properties the node has (`NotRequired`).
`datamap.graph.report_queries` returns these; the builders in `ropa`, `shine_the_light` and `access_report`
take them.
"""

from __future__ import annotations

import datetime as dt
from typing import NotRequired, TypedDict

from datamap.domain.lineage_rows import SubjectLineageRow


class NoticeRow(TypedDict):
    """The newest privacy notice: `n {.shineTheLightRoute, .securityMeasures, .title, .effective}`."""

    shineTheLightRoute: str | None
    securityMeasures: str | None
    title: str | None
    effective: dt.date | None


class OrganisationRow(TypedDict, total=False):
    """The controller that published the notice: `c {.key, .name, .address, .country}`. Empty (`{}`) where a
    builder has no controller to name, hence not total."""

    key: str
    name: str
    address: str | None
    country: str | None


class BusinessRow(TypedDict):
    """The columns every report statement starts with (`_BUSINESS`); null when the map has no notice."""

    notice: NoticeRow | None
    controller: OrganisationRow | None


class StatutoryRow(TypedDict):
    """A data category with its Shine-the-Light letter: `c {.key, .statutoryCategory}`."""

    key: str
    statutoryCategory: str


class StlRecipient(TypedDict):
    """A recipient as the Shine-the-Light statements project it."""

    key: str
    name: str
    role: str
    kind: str
    legalEntity: bool | None
    organisation: str | None
    organisationName: str | None
    address: str | None
    country: str | None
    marketingExamples: str | None
    ownDirectMarketing: bool | None  # what the business knows: the recipient uses it for its own marketing


class StlPurpose(TypedDict):
    key: str
    thirdPartyDirectMarketing: bool | None


class StlDisclosure(TypedDict):
    """Categories disclosed to a recipient for a purpose (null when the purpose is not in the map)."""

    categories: list[str]
    purpose: StlPurpose | None
    recipient: StlRecipient


class DatedStlDisclosure(StlDisclosure):
    """One recorded disclosure of the customer's data (STL_CUSTOMER)."""

    at: dt.datetime


class CertificationRow(TypedDict):
    """An importer's certification: `c {.*}` of a Certification node."""

    key: str
    program: str
    organisation: str
    validFrom: dt.date
    validTo: NotRequired[dt.date]
    note: NotRequired[str]


class RetentionRow(TypedDict):
    """A retention rule in force: `r {.key, .name, .basis, .period, .criteria, categories, systems}`."""

    key: str
    name: str
    basis: str
    period: str | None
    criteria: str
    categories: list[str]
    systems: list[str]  # where it applies (the systems holding the retained records); empty: wherever stored


class ContactRow(TypedDict):
    """A contact point of the controller: `cp {.kind, .value, .scope}`."""

    kind: str
    value: str
    scope: str | None


class RightRow(TypedDict):
    """A right in force: `x {.key, .name, .law, .article, .description}`."""

    key: str
    name: str
    law: str
    article: str | None
    description: str | None


class RopaRecipient(TypedDict):
    """A recipient a purpose's data flows to: `r {.key, .name, .role, .kind, .country}`."""

    key: str
    name: str
    role: str
    kind: str
    country: str | None


class RopaPurpose(TypedDict):
    """A purpose in force: `p {.*}` with what it processes, concerns, uses and where its data flows."""

    key: str
    name: str
    legalBasis: str
    description: NotRequired[str]
    actingAs: NotRequired[str]
    controllers: NotRequired[str]
    legitimateInterest: NotRequired[str]
    thirdPartyDirectMarketing: NotRequired[bool]
    validFrom: dt.date
    validTo: NotRequired[dt.date]
    categories: list[str]
    subjectCategories: list[str]
    systems: list[str]
    controllerOrganisations: list[
        OrganisationRow
    ]  # when acting as processor: on whose behalf (Art. 30(2)(a))
    recipients: list[RopaRecipient]


class TransferTermsRow(TypedDict):
    """A transfer's terms (`t {.*}` of a Transfer node) with its importer's certifications: what the validity of
    its mechanism is judged on (`transfer_safeguards.facts_of`)."""

    key: str
    mechanism: str
    fromCountries: list[str]
    toCountries: list[str]
    validFrom: dt.date
    tiaReviewDate: NotRequired[dt.date]
    contractDate: NotRequired[dt.date]
    certifications: list[CertificationRow]


class RopaTransfer(TransferTermsRow):
    """A transfer in force, with its exporter's and importer's names and the categories it carries."""

    exporter: str
    importer: str
    categories: list[str]
    onBehalfOf: NotRequired[
        list[str]
    ]  # the controllers a processor makes it for (Art. 30(2)(c)); else its own


class RopaRow(BusinessRow):
    """The ROPA statement's row."""

    purposes: list[RopaPurpose]
    transfers: list[RopaTransfer]
    retention: list[RetentionRow]
    contacts: list[ContactRow]


class TransferCertifications(TypedDict):
    """A transfer's importer's certifications: `{key: t.key, certifications: [...]}`."""

    key: str
    certifications: list[CertificationRow]


class CategoryNameRow(TypedDict):
    """A data category's key and its name in words."""

    key: str
    name: str


class AccessReportRow(SubjectLineageRow):
    """The ACCESS_REPORT statement's row: the SUBJECT_LINEAGE row with the business facts."""

    notice: NoticeRow | None
    controller: OrganisationRow | None
    retention: list[RetentionRow]  # the rules for a category related to one held, with those categories only
    rights: list[RightRow]
    contacts: list[ContactRow]
    certifications: list[TransferCertifications]
    categoryNames: list[CategoryNameRow]
