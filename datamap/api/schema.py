"""The GraphQL schema: root fields translate arguments, call one service, and translate the answer."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from datamap.api import types as t
from datamap.api.access_rules import guard, principal_in
from datamap.api.audit_fields import AuditQuery
from datamap.api.audited import audit_person_reads
from datamap.api.document_fields import DocumentMutation, DocumentQuery
from datamap.api.erasure_fields import ErasureMutation, ErasureQuery
from datamap.api.errors import ErrorCodes
from datamap.api.finding_fields import FindingQuery
from datamap.api.identifiers import now_of, state_of, subject_of
from datamap.api.impact_fields import ImpactQuery
from datamap.api.limits import CachedParser, CachedValidation, RequestChecks
from datamap.api.map_edit_fields import MapEditMutation, MapEditQuery
from datamap.api.metrics import OperationMetrics
from datamap.api.report_fields import ReportMutation, ReportQuery
from datamap.api.request_log import RequestRecorder, log_unexpected
from datamap.api.scalars import SCALAR_OVERRIDES
from datamap.api.subject_request_fields import SubjectRequestMutation, SubjectRequestQuery
from datamap.domain.subject_events import Collection, Disclosure
from datamap.domain.vocabulary import RecipientRole
from datamap.services import lineage, map_browser, recording


@strawberry.type
class MapQuery:
    @strawberry.field(description="Data categories (dotted keys); `under` limits to one branch")
    async def data_categories(
        self, info: Info, under: str | None = None, as_of: dt.date | None = None
    ) -> list[t.DataCategory] | None:
        return [
            t.DataCategory.of(r)
            for r in await map_browser.data_categories(state_of(info).db, under, as_of, now=now_of(info))
        ]

    @strawberry.field(description="Purposes of processing, with legal basis, categories and systems")
    async def purposes(self, info: Info, as_of: dt.date | None = None) -> list[t.Purpose] | None:
        return [
            t.Purpose.of(r) for r in await map_browser.purposes(state_of(info).db, as_of, now=now_of(info))
        ]

    @strawberry.field(description="Where data is collected from")
    async def sources(self, info: Info, as_of: dt.date | None = None) -> list[t.Source] | None:
        return [t.Source.of(r) for r in await map_browser.sources(state_of(info).db, as_of, now=now_of(info))]

    @strawberry.field(description="Systems where data is stored")
    async def systems(self, info: Info, as_of: dt.date | None = None) -> list[t.System] | None:
        return [t.System.of(r) for r in await map_browser.systems(state_of(info).db, as_of, now=now_of(info))]

    @strawberry.field(description="Organisations (or kinds of them) in their roles towards the controller")
    async def recipients(
        self,
        info: Info,
        role: t.RecipientRoleEnum | None = None,  # type: ignore[valid-type]
        as_of: dt.date | None = None,
    ) -> list[t.Recipient] | None:
        rows = await map_browser.recipients(
            state_of(info).db, RecipientRole(role) if role else None, as_of, now=now_of(info)
        )
        return [t.Recipient.of(r) for r in rows]

    @strawberry.field(description="Kinds of data subject (visitor, lead, customer representative, ...)")
    async def subject_categories(
        self, info: Info, as_of: dt.date | None = None
    ) -> list[t.SubjectCategory] | None:
        return [
            t.SubjectCategory.of(r)
            for r in await map_browser.subject_categories(state_of(info).db, as_of, now=now_of(info))
        ]

    @strawberry.field(description="Organisations: the controller, affiliates, vendors, with their roles")
    async def organisations(self, info: Info, as_of: dt.date | None = None) -> list[t.Organisation] | None:
        return [
            t.Organisation.of(r)
            for r in await map_browser.organisations(state_of(info).db, as_of, now=now_of(info))
        ]

    @strawberry.field(description="Retention rules and the legal ground of each")
    async def retention_rules(self, info: Info, as_of: dt.date | None = None) -> list[t.RetentionRule] | None:
        return [
            t.RetentionRule.of(r)
            for r in await map_browser.retention_rules(state_of(info).db, as_of, now=now_of(info))
        ]

    @strawberry.field(description="Transfers of data across borders in force on `asOf` (default today)")
    async def transfers(self, info: Info, as_of: dt.date | None = None) -> list[t.Transfer] | None:
        return [
            t.Transfer.of(r) for r in await map_browser.transfers(state_of(info).db, as_of, now=now_of(info))
        ]

    @strawberry.field(description="Where data of a category and its sub-categories goes according to the map")
    async def category_lineage(
        self, info: Info, category: str, as_of: dt.date | None = None
    ) -> t.CategoryLineage | None:
        lin = await lineage.lineage_of_category(state_of(info).db, category, as_of, now=now_of(info))
        return t.CategoryLineage(category=category, **t.reached_lists(lin))

    @strawberry.field(description="Where one subject's data went; null when the graph holds no such subject")
    async def subject_lineage(
        self,
        info: Info,
        subject: t.SubjectInput,
        category: str | None = None,
        as_of: dt.date | None = None,
        max_hops: Annotated[
            int | None,
            strawberry.argument(
                description=f"Bound on path length, 1 to {lineage.MAX_HOPS - 1} (default {lineage.DEFAULT_MAX_HOPS})"
            ),
        ] = None,
    ) -> t.SubjectLineage | None:
        lin = await lineage.lineage_of_subject(
            state_of(info).db,
            subject_of(info, subject),
            now=now_of(info),
            category=category,
            as_of=as_of,
            max_hops=max_hops,
        )
        if lin is None:
            return None
        return t.SubjectLineage(
            subject_id=lin.subject_id or "", erased_at=lin.erased_at, **t.reached_lists(lin)
        )

    @strawberry.field(description="What the graph holds about one subject; null when nothing")
    async def subject(self, info: Info, subject: t.SubjectInput) -> t.Subject | None:
        row = await map_browser.subject(state_of(info).db, subject_of(info, subject))
        return t.Subject.of(row) if row is not None else None


@strawberry.type
class RecordingMutation:
    @strawberry.mutation(
        description="Record that data about a subject was collected (idempotent); recorded even where the map "
        "does not allow it (it happened), and `findings` says so"
    )
    async def record_collection(self, info: Info, input: t.CollectionInput) -> t.RecordResult | None:
        state = state_of(info)
        event = Collection(
            identifiers=subject_of(info, input.subject, "input.subject").identifiers,
            system=input.system,
            source=input.source,
            categories=input.categories,
            at=input.at,
            subject_categories=input.subject_categories,
            country=input.country,
            region=input.region,
            relationship=input.relationship.value if input.relationship else None,
        )
        recorded = await recording.record_event(
            state.db, event, state.secret, by=(principal_in(info), "recordCollection", now_of(info))
        )
        return t.RecordResult(
            id=recorded.id, subject_id=recorded.subject_id, findings=list(recorded.findings)
        )

    @strawberry.mutation(
        description="Record that data about a subject was disclosed to a recipient (idempotent); recorded even "
        "where the map does not allow it (it happened), and `findings` says so"
    )
    async def record_disclosure(self, info: Info, input: t.DisclosureInput) -> t.RecordResult | None:
        state = state_of(info)
        event = Disclosure(
            identifiers=subject_of(info, input.subject, "input.subject").identifiers,
            recipient=input.recipient,
            purpose=input.purpose,
            categories=input.categories,
            at=input.at,
            country=input.country,
            region=input.region,
            relationship=input.relationship.value if input.relationship else None,
        )
        recorded = await recording.record_event(
            state.db, event, state.secret, by=(principal_in(info), "recordDisclosure", now_of(info))
        )
        return t.RecordResult(
            id=recorded.id, subject_id=recorded.subject_id, findings=list(recorded.findings)
        )


def _extensions() -> list[Any]:
    return [
        lambda: CachedParser(maxsize=256),  # with the token limit
        lambda: CachedValidation(maxsize=256),  # after the limits on aliases, fields and depth
        RequestChecks,  # operations, argument sizes, introspection
        OperationMetrics,  # which root field a request executed, for its metrics (metrics.py)
        RequestRecorder,  # before ErrorCodes: it sees the codes ErrorCodes gives (exit hooks run in reverse)
        ErrorCodes,
    ]


@strawberry.type
class Query(
    MapQuery,
    ErasureQuery,
    ReportQuery,
    AuditQuery,
    DocumentQuery,
    SubjectRequestQuery,
    ImpactQuery,
    MapEditQuery,
    FindingQuery,
):
    pass


@strawberry.type
class Mutation(
    RecordingMutation,
    ErasureMutation,
    ReportMutation,
    DocumentMutation,
    SubjectRequestMutation,
    MapEditMutation,
):
    pass


guard(Query, Mutation)  # every root field checks the table of rules (domain/access.py) before it resolves
audit_person_reads(Query)  # and every lookup of a person commits its audit event before it answers


class DatamapSchema(strawberry.Schema):
    """Logs only unexpected errors (a DatamapError is the user's to read, not the operator's), without the query."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        log_unexpected(errors)


schema = DatamapSchema(
    query=Query, mutation=Mutation, extensions=_extensions(), scalar_overrides=SCALAR_OVERRIDES
)
