"""The audit chain appended in one statement from the head a process last saw: a stale head (another process, a
rolled-back transaction) costs a second statement, never a fork or a lost event."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from datamap.config import Neo4jSettings
from datamap.domain.audit import AuditEntry
from datamap.graph import audit_log
from datamap.graph.database import Database, StatementCounter, Transaction
from datamap.services import audit
from datamap.services.audit_batches import AuditBatcher
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.neo4j

NOW = dt.datetime(2031, 6, 15, 12, 0, tzinfo=dt.UTC)


def _entry(who: str, n: int) -> AuditEntry:
    return AuditEntry(NOW + dt.timedelta(seconds=n), who, "admin", "subject", "found", subject_id=f"s{n}")


async def _appended(db: Database, entries: list[AuditEntry], seen: audit_log.LastHead) -> int:
    """Statements the append of `entries` took."""
    before = StatementCounter.count
    await audit.record_read(db, entries, NOW, seen)
    return StatementCounter.count - before


async def test_two_processes_appending_at_once_make_one_whole_chain(
    db: Database, neo4j_settings: Neo4jSettings
) -> None:
    """Two databases (two drivers), each with its own last head as two worker processes have, each with its
    batches and single appends in transactions of their own, all at once: every event is there once, numbered
    without gaps, and the chain verifies."""
    other = Database(neo4j_settings)
    try:
        heads = (audit_log.LastHead(), audit_log.LastHead())
        batchers = (AuditBatcher(db, heads[0]), AuditBatcher(other, heads[1]))

        async def lookups(side: int) -> None:
            await asyncio.gather(*(batchers[side].record([_entry(f"p{side}", n)], NOW) for n in range(30)))

        async def writes(side: int) -> None:
            for n in range(10):
                await _appended(
                    (db, other)[side], [_entry(f"w{side}", n), _entry(f"w{side}", n + 100)], heads[side]
                )

        await asyncio.gather(lookups(0), lookups(1), writes(0), writes(1))
    finally:
        await other.close()
    check = await audit.check_chain(db)
    assert check.whole and check.events == 2 * 30 + 2 * 10 * 2, check.problems
    events = await audit_log.read_all(db)
    assert [e.seq for e in events] == list(range(1, 101))
    assert sorted(e.entry.principal for e in events).count("p0") == 30


async def test_a_fresh_head_costs_one_statement_and_a_stale_one_two(db: Database) -> None:
    mine, theirs = audit_log.LastHead(), audit_log.LastHead()
    assert await _appended(db, [_entry("a", 1)], mine) == 2  # nothing seen yet: learns the head, then appends
    assert await _appended(db, [_entry("a", 2)], mine) == 1
    assert await _appended(db, [_entry("b", 3)], theirs) == 2  # the other process appended meanwhile
    assert (
        await _appended(db, [_entry("a", 4), _entry("a", 5)], mine) == 2
    )  # and now this one's head is stale
    assert await _appended(db, [_entry("a", 6)], mine) == 1
    check = await audit.check_chain(db)
    assert check.whole and check.events == 6, check.problems
    assert (mine.seq, mine.digest) == await audit_log.read_head(db)


async def test_an_append_rolled_back_leaves_the_head_as_it_was_and_the_next_append_finds_it(
    db: Database,
) -> None:
    """The process saw its append's head, but the transaction failed after it: the head it believes in was never
    committed, and the next append chains on from the head that was."""
    seen = audit_log.LastHead()
    await _appended(db, [_entry("a", 1)], seen)

    async def failing(tx: Transaction) -> None:
        await audit_log.append(tx, [_entry("a", 2)], NOW, seen)
        raise RuntimeError("the change that the event recorded failed")

    with pytest.raises(RuntimeError):
        await db.transaction(failing)
    assert seen.seq == 2  # believed, never committed
    assert await _appended(db, [_entry("a", 3)], seen) == 2
    check = await audit.check_chain(db)
    assert check.whole and check.events == 2, check.problems


async def test_the_chain_deleted_under_a_process_starts_again_from_the_first_event(db: Database) -> None:
    seen = audit_log.LastHead()
    await _appended(db, [_entry("a", 1), _entry("a", 2)], seen)
    await db.write("MATCH (n) WHERE n:AuditChain OR n:AuditEvent DETACH DELETE n")
    await _appended(db, [_entry("a", 3)], seen)
    check = await audit.check_chain(db)
    assert check.whole and check.events == 1, check.problems


ANNA = '{email: "anna.jansen@example.com"}'


@pytest.mark.parametrize(
    "query",
    [
        f"{{ subjectLineage(subject: {ANNA}) {{ recipients {{ key }} }} }}",
        f"{{ erasurePlan(subject: {ANNA}) {{ tasks {{ key }} }} }}",
        f"{{ accessReport(subject: {ANNA}) {{ recipients {{ key }} }} }}",
    ],
)
async def test_a_lookup_of_a_person_is_its_statement_and_one_of_the_audit_trail(
    api: GraphQLClient, query: str
) -> None:
    """In steady state (this process appended last), the event is one statement in its own transaction."""
    await api.query(query)  # the chain's head learnt
    await api.query("{ __typename }")  # the token's check (cached for a few seconds) is not the field's
    before = StatementCounter.count
    await api.query(query)
    assert StatementCounter.count - before == 2
