"""Example queries preloaded in GraphiQL (they work on the seed)."""

from __future__ import annotations

LEAD_EMAIL_LINEAGE = """query WhereDidTheLeadsEmailGo {
  subjectLineage(subject: {email: "anna.jansen@example.com"}, category: "user.contact.email") {
    subjectId
    truncated
    sources { key name observed }
    systems { key name observed }
    purposes { key name legalBasis observed }
    recipients {
      key name role country observed
      paths { observed categories steps { kind key via at } }
    }
    transfers { key mechanism fromCountries toCountries importer { name } }
    contingent { recipients { key name when } }
  }
}
"""

LOG_DATA_RECIPIENTS = """query WhoReceivesLogAndTrafficData {
  categoryLineage(category: "user.device") {
    recipients { key name role country categories }
    transfers { key mechanism fromCountries toCountries }
  }
}
"""

MAP_OVERVIEW = """query ProcessorsAndTransfers {
  recipients(role: PROCESSOR) { key name kind country }
  transfers(asOf: "2019-06-01") { key mechanism exporter { name } importer { name } fromCountries toCountries }
}
"""

SUBJECT_RECORD = """query WhatWeHoldAboutOneSubject {
  subject(subject: {phone: "+1 415 555 0134"}) {
    id country firstRecorded identifierKinds
    subjectCategories { key since }
    records { system source categories at }
    disclosures { recipient role purpose categories at }
  }
}
"""

ERASURE_PLAN = """query ErasurePlanOfACustomer {
  erasurePlan(subject: {email: "jordan.reyes@example.com"}) {
    warnings
    tasks { stage key action target categories legalGround dependsOn restrictedUntil }
    recipients { key name role country observed }
  }
}
"""

EXAMPLES: list[tuple[str, str]] = [
    ("Where did a lead's email go?", LEAD_EMAIL_LINEAGE),
    ("Who receives device and log data?", LOG_DATA_RECIPIENTS),
    ("Processors and transfers", MAP_OVERVIEW),
    ("What we hold about one subject", SUBJECT_RECORD),
    ("Erasure plan of a customer", ERASURE_PLAN),
]
