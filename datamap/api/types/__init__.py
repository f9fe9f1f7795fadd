"""GraphQL types: translation only, no Cypher."""

from datamap.api.types.common import (
    LegalBasisEnum,
    MechanismEnum,
    NodeKindEnum,
    Party,
    Provenance,
    RecipientRoleEnum,
    SourceKindEnum,
    SubjectInput,
)
from datamap.api.types.lineage import CategoryLineage, SubjectLineage, reached_lists
from datamap.api.types.map import (
    DataCategory,
    Organisation,
    Purpose,
    Recipient,
    RetentionRule,
    Source,
    SubjectCategory,
    System,
    Transfer,
)
from datamap.api.types.subjects import CollectionInput, DisclosureInput, RecordResult, Subject

__all__ = [
    "CategoryLineage",
    "CollectionInput",
    "DataCategory",
    "DisclosureInput",
    "LegalBasisEnum",
    "MechanismEnum",
    "NodeKindEnum",
    "Organisation",
    "Party",
    "Provenance",
    "Purpose",
    "Recipient",
    "RecipientRoleEnum",
    "RecordResult",
    "RetentionRule",
    "Source",
    "SourceKindEnum",
    "Subject",
    "SubjectCategory",
    "SubjectInput",
    "SubjectLineage",
    "System",
    "Transfer",
    "reached_lists",
]
