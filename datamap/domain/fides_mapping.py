"""The map in fideslang's terms (Fides' taxonomy, the `fideslang` package's own models), and the export: a seed map
as a fideslang `Taxonomy`. Pure.

What a manifest carries is a record of processing (GDPR Art. 30(1)): (a) the controller's name and contact details
as the `organization`; per system, `privacy_declarations`: (b) the purpose as a data use, with its legal basis
(Art. 6(1)), (c) the categories of data subjects and of personal data. The translation:

- data categories: our keys are fideslang's where its default taxonomy has one (`seed/data_categories.yaml`);
  the others are exported as extensions (`parent_key`: the next key up, itself default or exported);
- purposes: `PURPOSE_DATA_USES` maps each to the default data use that fits, or to one of `EXTENSION_USES`
  (an extension under the default use it belongs to); a purpose missing from the table (one added later) is
  exported as a top-level extension data use keyed like the purpose, and said so;
- subject categories: `SUBJECT_DATA_SUBJECTS` where a default data subject fits, else an extension keyed like ours;
- a system's declarations: one per purpose that uses it, with the purpose's categories the system stores
  (`categories.narrow`) and the purpose's subject categories.

`fides_import.py` reads the same tables the other way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fideslang.default_taxonomy import DEFAULT_TAXONOMY
from fideslang.models import (
    ContactDetails,
    DataCategory,
    DataSubject,
    DataUse,
    LegalBasisForProcessingEnum,
    Organization,
    PrivacyDeclaration,
    System,
    Taxonomy,
)
from pydantic import ValidationError as PydanticError

from datamap.domain import seed_entries as se
from datamap.domain.categories import ancestors, narrow, unheld
from datamap.domain.seed_model import SeedMap, _describe
from datamap.domain.vocabulary import LegalBasis
from datamap.errors import ValidationError

DEFAULT_CATEGORIES: Mapping[str, DataCategory] = {c.fides_key: c for c in DEFAULT_TAXONOMY.data_category}
DEFAULT_USES: Mapping[str, DataUse] = {u.fides_key: u for u in DEFAULT_TAXONOMY.data_use}
DEFAULT_SUBJECTS: Mapping[str, DataSubject] = {s.fides_key: s for s in DEFAULT_TAXONOMY.data_subject}

# Data uses fideslang lacks, each under the default use it belongs to: key -> (name, description).
EXTENSION_USES: Mapping[str, tuple[str, str]] = {
    "marketing.social_listening": (
        "Social media listening",
        "Follows what is said about the business on social networks and engages with the people saying it.",
    ),
    "marketing.surveys_and_contests": (
        "Surveys and contests",
        "Runs voluntary surveys and contests for marketing, notifies winners and analyses the answers.",
    ),
    "marketing.events": (
        "Events and trade shows",
        "Meets prospects at events and follows up on their contacts.",
    ),
    "sales.lead_enrichment": (
        "Lead enrichment",
        "Adds public and third-party information to what the business knows about a potential customer.",
    ),
    "sales.lead_qualification": (
        "Lead qualification",
        "Checks that a prospective customer qualifies for what it asks for during the sales process.",
    ),
    "third_party_sharing.corporate_transaction": (
        "Sharing in a corporate transaction",
        "Transfers data to a successor or buyer in a reorganisation, sale, merger or insolvency.",
    ),
}

# Our purposes (seed/purposes.yaml) -> the fideslang data use, with the words of its definition that make it fit.
PURPOSE_DATA_USES: Mapping[str, str] = {
    # "for reporting of campaign insights related to advertising and promotion": aggregates to design marketing
    "aggregated_insights": "analytics.reporting.campaign_insights",
    "social_media_listening": "marketing.social_listening",  # marketing, but no default use listens
    "marketing_requests": "sales",  # "communications and outreach": answering a prospect's request
    "sales": "sales",  # "Supports sales activities such as communications and outreach"
    "email_engagement_measurement": "analytics.reporting.campaign_insights",  # how recipients respond to emails
    "surveys_and_contests": "marketing.surveys_and_contests",  # market research and promotion: no default use
    "lead_enrichment": "sales.lead_enrichment",  # sales prospecting from third-party data: no default use
    "customer_interaction": "essential.service.operations.support",  # "Provides support for the product"
    "providing_the_platform": "essential.service",  # "the essential product ... without which [it] would not be"
    "device_optimisation": "essential.service.operations",  # "to ensure the operation of the product"
    "lead_qualification": "sales.lead_qualification",  # a check within the sales process: no default use
    "billing": "essential.service.payment_processing",  # "Essential to processes payments for the product"
    "tax_and_accounting": "finance",  # "finance and accounting activities such as audits and tax reporting"
    "business_operations": "operations",  # "business processes necessary to the organization's operation"
    "customisation": "personalize.system",  # "Personalizes the system": language, font size
    "security": "essential.service.security",  # "Essential to provide security for the product"
    "breach_response": "essential.legal_obligation",  # "a legal or compliance obligation": GDPR Art. 33, 34
    "statistics_and_research": "analytics.reporting",  # "general reporting such as system and advertising ..."
    "analytics": "analytics.reporting",  # statistical reports on how visitors use the Platform
    # "Targets advertisements based on data collected or derived about the user from use of the system"
    "interest_based_advertising": "marketing.advertising.first_party.targeted",
    "social_media_integrations": "functional.service",  # plug-ins and connected accounts: functions of the service
    "events_and_trade_shows": "marketing.events",  # promotion at events: no default use
    "marketing_partner_sharing": "third_party_sharing",  # "Transfers data to third parties"
    "affiliate_sharing": "third_party_sharing",  # affiliates are third parties to the controller
    "legal_claims_and_fraud": "essential.fraud_detection",  # "Detects possible fraud or misuse of the product"
    "law_enforcement": "third_party_sharing.legal_obligation",  # "Shares data for legal obligations"
    "business_reorganisation": "third_party_sharing.corporate_transaction",  # no default use: an extension
    "rights_request_handling": "essential.legal_obligation",  # GDPR Art. 12, 15-22; Cal. Civ. Code §1798.130
    "service_for_customers": "essential.service",  # the Service itself, run for the customers as processor
}

# Our subject categories -> fideslang's data subject where one fits; the others are extensions keyed like ours.
SUBJECT_DATA_SUBJECTS: Mapping[str, str] = {
    "customer": "customer",  # "purchases goods or services from the organization"
    "lead": "prospect",  # "to whom an organization is selling goods or services"
    "visitor": "visitor",  # visitors of the Platform
}

# GDPR Art. 6(1)(a)-(f): our basis -> fideslang's words for it
LEGAL_BASES: Mapping[LegalBasis, LegalBasisForProcessingEnum] = {
    LegalBasis.CONSENT: LegalBasisForProcessingEnum.CONSENT,
    LegalBasis.CONTRACT: LegalBasisForProcessingEnum.CONTRACT,
    LegalBasis.LEGAL_OBLIGATION: LegalBasisForProcessingEnum.LEGAL_OBLIGATION,
    LegalBasis.VITAL_INTERESTS: LegalBasisForProcessingEnum.VITAL_INTEREST,
    LegalBasis.PUBLIC_TASK: LegalBasisForProcessingEnum.PUBLIC_INTEREST,
    LegalBasis.LEGITIMATE_INTERESTS: LegalBasisForProcessingEnum.LEGITIMATE_INTEREST,
}

SYSTEM_TYPE = "Service"  # fideslang requires a type; the map's systems are the controller's own services
RESOURCES = ("organization", "system", "data_category", "data_use", "data_subject")  # the manifest's order


def data_use_of(purpose: str) -> str:
    """The fideslang data use a purpose is exported as (a purpose missing from the table: its own key)."""
    return PURPOSE_DATA_USES.get(purpose, purpose)


def data_subject_of(subject_category: str) -> str:
    """The fideslang data subject a subject category is exported as."""
    return SUBJECT_DATA_SUBJECTS.get(subject_category, subject_category)


def parent_of(key: str) -> str | None:
    """The dotted key one level up (fideslang's `parent_key`), None at the top."""
    above = ancestors(key)
    return above[-1] if above else None


@dataclass(frozen=True)
class FidesExport:
    taxonomy: Taxonomy
    notes: tuple[str, ...]  # what the manifest does not say as the map does


def _organization(seed: SeedMap) -> Organization:
    """The controller and its contact details (Art. 30(1)(a)): the first email and phone contact points."""
    (controller,) = [o for o in seed.organisations if o.controller]
    first = {
        kind: next((c.value for c in seed.contact_points if c.kind == kind), "")
        for kind in ("email", "phone")
    }
    contact = ContactDetails(
        name=controller.name, address=controller.address or "", email=first["email"], phone=first["phone"]
    )
    return Organization(
        fides_key=controller.key,
        organization_fides_key=controller.key,
        name=controller.name,
        controller=contact,
    )


def _declaration(purpose: se.Purpose, system: se.System) -> PrivacyDeclaration:
    """What `system` does for `purpose` (Art. 30(1)(b), (c)): the purpose's categories the system stores."""
    return PrivacyDeclaration(
        name=purpose.name,
        data_categories=narrow(system.categories, purpose.categories),
        data_use=data_use_of(purpose.key),
        data_subjects=[data_subject_of(s) for s in purpose.subject_categories],
        legal_basis_for_processing=LEGAL_BASES[purpose.legal_basis],
    )


def _systems(seed: SeedMap, organization: str) -> list[System]:
    return [
        System(
            fides_key=s.key,
            organization_fides_key=organization,
            name=s.name,
            description=s.description,
            system_type=SYSTEM_TYPE,
            privacy_declarations=[_declaration(p, s) for p in seed.purposes if s.key in p.systems],
        )
        for s in seed.systems
    ]


def _extension_uses(seed: SeedMap, organization: str) -> list[DataUse]:
    uses: dict[str, DataUse] = {}
    for p in seed.purposes:
        key = data_use_of(p.key)
        if key not in DEFAULT_USES and key not in uses:
            name, description = EXTENSION_USES.get(key, (p.name, p.description))
            uses[key] = DataUse(
                fides_key=key,
                organization_fides_key=organization,
                name=name,
                description=description,
                parent_key=parent_of(key),
            )
    return list(uses.values())


def _notes(seed: SeedMap) -> list[str]:
    notes = [
        f"purpose {p.key!r} has no data use in PURPOSE_DATA_USES (datamap/domain/fides_mapping.py): exported as "
        f"the extension data use {p.key!r}"
        for p in seed.purposes
        if p.key not in PURPOSE_DATA_USES
    ]
    systems = {s.key: s for s in seed.systems}
    for p in seed.purposes:
        if not p.systems:
            notes.append(
                f"purpose {p.key!r} uses no system: in no privacy declaration (Fides declares on systems)"
            )
            continue
        held = [c for s in p.systems for c in systems[s].categories]
        missing = unheld(held, p.categories)
        if missing:
            notes.append(
                f"purpose {p.key!r}: {', '.join(missing)} stored in none of its systems, in none of its declarations"
            )
    return notes


def taxonomy_of(seed: SeedMap) -> FidesExport:
    """The map as a fideslang taxonomy: the controller, the systems and their declarations, the extensions."""
    organization = _organization(seed)
    key = organization.fides_key
    categories = [
        DataCategory(
            fides_key=c.key,
            organization_fides_key=key,
            name=c.name,
            description=c.description,
            parent_key=parent_of(c.key),
        )
        for c in seed.data_categories
        if c.key not in DEFAULT_CATEGORIES
    ]
    subjects = [
        DataSubject(fides_key=s.key, organization_fides_key=key, name=s.name, description=s.description)
        for s in seed.subject_categories
        if data_subject_of(s.key) not in DEFAULT_SUBJECTS
    ]
    taxonomy = Taxonomy(
        organization=[organization],
        system=_systems(seed, key),
        data_category=categories,
        data_use=_extension_uses(seed, key),
        data_subject=subjects,
    )
    return FidesExport(taxonomy=taxonomy, notes=tuple(_notes(seed)))


def manifest_of(taxonomy: Taxonomy) -> dict[str, Any]:
    """The manifest's document: a top-level dict of resource lists, fideslang's defaults left out."""
    data = taxonomy.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return {name: data[name] for name in RESOURCES if data.get(name)}


def read_taxonomy(document: Any, where: str) -> Taxonomy:
    """A manifest's document as fideslang's `Taxonomy`; `ValidationError` naming `where` and what is wrong."""
    if not isinstance(document, dict):
        raise ValidationError(f"{where}: a fideslang manifest is a mapping of resource types to lists")
    unknown = sorted(set(document) - set(Taxonomy.model_fields))
    if unknown:
        raise ValidationError(
            f"{where}: {', '.join(map(repr, unknown))} is no fideslang resource type "
            f"(expected {', '.join(Taxonomy.model_fields)})"
        )
    try:
        return Taxonomy.model_validate({name: value or [] for name, value in document.items()})
    except PydanticError as exc:
        raise ValidationError(f"{where}: not a fideslang manifest: {_describe(exc)}") from None
    except TypeError:  # fideslang sorts a system's declarations by name, and cannot sort a missing one
        raise ValidationError(
            f"{where}: not a fideslang manifest: a system with several privacy declarations needs a name on each"
        ) from None
