"""Root fields that change the map, and an entry's history: translate arguments, call the service, translate back.

Every change names its reason, the version it was read at (`expectedVersion`: none, or 0, to create a key) and
optionally the day it takes effect (`effectiveFrom`, default today, never before today); the principal is the
request's. Nothing is deleted: a change is a new version, a retired entry stays with its history
(`services/map_editing.py`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from datamap.api.access_rules import principal_in
from datamap.api.identifiers import now_of, state_of
from datamap.api.types import map_edit as t
from datamap.domain.map_changes import MapKind
from datamap.services import map_editing

_EXPECTED = strawberry.argument(
    description="The entry's version you read (Provenance.version, mapHistory); none or 0 to create the key"
)
_EFFECTIVE = strawberry.argument(
    description="The day the change holds from (default today); not before today, nor before the current "
    "version's: an answer already given about an earlier day stays as it was"
)
_REASON = strawberry.argument(
    description="Why the map changes (kept with the version; write no personal data)"
)
Expected = Annotated[int | None, _EXPECTED]
Effective = Annotated[dt.date | None, _EFFECTIVE]
Reason = Annotated[str, _REASON]


async def _upsert(
    info: Info, kind: MapKind, given: Any, reason: str, expected: int | None, effective: dt.date | None
) -> t.MapChange:
    change = await map_editing.upsert(
        state_of(info).db,
        kind,
        t.fields_of(given),
        expected_version=expected,
        reason=reason,
        effective_from=effective,
        principal=principal_in(info),
        now=now_of(info),
    )
    return t.MapChange.of(change)


def _upsert_field(kind: MapKind, input_type: type, what: str) -> Any:
    """The root field that upserts one kind of entry (`upsertOrganisation`, ...): each takes its kind's input."""

    async def resolve(
        self: Any,
        info: Info,
        input: Any,
        reason: str,
        expected_version: Any = None,
        effective_from: Any = None,
    ) -> t.MapChange | None:
        return await _upsert(info, kind, input, reason, expected_version, effective_from)

    resolve.__annotations__ = {  # the GraphQL argument types (the input differs by kind)
        "info": Info,
        "input": input_type,
        "reason": Reason,
        "expected_version": Expected,
        "effective_from": Effective,
        "return": t.MapChange | None,
    }
    description = f"Create or change {what} as a new version from effectiveFrom; checked like the seed"
    return strawberry.mutation(resolve, description=description)


@strawberry.type
class MapEditMutation:
    upsert_organisation = _upsert_field(
        MapKind.ORGANISATION, t.OrganisationInput, "an organisation (name, postal address, certifications)"
    )
    upsert_data_category = _upsert_field(MapKind.DATA_CATEGORY, t.DataCategoryInput, "a data category")
    upsert_source = _upsert_field(MapKind.SOURCE, t.SourceInput, "a source")
    upsert_system = _upsert_field(
        MapKind.SYSTEM, t.SystemInput, "a system (its flows must stay within its categories)"
    )
    upsert_purpose = _upsert_field(MapKind.PURPOSE, t.PurposeInput, "a purpose")
    upsert_recipient = _upsert_field(
        MapKind.RECIPIENT, t.RecipientInput, "a recipient (and the organisation it is)"
    )
    upsert_flow = _upsert_field(
        MapKind.FLOW, t.FlowInput, "a flow (only categories its source system stores)"
    )
    upsert_transfer = _upsert_field(MapKind.TRANSFER, t.TransferInput, "a transfer across borders")
    upsert_retention_rule = _upsert_field(MapKind.RETENTION_RULE, t.RetentionRuleInput, "a retention rule")

    @strawberry.mutation(
        description="Retire a map entry from effectiveFrom (default today): it no longer holds from that day, "
        "nothing is deleted; refused while a flow or an entry in force references it"
    )
    async def retire_map_entry(
        self,
        info: Info,
        kind: t.MapEntryKindEnum,  # type: ignore[valid-type]
        key: str,
        expected_version: Annotated[int, _EXPECTED],
        reason: Reason,
        effective_from: Effective = None,
    ) -> t.MapChange | None:
        change = await map_editing.retire(
            state_of(info).db,
            MapKind(kind),
            key,
            expected_version=expected_version,
            reason=reason,
            effective_from=effective_from,
            principal=principal_in(info),
            now=now_of(info),
        )
        return t.MapChange.of(change)


@strawberry.type
class MapEditQuery:
    @strawberry.field(
        description="A map entry's versions, oldest first: when each held, who made it, why, and the entry then"
    )
    async def map_history(
        self,
        info: Info,
        kind: t.MapEntryKindEnum,  # type: ignore[valid-type]
        key: str,
    ) -> t.MapHistory | None:
        return t.MapHistory.of(await map_editing.history(state_of(info).db, MapKind(kind), key))
