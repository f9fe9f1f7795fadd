// datamap graph schema, applied idempotently at start (`datamap schema apply`, and by `serve`).
// Statements are separated by semicolons; comments start with //.
// SCHEMA_VERSION 10

// The map: every keyed label is unique on `key`.
CREATE CONSTRAINT organisation_key IF NOT EXISTS FOR (n:Organisation) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT certification_key IF NOT EXISTS FOR (n:Certification) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT data_category_key IF NOT EXISTS FOR (n:DataCategory) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT subject_category_key IF NOT EXISTS FOR (n:SubjectCategory) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT source_key IF NOT EXISTS FOR (n:Source) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT system_key IF NOT EXISTS FOR (n:System) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT purpose_key IF NOT EXISTS FOR (n:Purpose) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT recipient_key IF NOT EXISTS FOR (n:Recipient) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT transfer_key IF NOT EXISTS FOR (n:Transfer) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT retention_rule_key IF NOT EXISTS FOR (n:RetentionRule) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT right_key IF NOT EXISTS FOR (n:Right) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT deadline_key IF NOT EXISTS FOR (n:Deadline) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT contact_point_key IF NOT EXISTS FOR (n:ContactPoint) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT notice_key IF NOT EXISTS FOR (n:Notice) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT schema_version_key IF NOT EXISTS FOR (n:SchemaVersion) REQUIRE n.key IS UNIQUE;

// Flows are relationships between sources, systems and recipients; looked up by key on reload.
CREATE INDEX flow_key IF NOT EXISTS FOR ()-[r:FLOWS_TO]-() ON (r.key);
CREATE INDEX recipient_role IF NOT EXISTS FOR (n:Recipient) ON (n.role);

// The subject layer: subjects and their keyed-hash identifiers.
CREATE CONSTRAINT subject_id IF NOT EXISTS FOR (n:Subject) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT identifier_hash IF NOT EXISTS FOR (n:Identifier) REQUIRE n.hash IS UNIQUE;
// Version 4 drops two indexes no query used (records are reached from their subject): each cost every write.
DROP INDEX held_in_id IF EXISTS;
DROP INDEX disclosed_to_id IF EXISTS;
CREATE INDEX disclosed_to_at IF NOT EXISTS FOR ()-[r:DISCLOSED_TO]-() ON (r.at);
// Version 9: a disclosure names its recipient's key, so one recipient's disclosures of a period are one index
// range (recipientImpact); graphs loaded before it get the key by an upgrade step (graph/schema.py).
CREATE INDEX disclosed_to_recipient_at IF NOT EXISTS FOR ()-[r:DISCLOSED_TO]-() ON (r.recipient, r.at);

// Erasure and reports.
CREATE CONSTRAINT erasure_request_id IF NOT EXISTS FOR (n:ErasureRequest) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT erasure_task_id IF NOT EXISTS FOR (n:ErasureTask) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT erasure_event_id IF NOT EXISTS FOR (n:ErasureEvent) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT suppression_hash IF NOT EXISTS FOR (n:Suppression) REQUIRE n.hash IS UNIQUE;
CREATE CONSTRAINT legal_hold_id IF NOT EXISTS FOR (n:LegalHold) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT stl_request_key IF NOT EXISTS FOR (n:ShineTheLightRequest) REQUIRE n.key IS UNIQUE;
CREATE INDEX erasure_request_subject IF NOT EXISTS FOR (n:ErasureRequest) ON (n.subjectId);
CREATE INDEX erasure_task_key IF NOT EXISTS FOR (n:ErasureTask) ON (n.key);
CREATE CONSTRAINT erasure_lock_subject IF NOT EXISTS FOR (n:ErasureLock) REQUIRE n.subjectId IS UNIQUE;

// Access and audit (version 5): API tokens kept as digests; the audit trail's events and the chain's head.
CREATE CONSTRAINT api_token_digest IF NOT EXISTS FOR (n:ApiToken) REQUIRE n.digest IS UNIQUE;
CREATE CONSTRAINT api_token_name IF NOT EXISTS FOR (n:ApiToken) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT audit_event_seq IF NOT EXISTS FOR (n:AuditEvent) REQUIRE n.seq IS UNIQUE;
CREATE CONSTRAINT audit_chain_key IF NOT EXISTS FOR (n:AuditChain) REQUIRE n.key IS UNIQUE;
CREATE INDEX audit_event_subject IF NOT EXISTS FOR (n:AuditEvent) ON (n.subjectId);
// Version 9: the events of a period (auditLog from/to) without reading every event.
CREATE INDEX audit_event_at IF NOT EXISTS FOR (n:AuditEvent) ON (n.at);
// A repeated requestErasure with the same idempotency key answers with the first request (only its digest is kept).
CREATE CONSTRAINT erasure_request_key IF NOT EXISTS FOR (n:ErasureRequest) REQUIRE n.idempotencyKeyDigest IS UNIQUE;

// Documents under review before sending (version 6): each about a subject, and an erasure request, by id.
CREATE CONSTRAINT document_id IF NOT EXISTS FOR (n:Document) REQUIRE n.id IS UNIQUE;
CREATE INDEX document_subject IF NOT EXISTS FOR (n:Document) ON (n.subjectId);

// Access and right-to-know requests (version 7: GDPR Art. 15, CCPA §1798.110), each about a subject by id; the same
// idempotency key again answers with the first request (only the key's digest is kept).
CREATE CONSTRAINT subject_request_id IF NOT EXISTS FOR (n:SubjectRequest) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT subject_request_key IF NOT EXISTS FOR (n:SubjectRequest) REQUIRE n.idempotencyKeyDigest IS UNIQUE;
CREATE INDEX subject_request_subject IF NOT EXISTS FOR (n:SubjectRequest) ON (n.subjectId);
// Disclosures of erased California customers, summed per year without the person (version 7): the business-wide
// Shine-the-Light report of a year issued after an erasure still counts them.
CREATE INDEX stl_disclosures_kept_year IF NOT EXISTS FOR (n:StlDisclosuresKept) ON (n.year);

// The map edited through the API (version 8, graph/map_versions.py): changes serialise on one lock node.
CREATE CONSTRAINT map_edit_key IF NOT EXISTS FOR (n:MapEdit) REQUIRE n.key IS UNIQUE;
// A data step, not DDL (idempotent, the map's few thousand relationships): the relationships an entry owns hold
// from the entry's validFrom, like every map fact (graph/validity.py); graphs loaded before version 8 lack it.
MATCH (a:Notice|Organisation|DataCategory|System|Purpose|Recipient|Transfer|RetentionRule)-[r:PUBLISHED_BY|HOLDS_CERTIFICATION|SUBCATEGORY_OF|OPERATED_BY|STORES|PROCESSES|CONCERNS|USES|ON_BEHALF_OF|IS|EXPORTER|IMPORTER|CARRIES|APPLIES_TO|APPLIES_IN]->(b:Organisation|Certification|DataCategory|SubjectCategory|System) WHERE r.validFrom IS NULL SET r.validFrom = coalesce(a.validFrom, a.effective), r.fromVersion = 1;
// Flows written before version 8 are their first version; recipients no longer carry copies of their
// organisation's name, address and legal-entity flag (read through `IS` as of the day asked about).
MATCH ()-[f:FLOWS_TO]->() WHERE f.version IS NULL SET f.version = 1;
MATCH (r:Recipient) WHERE r.organisationName IS NOT NULL OR r.legalEntity IS NOT NULL REMOVE r.organisationName, r.address, r.legalEntity;

// Record tallies (version 10, graph/record_tallies.py): the recorded collections and disclosures counted per month
// at write time, so the map findings read the tallies of the whole months and the records of the last month only
// (through `held_in_at` and `disclosed_to_at`). Graphs loaded before get their tallies by an upgrade step.
CREATE CONSTRAINT record_tally_key IF NOT EXISTS FOR (n:RecordTally) REQUIRE n.key IS UNIQUE;
CREATE INDEX record_tally_month IF NOT EXISTS FOR (n:RecordTally) ON (n.month);
CREATE INDEX held_in_at IF NOT EXISTS FOR ()-[r:HELD_IN]-() ON (r.at);
