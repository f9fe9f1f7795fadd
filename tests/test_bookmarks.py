"""Read-your-writes across processes: each response carries `X-Datamap-Bookmark`; a request that sends it back
reads what that write committed, whichever worker (or cluster member) answers."""

from __future__ import annotations

import httpx
import pytest

from datamap.clock import FixedClock
from datamap.config import Neo4jSettings
from datamap.domain.access import Role
from datamap.graph.database import Database, after_bookmarks
from tests.conftest import app_of, client_as, token_for
from tests.test_erasure_crash import Service

pytestmark = pytest.mark.neo4j

UPSERT = """mutation($input: OrganisationInput!) {
  upsertOrganisation(input: $input, reason: "contract register", expectedVersion: 0) { version } }"""
HISTORY = """query($key: String!) { mapHistory(kind: ORGANISATION, key: $key) { key } }"""


def organisation(key: str) -> dict[str, str]:
    return {
        "key": key,
        "ref": "contract 1",
        "name": f"Org {key}",
        "country": "NL",
        "address": "Damrak 1, Amsterdam",
    }


async def test_a_write_answered_by_one_worker_is_read_by_the_next_request_with_its_bookmark(
    seeded: Database, neo4j_settings: Neo4jSettings
) -> None:
    service = Service(neo4j_settings, workers=2)
    service.start()
    try:
        for n in range(6):
            key = f"bookmarked_{n}"
            # a new connection each time: the balancer (here the kernel) may hand it to either worker
            async with httpx.AsyncClient(base_url=service.url, headers=service.headers()) as writer:
                wrote = await writer.post(
                    "/graphql", json={"query": UPSERT, "variables": {"input": organisation(key)}}
                )
            assert wrote.status_code == 200 and not wrote.json().get("errors"), wrote.text
            bookmark = wrote.headers["x-datamap-bookmark"]
            async with httpx.AsyncClient(base_url=service.url, headers=service.headers()) as reader:
                read = await reader.post(
                    "/graphql",
                    json={"query": HISTORY, "variables": {"key": key}},
                    headers={"x-datamap-bookmark": bookmark},
                )
            assert read.status_code == 200, read.text
            assert read.json()["data"]["mapHistory"]["key"] == key, read.text
    finally:
        service.stop()


async def test_another_process_reads_after_the_bookmarks_of_a_write(
    seeded: Database, neo4j_settings: Neo4jSettings
) -> None:
    await seeded.write("CREATE (:BookmarkProbe {n: 1})")
    bookmarks = await seeded.bookmarks()
    assert bookmarks  # the write's transaction is named
    other = Database(neo4j_settings)  # another process's driver: none of the first one's bookmarks
    try:
        with after_bookmarks(bookmarks):
            rows = await other.read("MATCH (p:BookmarkProbe) RETURN p.n AS n")
            assert rows == [{"n": 1}]
            # a transaction of the other process, started after the bookmarks, gives out its own
            await other.write("MATCH (p:BookmarkProbe) SET p.n = 2")
        assert await other.bookmarks() and await other.bookmarks() != bookmarks
    finally:
        await other.close()


@pytest.mark.parametrize(
    ("header", "status", "phrase"),
    [
        ("not a bookmark", 400, "X-Datamap-Bookmark: value 1 is not a bookmark"),
        (",".join(["FB:a"] * 257), 400, "X-Datamap-Bookmark: 257 values; give at most 256"),
        # well formed, but never issued by this Neo4j: the field that read is refused, nothing else
        ("FB:neverissuedbythisneo4j", 200, "bookmark: Neo4j does not know it"),
    ],
)
async def test_a_bookmark_that_is_not_one_is_refused_with_the_header_named(
    seeded: Database, clock: FixedClock, header: str, status: int, phrase: str
) -> None:
    async with client_as(app_of(seeded, clock), await token_for(seeded, Role.ADMIN)) as api:
        answer = await api.client.post(
            "/graphql",
            json={"query": HISTORY, "variables": {"key": "nothing"}},
            headers={"x-datamap-bookmark": header},
        )
    assert answer.status_code == status, answer.text
    (error,) = answer.json()["errors"]
    assert phrase in error["message"] and error["extensions"]["code"] == "BAD_USER_INPUT", error
