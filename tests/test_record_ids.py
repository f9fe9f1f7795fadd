"""Record ids: the digest's fast text is exactly `json.dumps(payload, sort_keys=True, default=str)`.

Graphs already hold ids made from `json.dumps`; the fast path (`subject_events._canonical_json`) may only ever
give the same text, or give up (None) and leave it to `json.dumps`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from typing import Any

from datamap.domain.subject_events import _canonical_json, _digest, assign_subject

ODD = [
    "",
    "plain_key",
    "user.contact.email",
    'quo"te',
    "back\\slash",
    "tab\there",
    "new\nline",
    "\x00",
    "\x1f",
    "\x7f",
    "caf\u00e9",
    "\u65e5\u672c",
    "emoji \U0001f600",
    "\ud800",
    " leading space",
    "{}[],:",
    "null",
    "/slash",
]
ZONES = [dt.UTC, dt.timezone(dt.timedelta(hours=5, minutes=30)), dt.timezone(dt.timedelta(hours=-3)), None]


def _string(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return rng.choice(ODD)
    alphabet = "abcdefghijklmnopqrstuvwxyz_.-0123456789 ABC"
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))


def _instant(rng: random.Random) -> dt.datetime:
    at = dt.datetime(2000, 1, 1) + dt.timedelta(seconds=rng.randrange(10**9))
    if rng.random() < 0.3:
        at = at.replace(microsecond=rng.randrange(1, 10**6))
    return at.replace(tzinfo=rng.choice(ZONES))


def _value(rng: random.Random) -> Any:
    pick = rng.randrange(10)
    if pick < 3:
        return _string(rng)
    if pick == 3:
        return None
    if pick in (4, 5):
        return _instant(rng)
    if pick in (6, 7):
        return [_string(rng) for _ in range(rng.randrange(0, 4))]
    # what the fast path leaves to json.dumps
    return rng.choice(
        [1, 2.5, True, False, dt.date(2024, 1, 2), ["a", None], ["a", 1], {"x": "y"}, ("t",), ["\u00e9"]]
    )


def _payload(rng: random.Random) -> dict[Any, Any]:
    payload: dict[Any, Any] = {_string(rng): _value(rng) for _ in range(rng.randrange(0, 8))}
    if rng.random() < 0.05:
        payload[rng.randrange(5)] = "an int key"  # json.dumps writes it as a string
    return payload


def test_the_fast_text_is_json_dumps_or_nothing() -> None:
    rng = random.Random(12)
    fast = 0
    for _ in range(20000):
        payload = _payload(rng)
        text = _canonical_json(payload)
        try:
            expected = json.dumps(payload, sort_keys=True, default=str)
        except TypeError:  # keys of several types cannot be sorted
            assert text is None
            continue
        if text is not None:
            fast += 1
            assert text == expected, payload
        assert _digest(payload) == hashlib.sha256(expected.encode()).hexdigest()[:32]
    assert fast > 5000  # the generator does exercise the fast path


def test_record_payloads_take_the_fast_path_and_keep_their_ids() -> None:
    at = dt.datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=dt.UTC)
    collection = {
        "system": "crm",
        "source": "web_form",
        "categories": ["user.contact.email", "user.name"],
        "at": at,
    }
    disclosure = {"recipient": "mailer", "purpose": "marketing", "categories": [], "at": at}
    for row in (collection, disclosure):
        payload = {
            "subject": "s_0123",
            **{k: row.get(k) for k in ("system", "source", "recipient", "purpose")},
        }
        payload |= {"categories": row["categories"], "at": at}
        assert _canonical_json(payload) == json.dumps(payload, sort_keys=True, default=str)
        assign_subject(row, "s_0123")
        assert (
            row["id"]
            == hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:32]
        )
    # an id a graph holds (made before the fast path existed)
    assert collection["id"] == "b8466798126c097d51c9de6c8b79dd19"
