"""The example tabs GraphiQL opens with, grouped by who uses them: the engineer, compliance, the erasure workflow.

Each runs on the seed as it is (`seed/subjects.yaml`: Anna Jansen, a lead in the Netherlands; Jordan Reyes, a
customer representative in California; Sam De Vries, a visitor turned lead in Belgium) with the local admin token.
A tab's title is its operation's name (GraphiQL's rule), so the name starts with its group (`Engineer_...`), and
its first line says the same in words. The erasure workflow runs on Sam, so that the other tabs' people stay as
the seed has them; its tabs after the first take the ids the first one answers, in their variables (the comment
at the top of each says which). Mutations say in a comment what they change, or are safe to run again.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    group: str  # Engineer, Compliance, Erasure
    title: str  # what the tab shows, in words
    query: str  # its operation is named `<group>_...`: GraphiQL's tab title
    variables: str | None = None  # JSON, for the tabs that take ids from an earlier answer

    @property
    def name(self) -> str:
        return f"{self.group}: {self.title}"


# --- the engineer ------------------------------------------------------------------------------------------------

SUBJECT_LINEAGE = """query Engineer_SubjectLineage {
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

CATEGORY_LINEAGE = """query Engineer_CategoryLineage {
  categoryLineage(category: "user.device") {
    recipients { key name role country categories }
    transfers { key mechanism fromCountries toCountries }
  }
}
"""

FLOWS_AND_IMPACT = """\
# If the email delivery providers had a breach: the flows that carry email addresses to them, and whose data a
# recorded disclosure brought there in 2019 (GDPR Art. 33(3)(a), 34(1)). Each person on the page is an audit event.
query Engineer_FlowsAndRecipientImpact {
  flows(to: "email_delivery_providers", category: "user.contact.email") {
    key from { kind key } categories purposes trigger when
  }
  recipientImpact(recipient: "email_delivery_providers", from: "2019-01-01", to: "2020-01-01", limit: 10) {
    name categories contingentCategories
    paths { routine steps { key } }
    systems { key categories }
    subjectCount
    subjects { subjectId categories firstDisclosed }
    next
  }
}
"""

SUBJECT_RECORD = """query Engineer_WhatWeHoldAboutOneSubject {
  subject(subject: {phone: "+1 415 555 0134"}) {
    id country firstRecorded identifierKinds
    subjectCategories { key since }
    records { system source categories at }
    disclosures { recipient role purpose categories at }
  }
}
"""

MAP_OVERVIEW = """query Engineer_ProcessorsAndTransfers {
  recipients(role: PROCESSOR) { key name kind country }
  transfers(asOf: "2019-06-01") { key mechanism exporter { name } importer { name } fromCountries toCountries }
}
"""

# --- compliance --------------------------------------------------------------------------------------------------

STL_PREVIEW = """\
# Previews the answer to a Shine-the-Light request (Cal. Civ. Code §1798.83) and records nothing. Jordan acts
# for a business: the answer says why no report is owed (eligible: false, reasons).
query Compliance_ShineTheLightPreview {
  shineTheLightReport(customer: {email: "jordan.reyes@example.com"}, receivedAt: "2026-03-02") {
    eligible reasons year due
    categories { item name }
    thirdParties { name address categories }
    letterText
  }
}
"""

STL_ANSWER = """\
# Records the request and its answer. Safe to run again: a second request in the same calendar year gets
# the first answer again, and says so (repeated: true).
mutation Compliance_ShineTheLightAnswer {
  answerShineTheLightRequest(customer: {email: "jordan.reyes@example.com"}, receivedAt: "2026-03-02") {
    eligible reasons recorded repeated requestId received due year
  }
}
"""

ACCESS_REPORT = """\
# GDPR Art. 15 access report. What staff must settle first is in findings, never in the document.
query Compliance_AccessReport {
  accessReport(subject: {email: "anna.jansen@example.com"}) {
    subjectId asOf
    purposes { name legalBasis }
    categories
    recipients { name role country }
    transfers { importer mechanism safeguard valid }
    rights { key }
    findings { severity code message fix }
    documentText
  }
}
"""

CCPA_RIGHT_TO_KNOW = """\
# CCPA right to know (§1798.110, §1798.115): the 12 months before the request.
query Compliance_CcpaRightToKnow {
  ccpaRightToKnow(subject: {email: "jordan.reyes@example.com"}, receivedAt: "2026-03-02") {
    windowFrom windowTo
    categoriesCollected { letter term }
    sources purposes
    sold { term } shared { term }
    disclosedForBusinessPurpose { term }
    disclosedTo { recipients ground categories { term } }
  }
}
"""

TRANSFER_REGISTER = """\
# Every transfer with its mechanism's validity today (asOf: another day) and what to fix.
# As a page: /reports/transfers.html
query Compliance_TransferRegister {
  transferRegister {
    asOf
    health { critical high medium low }
    transfers { key exporter importer toCountries mechanism safeguard valid findings { severity message fix } }
  }
}
"""

MAP_FINDINGS = """\
# What needs fixing in the map, most severe first (or `datamap findings` on the command line).
query Compliance_MapFindings {
  mapFindings(severity: MEDIUM) {
    asOf
    counts { severity count }
    findings { severity code entries message fix }
  }
}
"""

ROPA = """\
# The record of processing (GDPR Art. 30). To download it, with the same token:
#   /reports/ropa.html (a page), /reports/ropa.json, /reports/ropa.csv, /reports/ropa.xlsx (?asOf=YYYY-MM-DD)
# or `datamap report ropa --format xlsx --output ropa.xlsx`.
query Compliance_RecordOfProcessing {
  ropa {
    asOf csvUrl xlsxUrl jsonUrl
    controllerRecord { activity purposes dataCategories recipients transfers erasureTimeLimits }
    findings { severity message }
  }
}
"""

# --- the erasure workflow (on Sam De Vries) ----------------------------------------------------------------------

ERASURE_PLAN = """\
# What erasing Sam would take, in order; nothing is changed.
query Erasure_Plan {
  erasurePlan(subject: {email: "sam.devries@example.com"}) {
    warnings
    tasks { stage key action target categories legalGround dependsOn restrictedUntil }
    recipients { key name role country observed why }
  }
}
"""

ERASURE_REQUEST = """\
# CHANGES THE GRAPH: opens an erasure request for Sam and puts Sam's keyed hashes on the suppression list (no
# import re-creates Sam). Safe to run again: the same idempotencyKey returns the first request.
# Its id and its tasks' ids are what the next tabs take in their variables.
mutation Erasure_Request {
  requestErasure(input: {
    subject: {email: "sam.devries@example.com"}
    receivedAt: "2026-11-20T09:00:00Z"
    jurisdiction: GDPR
    channel: WEB_FORM
    identityVerification: {method: EMAIL_CONFIRMATION, reference: "graphiql example"}
    idempotencyKey: "graphiql-example-sam"
  }) {
    id status deadline overdue art19Recipients
    tasks { id stage key action target dependsOn status verified }
  }
}
"""

ERASURE_REQUESTS = """\
# The requests not complete, with their tasks' ids and states (no variables needed).
query Erasure_OpenRequests {
  erasureRequests(status: OPEN) { id subjectId status deadline overdue tasks { id stage key status verified } }
  inProgress: erasureRequests(status: IN_PROGRESS) { id status tasks { id stage key status verified } }
}
"""

ERASURE_OUTCOME = """\
# CHANGES THE GRAPH: records what a system or vendor reports for one task. In the variables: the id of a task
# of "Erasure_Request" whose dependsOn are settled (stage 1). Safe to run again: the same idempotencyKey changes
# nothing.
mutation Erasure_RecordOutcome($task: ID!) {
  recordErasureOutcome(task: $task, outcome: DONE, evidence: "vendor ticket 4711: deleted",
                       idempotencyKey: "graphiql-example-outcome") {
    id key status verified claimedBy history { type outcome at principal }
  }
}
"""

ERASURE_VERIFY = """\
# CHANGES THE GRAPH: confirms the outcome recorded in "Erasure_RecordOutcome". Who recorded an outcome does
# not verify it: put another principal's token in this tab's Headers, e.g. one of
#   datamap token create --name verifier --role compliance
# and the task's id in the variables. A task is verified once; running it again answers that it already is.
mutation Erasure_Verify($task: ID!) {
  verifyErasureTask(task: $task, evidence: "checked in the vendor's console: no record of the person") {
    id key status verified claimedBy verifiedBy
  }
}
"""

ERASURE_CERTIFICATE = """\
# Once every task is settled and verified the request is complete: its certificate, with the SHA-256 digest that
# shows later tampering. In the variables: the request's id (from "Erasure_Request").
query Erasure_Certificate($request: ID!) {
  erasureRequest(id: $request) { id status completedAt }
  erasureCertificate(request: $request) { requestId digest intact document }
}
"""

TASK_VARIABLES = '{"task": "<a task id from Erasure_Request>"}'

EXAMPLES: list[Example] = [
    Example("Engineer", "subject lineage", SUBJECT_LINEAGE),
    Example("Engineer", "category lineage", CATEGORY_LINEAGE),
    Example("Engineer", "flows and recipient impact", FLOWS_AND_IMPACT),
    Example("Engineer", "what we hold about one subject", SUBJECT_RECORD),
    Example("Engineer", "processors and transfers", MAP_OVERVIEW),
    Example("Compliance", "Shine-the-Light preview", STL_PREVIEW),
    Example("Compliance", "Shine-the-Light answer", STL_ANSWER),
    Example("Compliance", "access report", ACCESS_REPORT),
    Example("Compliance", "CCPA right to know", CCPA_RIGHT_TO_KNOW),
    Example("Compliance", "transfer register", TRANSFER_REGISTER),
    Example("Compliance", "map findings", MAP_FINDINGS),
    Example("Compliance", "record of processing (RoPA)", ROPA),
    Example("Erasure", "plan", ERASURE_PLAN),
    Example("Erasure", "request", ERASURE_REQUEST),
    Example("Erasure", "open requests and their tasks", ERASURE_REQUESTS),
    Example("Erasure", "record an outcome", ERASURE_OUTCOME, TASK_VARIABLES),
    Example("Erasure", "verify", ERASURE_VERIFY, TASK_VARIABLES),
    Example(
        "Erasure", "certificate", ERASURE_CERTIFICATE, '{"request": "<the id Erasure_Request answered>"}'
    ),
]
