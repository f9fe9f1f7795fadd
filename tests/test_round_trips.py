"""One Cypher round trip per root field: counted, not assumed."""

from __future__ import annotations

import pytest

from datamap.api.audited import PERSON_READS
from datamap.graph.database import StatementCounter
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.neo4j

ANNA = '{email: "anna.jansen@example.com"}'


@pytest.mark.parametrize(
    "query",
    [
        "{ dataCategories { key } }",
        "{ purposes { key } }",
        "{ sources { key } }",
        "{ systems { key } }",
        "{ recipients(role: PROCESSOR) { key } }",
        "{ transfers { key } }",
        "{ organisations { key } }",
        '{ categoryLineage(category: "user.contact") { recipients { key paths { observed } } } }',
        f"{{ subjectLineage(subject: {ANNA}) {{ recipients {{ key paths {{ observed }} }} transfers {{ key }} }} }}",
        f"{{ subject(subject: {ANNA}) {{ records {{ system }} }} }}",
        f"{{ erasurePlan(subject: {ANNA}) {{ tasks {{ key dependsOn }} }} }}",
        f"{{ accessReport(subject: {ANNA}) {{ recipients {{ key }} transfers {{ valid }} }} }}",
        "{ ropa { controllerRecord { key } processorRecord { key } } }",
        "{ transferRegister { transfers { key valid } } }",
        "{ shineTheLightStandardReport(year: 2019) { thirdParties { key } } }",
    ],
)
async def test_each_root_field_is_one_statement(api: GraphQLClient, query: str) -> None:
    """One statement answers; a lookup of a person adds the audit trail's one (its own transaction), once the
    process knows the chain's head (a first append after another process's reads it again: one more)."""
    field = query.strip("{ ").split("(")[0].split(" ")[0]
    await api.query(query)  # the process learns the audit chain's head (the suite wiped the chain)
    await api.query("{ __typename }")  # the token's check (then cached for a few seconds) is not the field's
    before = StatementCounter.count
    await api.query(query)
    assert StatementCounter.count - before == 1 + (1 if field in PERSON_READS else 0)
