"""One Cypher round trip per root field: counted, not assumed."""

from __future__ import annotations

import pytest

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
    before = StatementCounter.count
    await api.query(query)
    assert StatementCounter.count - before == 1
