"""Reports: one statement each, computed from the graph as of a date.

Disclosure windows are half-open: `$from <= d.at < $to` (instants: the caller decides whose calendar days they
bound), served by the index on DISCLOSED_TO.at for the business-wide report.
"""

from __future__ import annotations

from typing import LiteralString

from datamap.graph.lineage_queries import SUBJECT_LINEAGE_BODY, SUBJECT_LINEAGE_RETURN

_RECIPIENT: LiteralString = (
    "r {.key, .name, .role, .kind, .legalEntity, .organisation, .organisationName, .address, .country, "
    ".marketingExamples}"
)
_BUSINESS: LiteralString = """
CALL () {
  OPTIONAL MATCH (n:Notice)-[:PUBLISHED_BY]->(c:Organisation)
  RETURN n {.shineTheLightRoute, .securityMeasures, .title, .effective} AS notice,
         c {.key, .name, .address, .country} AS controller
  ORDER BY n.effective DESC
  LIMIT 1
}
CALL () {
  MATCH (c:DataCategory) WHERE c.statutoryCategory IS NOT NULL
  RETURN collect(c {.key, .statutoryCategory}) AS statutory
}
"""

STL_CUSTOMER: LiteralString = (
    _BUSINESS
    + """
CALL () {
  OPTIONAL MATCH (i:Identifier)-[:IDENTIFIES]->(s:Subject) WHERE i.hash IN $hashes
  WITH DISTINCT s
  OPTIONAL MATCH (s)-[d:DISCLOSED_TO]->(r:Recipient) WHERE d.at >= $from AND d.at < $to
  OPTIONAL MATCH (p:Purpose {key: d.purpose})
  RETURN collect(DISTINCT s.id) AS subjects,
         collect(CASE WHEN d IS NULL THEN null ELSE {at: d.at, categories: d.categories,
           purpose: p {.key, .thirdPartyDirectMarketing}, recipient: """
    + _RECIPIENT
    + """} END) AS disclosures
}
CALL (subjects) {
  OPTIONAL MATCH (q:ShineTheLightRequest {key: coalesce(head(subjects), $fallbackId) + ':' + toString($year)})
  RETURN q {.*} AS previous
}
RETURN notice, controller, statutory, subjects, disclosures, previous
"""
)

STL_STANDARD: LiteralString = (
    _BUSINESS
    + """
CALL () {
  MATCH (p:Purpose) WHERE p.thirdPartyDirectMarketing
  MATCH (:Subject)-[d:DISCLOSED_TO]->(r:Recipient) WHERE d.at >= $from AND d.at < $to AND d.purpose = p.key
  WITH r, p, collect(d.categories) AS lists
  RETURN collect({categories: reduce(acc = [], l IN lists | acc + [c IN l WHERE NOT c IN acc]),
                  purpose: p {.key, .thirdPartyDirectMarketing}, recipient: """
    + _RECIPIENT
    + """}) AS disclosures
}
RETURN notice, controller, statutory, disclosures
"""
)

SAVE_STL_REQUEST: LiteralString = """
MERGE (q:ShineTheLightRequest {key: $request.key})
ON CREATE SET q = $request
RETURN q {.*} AS request
"""

ACCESS_REPORT: LiteralString = (
    SUBJECT_LINEAGE_BODY
    + _BUSINESS
    + """
CALL () {
  MATCH (r:RetentionRule) WHERE r.validFrom <= $asOf AND (r.validTo IS NULL OR r.validTo > $asOf)
  RETURN collect(r {.key, .name, .basis, .period, .criteria,
                    categories: [(r)-[:APPLIES_TO]->(c:DataCategory) | c.key]}) AS retention
}
CALL () {
  MATCH (x:Right) WHERE x.validFrom <= $asOf AND (x.validTo IS NULL OR x.validTo > $asOf)
  RETURN collect(x {.key, .name, .law, .article, .description}) AS rights
}
CALL () {
  MATCH (cp:ContactPoint) RETURN collect(cp {.kind, .value, .scope}) AS contacts
}
CALL () {
  MATCH (t:Transfer)-[:IMPORTER]->(imp:Organisation)
  RETURN collect({key: t.key, certifications: [(imp)-[:HOLDS_CERTIFICATION]->(c:Certification) | c {.*}]})
         AS certifications
}
"""
    + SUBJECT_LINEAGE_RETURN
    + ", notice, controller, retention, rights, contacts, certifications"
)

ROPA: LiteralString = (
    _BUSINESS
    + """
CALL () {
  MATCH (p:Purpose) WHERE p.validFrom <= $asOf AND (p.validTo IS NULL OR p.validTo > $asOf)
  RETURN collect(p {.*,
    categories: [(p)-[:PROCESSES]->(c:DataCategory) | c.key],
    subjectCategories: [(p)-[:CONCERNS]->(sc:SubjectCategory) | sc.name],
    systems: [(p)-[:USES]->(s:System) | s.key],
    recipients: [(:Source|System)-[f:FLOWS_TO]->(r:Recipient)
                 WHERE p.key IN f.purposes AND f.validFrom <= $asOf AND (f.validTo IS NULL OR f.validTo > $asOf)
                 | r {.key, .name, .role, .kind, .country}]
  }) AS purposes
}
CALL () {
  MATCH (t:Transfer)-[:IMPORTER]->(imp:Organisation)
  WHERE t.validFrom <= $asOf AND (t.validTo IS NULL OR t.validTo > $asOf)
  MATCH (t)-[:EXPORTER]->(exp:Organisation)
  RETURN collect(t {.key, .mechanism, .fromCountries, .toCountries, .tiaReviewDate,
                    exporter: exp.name, importer: imp.name,
                    categories: [(t)-[:CARRIES]->(c:DataCategory) | c.key],
                    certifications: [(imp)-[:HOLDS_CERTIFICATION]->(c:Certification) | c {.*}]}) AS transfers
}
CALL () {
  MATCH (r:RetentionRule) WHERE r.validFrom <= $asOf AND (r.validTo IS NULL OR r.validTo > $asOf)
  RETURN collect(r {.key, .name, .basis, .period, .criteria,
                    categories: [(r)-[:APPLIES_TO]->(c:DataCategory) | c.key]}) AS retention
}
CALL () {
  MATCH (cp:ContactPoint) RETURN collect(cp {.kind, .value, .scope}) AS contacts
}
RETURN notice, controller, purposes, transfers, retention, contacts
"""
)

TRANSFER_REGISTER: LiteralString = """
MATCH (t:Transfer)-[:IMPORTER]->(imp:Organisation)
WHERE t.validFrom <= $asOf AND (t.validTo IS NULL OR t.validTo > $asOf)
MATCH (t)-[:EXPORTER]->(exp:Organisation)
RETURN t {.*, exporter: exp {.key, .name, .country}, importer: imp {.key, .name, .country},
          categories: [(t)-[:CARRIES]->(c:DataCategory) | c.key],
          certifications: [(imp)-[:HOLDS_CERTIFICATION]->(c:Certification) | c {.*}]} AS transfer
ORDER BY t.key
"""
