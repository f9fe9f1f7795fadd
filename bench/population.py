"""A synthetic population on the seed map, deterministic for a given seed, generated in batches.

Each subject: 2-10 data categories in 1-4 systems (each from a source the map says feeds that system), 0-5
disclosures a year over 2019-2025 to recipients the map's flows reach from those systems, for the flows'
purposes; a share of California customers with direct-marketing disclosures; a share erased (suppressed).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from datamap.domain.identifiers import SubjectIdentifier
from datamap.domain.seed_model import SeedMap
from datamap.domain.subject_events import Collection, Disclosure, to_row
from datamap.domain.vocabulary import IdentifierKind

YEARS = range(2019, 2026)
EU = ["NL", "DE", "FR", "BE", "IE", "ES", "IT", "SE", "PL", "AT"]


@dataclass(frozen=True)
class Shape:
    """What the seed map offers a generator: systems with their categories, feeds and outgoing flows."""

    systems: dict[str, list[str]]  # system -> categories it stores
    sources: dict[str, list[str]]  # system -> sources that feed it
    reach: dict[str, list[tuple[str, str, tuple[str, ...]]]]  # system -> (recipient, purpose, categories)
    dm: list[tuple[str, str]]  # (recipient, purpose) disclosures for the recipient's own marketing

    @classmethod
    def of(cls, seed: SeedMap) -> Shape:
        systems = {s.key: list(s.categories) for s in seed.systems if s.categories}
        sources: dict[str, list[str]] = {k: [] for k in systems}
        reach: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {k: [] for k in systems}
        for f in seed.flows:
            if f.from_.source and f.to.system in systems:
                sources[f.to.system].append(f.from_.source)
            if f.from_.system in systems and f.to.recipient and f.purposes:
                reach[f.from_.system].append((f.to.recipient, f.purposes[0], tuple(f.categories)))
        fallback = seed.sources[0].key
        dm_purposes = [p.key for p in seed.purposes if p.third_party_direct_marketing]
        dm_recipients = [r.key for r in seed.recipients if r.own_direct_marketing]
        return cls(
            systems={k: v for k, v in systems.items() if reach[k] or sources[k]},
            sources={k: v or [fallback] for k, v in sources.items()},
            reach=reach,
            dm=[(r, p) for r in dm_recipients for p in dm_purposes],
        )


def email_of(index: int) -> str:
    return f"subject{index}@bench.example"


def subject_rows(index: int, shape: Shape, secret: bytes, rng: random.Random) -> list[dict[str, object]]:
    """The graph rows (as the bulk path takes them) of subject `index`."""
    ids = [SubjectIdentifier(IdentifierKind.EMAIL, email_of(index))]
    californian = rng.random() < 0.1
    country = "US" if californian or rng.random() < 0.3 else rng.choice(EU)
    common = {
        "identifiers": ids,
        "subject_categories": [rng.choice(["lead", "customer_representative", "visitor"])],
        "country": country,
    }
    first = dt.datetime(2019, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=rng.randrange(60 * 24 * 365 * 6))
    wanted = rng.randint(2, 10)
    systems = rng.sample(sorted(shape.systems), k=min(len(shape.systems), rng.randint(1, 4)))
    events: list[Collection | Disclosure] = []
    for n, system in enumerate(systems):
        pool = shape.systems[system]
        share = max(1, wanted // len(systems))
        events.append(
            Collection(
                system=system,
                source=rng.choice(shape.sources[system]),
                categories=rng.sample(pool, k=min(len(pool), share)),
                at=first + dt.timedelta(days=n),
                **common,
            )
        )
    reachable = [r for s in systems for r in shape.reach[s]]
    for year in YEARS:
        if year < first.year or not reachable:
            continue
        for _ in range(rng.randint(0, 5)):
            recipient, purpose, carried = rng.choice(reachable)
            at = dt.datetime(year, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=rng.randrange(60 * 24 * 364))
            events.append(
                Disclosure(
                    recipient=recipient,
                    purpose=purpose,
                    at=at,
                    **common,
                    categories=rng.sample(carried, k=min(len(carried), 2)),
                )
            )
        if californian and shape.dm:
            recipient, purpose = rng.choice(shape.dm)
            events.append(
                Disclosure(
                    recipient=recipient,
                    purpose=purpose,
                    categories=["user.name", "user.contact.email"],
                    at=dt.datetime(year, 6, 1, tzinfo=dt.UTC),
                    **common,
                )
            )
    return [to_row(e, secret, line=index * 1000 + i) for i, e in enumerate(events)]


def batches(
    count: int,
    shape: Shape,
    secret: bytes,
    *,
    subjects_per_batch: int = 5000,  # one bulk transaction each (~70,000 rows; the rows do not depend on it)
    seed: int = 7,
    erased_share: float = 0.01,
    first: int = 0,
) -> Iterator[tuple[int, list[dict[str, object]], list[str]]]:
    """(subjects in the batch, their rows, email hashes of the erased ones to suppress first); the subjects
    numbered `first` to `first + count - 1` (another `first` and `seed`: other people)."""
    rng = random.Random(seed)
    for start in range(first, first + count, subjects_per_batch):
        rows: list[dict[str, object]] = []
        erased: list[str] = []
        size = min(subjects_per_batch, first + count - start)
        for index in range(start, start + size):
            subject = subject_rows(index, shape, secret, rng)
            rows += subject
            if rng.random() < erased_share:
                erased.append(str(subject[0]["hashes"][0]))  # type: ignore[index]
        yield size, rows, erased
