"""Browsing the map: one statement per GraphQL root field, each returning complete rows."""

from __future__ import annotations

from typing import LiteralString

_VALID: LiteralString = "n.validFrom <= $asOf AND (n.validTo IS NULL OR n.validTo > $asOf)"
_VALID_FLOW: LiteralString = "f.validFrom <= $asOf AND (f.validTo IS NULL OR f.validTo > $asOf)"

DATA_CATEGORIES: LiteralString = (
    """
MATCH (n:DataCategory) WHERE """
    + _VALID
    + """
  AND ($under IS NULL OR n.key = $under OR n.key STARTS WITH $under + '.')
RETURN n {.*, parent: [(n)-[:SUBCATEGORY_OF]->(p:DataCategory) | p.key][0],
          children: [(c:DataCategory)-[:SUBCATEGORY_OF]->(n) | c.key]} AS row
ORDER BY n.key
"""
)

PURPOSES: LiteralString = (
    """
MATCH (n:Purpose) WHERE """
    + _VALID
    + """
RETURN n {.*, categories: [(n)-[:PROCESSES]->(c:DataCategory) | c.key],
          subjectCategories: [(n)-[:CONCERNS]->(c:SubjectCategory) | c.key],
          systems: [(n)-[:USES]->(s:System) | s.key]} AS row
ORDER BY n.key
"""
)

SOURCES: LiteralString = (
    """
MATCH (n:Source) WHERE """
    + _VALID
    + """
RETURN n {.*, feeds: [(n)-[f:FLOWS_TO]->(t:System|Recipient) WHERE """
    + _VALID_FLOW
    + """ | t.key]} AS row
ORDER BY n.key
"""
)

SYSTEMS: LiteralString = (
    """
MATCH (n:System) WHERE """
    + _VALID
    + """
RETURN n {.*, categories: [(n)-[:STORES]->(c:DataCategory) | c.key],
          operatorName: [(n)-[:OPERATED_BY]->(o:Organisation) | o.name][0]} AS row
ORDER BY n.key
"""
)

RECIPIENTS: LiteralString = (
    """
MATCH (n:Recipient) WHERE """
    + _VALID
    + """ AND ($role IS NULL OR n.role = $role)
RETURN n {.*, categories: reduce(acc = [], f IN [(n)<-[f:FLOWS_TO]-(:Source|System) WHERE """
    + _VALID_FLOW
    + """ | f] |
          acc + [c IN f.categories WHERE NOT c IN acc])} AS row
ORDER BY n.key
"""
)

TRANSFERS: LiteralString = (
    """
MATCH (n:Transfer) WHERE """
    + _VALID
    + """
MATCH (n)-[:EXPORTER]->(exp:Organisation)
MATCH (n)-[:IMPORTER]->(imp:Organisation)
RETURN n {.*, exporter: exp {.key, .name, .country}, importer: imp {.key, .name, .country},
          categories: [(n)-[:CARRIES]->(c:DataCategory) | c.key],
          importerCertifications: [(imp)-[:HOLDS_CERTIFICATION]->(c:Certification) | c {.*}]} AS row
ORDER BY n.key
"""
)

SUBJECT_CATEGORIES: LiteralString = (
    """
MATCH (n:SubjectCategory) WHERE """
    + _VALID
    + """
RETURN n {.*} AS row
ORDER BY n.key
"""
)

ORGANISATIONS: LiteralString = (
    """
MATCH (n:Organisation) WHERE """
    + _VALID
    + """
RETURN n {.*, roles: [(r:Recipient)-[:IS]->(n) WHERE r.validFrom <= $asOf AND (r.validTo IS NULL OR r.validTo > $asOf)
                      | r {.key, .role}],
          certifications: [(n)-[:HOLDS_CERTIFICATION]->(c:Certification) | c {.*}]} AS row
ORDER BY n.key
"""
)

RETENTION_RULES: LiteralString = (
    """
MATCH (n:RetentionRule) WHERE """
    + _VALID
    + """
RETURN n {.*, categories: [(n)-[:APPLIES_TO]->(c:DataCategory) | c.key],
          systems: [(n)-[:APPLIES_IN]->(s:System) | s.key]} AS row
ORDER BY n.key
"""
)

SUBJECT: LiteralString = """
MATCH (i:Identifier)-[:IDENTIFIES]->(s:Subject) WHERE i.hash IN $hashes
WITH DISTINCT s
RETURN s {.id, .country, .createdAt, .erasedAt,
  identifierKinds: [(j:Identifier)-[:IDENTIFIES]->(s) | j.kind],
  subjectCategories: [(s)-[m:MEMBER_OF]->(c:SubjectCategory) | {key: c.key, name: c.name, since: m.since}],
  records: [(s)-[h:HELD_IN]->(sys:System) | {id: h.id, system: sys.key, systemName: sys.name,
            source: h.source, categories: h.categories, at: h.at}],
  disclosures: [(s)-[d:DISCLOSED_TO]->(r:Recipient) | {id: d.id, recipient: r.key, recipientName: r.name,
                role: r.role, purpose: d.purpose, categories: d.categories, at: d.at}]
} AS row
"""

COUNTS: LiteralString = """
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
RETURN nodes, relationships
"""
