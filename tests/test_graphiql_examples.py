"""GraphiQL's example tabs (issue 13, part 3): grouped by who uses them, each valid against the schema, each run in
a real browser (Debian's Chromium over the DevTools protocol, `tests/browser.py`) through GraphiQL's own UI, tab by
tab, with the local admin token the page gives a developer on this machine, against the seed as it is, and no
answer holds an error.

The erasure workflow's tabs after "Erasure_Request" take ids that tab answered: the test types them into the tab's
variables as a user would (and, for "Erasure_Verify", another principal's token into its headers: who recorded
an outcome does not verify it). Between "Erasure_Verify" and "Erasure_Certificate" it settles and verifies the
request's other tasks through the API, as the systems and vendors concerned would."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import orjson
import pytest
from graphql import FieldNode, OperationDefinitionNode, parse, validate

from datamap.api.app import create_app
from datamap.api.examples import EXAMPLES
from datamap.api.schema import schema
from datamap.clock import FixedClock
from datamap.domain.access import Role
from datamap.graph.database import Database
from datamap.services.authentication import Authenticator
from datamap.services.context import AppState
from tests.browser import Page, open_page, serving
from tests.conftest import SECRET, client_as, token_for
from tests.helpers import GET, settle_all

GROUPS = ("Engineer", "Compliance", "Erasure")


def test_every_example_is_valid_named_by_its_group_and_says_what_a_mutation_changes() -> None:
    assert {e.group for e in EXAMPLES} == set(GROUPS)
    assert [e.group for e in EXAMPLES] == sorted((e.group for e in EXAMPLES), key=GROUPS.index), "grouped"
    names = set()
    for example in EXAMPLES:
        document = parse(example.query)
        assert validate(schema._schema, document) == [], example.name
        (operation,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        assert operation.name is not None and operation.name.value.startswith(f"{example.group}_"), (
            example.name
        )
        names.add(operation.name.value)
        if operation.operation.value == "mutation":
            assert "CHANGES THE GRAPH" in example.query or "Safe to run again" in example.query, example.name
        needs = {v.variable.name.value for v in operation.variable_definitions or ()}
        assert needs == set(orjson.loads(example.variables or "{}")), example.name
    assert len(names) == len(EXAMPLES)
    wanted = {
        "subjectLineage",
        "categoryLineage",
        "flows",
        "recipientImpact",
        "shineTheLightReport",
        "answerShineTheLightRequest",
        "accessReport",
        "ccpaRightToKnow",
        "transferRegister",
        "mapFindings",
        "ropa",
        "requestErasure",
        "recordErasureOutcome",
        "verifyErasureTask",
        "erasureCertificate",
    }
    asked = {
        field.name.value
        for e in EXAMPLES
        for d in parse(e.query).definitions
        if isinstance(d, OperationDefinitionNode)
        for field in d.selection_set.selections
        if isinstance(field, FieldNode)
    }
    assert wanted <= asked, wanted - asked
    ropa = next(e for e in EXAMPLES if "ropa {" in e.query)
    assert "/reports/ropa.html" in ropa.query and "/reports/ropa.json" in ropa.query


def operation_name(query: str) -> str:
    (operation,) = [d for d in parse(query).definitions if isinstance(d, OperationDefinitionNode)]
    assert operation.name is not None
    return operation.name.value


# --- in a real browser ---------------------------------------------------------------------------------------------

TABS = "document.querySelectorAll('.graphiql-tab')"
EDITOR = "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
TOOLS = "document.querySelectorAll('.graphiql-editor-tool .CodeMirror')"  # variables, then headers
RESULT = "document.querySelector('.result-window .CodeMirror').CodeMirror"


async def until(page: Page, expression: str, seconds: float = 60) -> Any:
    """The value of `expression` once it is truthy."""
    for _ in range(int(seconds / 0.1)):
        found = await page.evaluate(expression)
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"not so within {seconds} s: {expression}")


async def run_tab(
    page: Page, index: int, variables: dict[str, str] | None = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """Open tab `index`, type its variables (and headers) if given, press run and read the answer GraphiQL shows."""
    example = EXAMPLES[index]
    await page.evaluate(f"{TABS}[{index}].querySelector('.graphiql-tab-button').click()")
    await until(page, f"{EDITOR}.getValue().startsWith({orjson.dumps('# ' + example.name).decode()})")
    if variables is not None:
        await page.evaluate(
            f"{TOOLS}[0].CodeMirror.setValue({orjson.dumps(orjson.dumps(variables).decode()).decode()})"
        )
    if headers is not None:
        await page.evaluate(
            f"{TOOLS}[1].CodeMirror.setValue({orjson.dumps(orjson.dumps(headers).decode()).decode()})"
        )
    # GraphiQL finds the operation to run a moment after the editor changed (debounced): wait for it, not to run
    # the previous tab's
    await until(page, f"{EDITOR}.operationName === {orjson.dumps(operation_name(example.query)).decode()}")
    await page.evaluate(f"{RESULT}.setValue('')")
    await page.evaluate("document.querySelector('.graphiql-execute-button').click()")
    text = await until(page, f"(() => {{ const v = {RESULT}.getValue(); return v.trim() ? v : null; }})()")
    answer: dict[str, Any] = orjson.loads(text)
    assert "errors" not in answer and answer.get("data"), (example.name, answer)
    return answer["data"]


@pytest.mark.neo4j
async def test_chromium_runs_every_example_tab_against_the_seed_with_no_error(
    seeded: Database, clock: FixedClock, tmp_path: Path
) -> None:
    admin = await token_for(seeded, Role.ADMIN, name="local-admin")
    verifier = await token_for(seeded, Role.COMPLIANCE, name="verifier")
    state = AppState(db=seeded, secret=SECRET, clock=clock)
    app = create_app(
        state,
        authenticator=Authenticator(seeded, clock.now),
        loopback_headers={"Authorization": f"Bearer {admin}"},  # as `datamap serve` gives a developer here
        close_db_on_shutdown=False,
    )
    index = {operation_name(e.query): i for i, e in enumerate(EXAMPLES)}  # GraphiQL's tab titles
    answers: dict[str, dict[str, Any]] = {}
    async with serving(app) as base, open_page(tmp_path / "profile") as page:
        await page.load(f"{base}/graphql", {"Accept": "text/html"})
        titles = await until(page, f"Array.from({TABS}).map(t => t.textContent.replace('close icon', ''))")
        assert titles == list(index), titles
        assert all(t.split("_")[0] in GROUPS for t in titles)
        for name, i in index.items():
            if i >= index["Erasure_RecordOutcome"]:
                break
            answers[name] = await run_tab(page, i)
            if name == "Erasure_Request":
                assert await page.evaluate(f"{TOOLS}[1].CodeMirror.getValue()") == (
                    '{\n  "Authorization": "Bearer ' + admin + '"\n}'
                ), "every tab starts with the local admin token"

        # the mutations again: the same answer, nothing new
        again = await run_tab(page, index["Compliance_ShineTheLightAnswer"])
        assert again["answerShineTheLightRequest"]["repeated"] is True
        request = answers["Erasure_Request"]["requestErasure"]
        assert (await run_tab(page, index["Erasure_Request"]))["requestErasure"]["id"] == request["id"]
        assert request["id"] in {r["id"] for r in answers["Erasure_OpenRequests"]["erasureRequests"]}

        # the workflow: an outcome of a task that waits for nothing but the suppression entry, verified by another
        settled = {t["key"] for t in request["tasks"] if t["status"] != "PENDING"}
        task = next(
            t for t in request["tasks"] if t["status"] == "PENDING" and set(t["dependsOn"]) <= settled
        )
        recorded = await run_tab(page, index["Erasure_RecordOutcome"], {"task": task["id"]})
        assert recorded["recordErasureOutcome"]["status"] == "DONE"
        assert (await run_tab(page, index["Erasure_RecordOutcome"]))["recordErasureOutcome"] == (
            recorded["recordErasureOutcome"]
        ), "the same idempotency key changes nothing"
        verified = await run_tab(
            page, index["Erasure_Verify"], {"task": task["id"]}, {"Authorization": f"Bearer {verifier}"}
        )
        assert verified["verifyErasureTask"]["verified"] is True
        async with client_as(app, admin) as api, client_as(app, verifier) as other:
            now = (await api.query(GET, id=request["id"]))["erasureRequest"]
            await settle_all(api, now, other)
        certificate = await run_tab(page, index["Erasure_Certificate"], {"request": request["id"]})
        assert certificate["erasureRequest"]["status"] == "COMPLETE"
        assert certificate["erasureCertificate"]["intact"] is True
        assert (await run_tab(page, index["Erasure_Request"]))["requestErasure"]["status"] == "COMPLETE"
        sent = [
            url for url in page.requests if not url.startswith("data:")
        ]  # GraphiQL's inline fonts and icons
    assert sent and all(url.startswith(f"{base}/") for url in sent), sent

    # what the tabs answered is the seed's
    lineage = answers["Engineer_SubjectLineage"]["subjectLineage"]
    assert lineage["subjectId"] and any(r["key"] == "email_delivery_providers" for r in lineage["recipients"])
    assert answers["Compliance_ShineTheLightPreview"]["shineTheLightReport"]["eligible"] is False
    assert answers["Engineer_FlowsAndRecipientImpact"]["recipientImpact"]["subjectCount"] >= 1
    assert answers["Compliance_AccessReport"]["accessReport"]["documentText"]
    assert answers["Compliance_RecordOfProcessing"]["ropa"]["controllerRecord"]
