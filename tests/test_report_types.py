"""The report types the API exposes are the domain's dataclasses themselves, and stay what they were for the domain.

No Neo4j: the schema is built, nothing is queried.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from graphql import GraphQLObjectType, build_schema
from strawberry.types.base import get_object_definition

from datamap.api.schema import schema
from datamap.api.types import reports as t
from datamap.domain import access_report as ar
from datamap.domain import ccpa, ccpa_categories
from datamap.domain import ropa as rp
from datamap.domain import shine_the_light as stl
from datamap.domain import transfer_validity as tv
from datamap.services.reports import map_reports

EXPOSED = {
    "StatutoryCategory": stl.StatutoryCategory,
    "ThirdParty": stl.ThirdParty,
    "DisclosedRecipient": ar.NamedRecipient,
    "CategoryRetention": ar.Retention,
    "Safeguard": ar.TransferSafeguard,
    "ControllerActivity": rp.ControllerRow,
    "ProcessorActivity": rp.ProcessorRow,
    "Finding": tv.Finding,
    "RegisteredTransfer": map_reports.RegisterEntry,
    "RightToKnow": ccpa.RightToKnow,
    "CcpaCategory": ccpa_categories.CcpaCategory,
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


@pytest.mark.parametrize("name", sorted(EXPOSED))
def test_the_graphql_type_is_the_dataclass_with_its_fields(name: str) -> None:
    cls = EXPOSED[name]
    assert get_object_definition(cls, strict=True).name == name
    graphql = build_schema(schema.as_str()).type_map[name]
    assert isinstance(graphql, GraphQLObjectType)
    assert list(graphql.fields) == [_camel(f.name) for f in dataclasses.fields(cls)]


def test_the_api_names_are_the_domain_classes() -> None:
    assert t.ControllerActivity is rp.ControllerRow and t.RightToKnow is ccpa.RightToKnow
    assert t.RegisteredTransfer is map_reports.RegisterEntry and t.Finding is tv.Finding


@pytest.mark.parametrize("cls", sorted(EXPOSED.values(), key=lambda c: c.__qualname__))
def test_exposing_leaves_the_dataclass_as_it_was(cls: type) -> None:
    """Positional arguments still work, frozen classes stay frozen (and can still be subclassed frozen)."""
    fields = dataclasses.fields(cls)
    assert not any(f.kw_only for f in fields)
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    if params.frozen:
        dataclasses.dataclass(frozen=True)(type("Sub", (cls,), {}))
        instance = cls(*(None for _ in fields))
        with pytest.raises(dataclasses.FrozenInstanceError):
            instance.key = "x"  # type: ignore[attr-defined]


def test_a_row_of_the_record_of_processing_is_built_positionally_and_compares_by_value() -> None:
    row = rp.ProcessorRow("k", "Activity", "Us", "Them", "Storage", "none", "TLS")
    assert row == rp.ProcessorRow(*dataclasses.astuple(row)) and hash(row) == hash(dataclasses.replace(row))
    assert (
        ccpa.RightToKnow(
            "s", dt.date(2024, 1, 1), dt.date(2024, 12, 31), "", [], [], [], [], [], [], [], []
        ).subject_id
        == "s"
    )
