"""A fideslang manifest read into the map: what it adds to the current seed map, and what has no counterpart here.
Pure; the tables are `fides_mapping`'s, read the other way.

The rules (`datamap fides import`):

- an import adds and never removes or renames: a system new here becomes a system (operated by the manifest's
  organization when that is an organisation here, else by the controller), and each of its privacy declarations
  links the system to the purpose whose data use it names (`PURPOSE_DATA_USES`; when several purposes share the
  use, the declaration's `name` picks one by key or name), adds the declaration's data categories to what the
  system stores and what the purpose processes, and its data subjects to the purpose's subject categories. An
  entry already here keeps its own fields; it only gains those references;
- a data category or data subject new here is added when the manifest or fideslang's default taxonomy defines it
  (a category with its ancestors), with fideslang's name and description;
- what is added holds from the import's day; a reference added to an entry already here holds, as every seed
  fact does, from that entry's own `validFrom` (the seed format holds one version: time-exact changes go through
  the API's mutations);
- anything needed that has no counterpart (a data use no purpose maps to, a key the map's keys cannot be, an
  undefined category or subject) is a problem, named: the import refuses the whole manifest;
- what the map has no place for (datasets, policies, other organizations, fields such as `egress`, definitions no
  declaration uses) is not imported, and said so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from fideslang.models import FidesModel, PrivacyDeclaration, Taxonomy
from fideslang.models import System as FidesSystem
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from datamap.domain import seed_entries as se
from datamap.domain.categories import ancestors, covers
from datamap.domain.fides_mapping import (
    DEFAULT_CATEGORIES,
    DEFAULT_SUBJECTS,
    SUBJECT_DATA_SUBJECTS,
    data_use_of,
)
from datamap.domain.seed_model import SeedMap, _describe

# The fields of a manifest's system and declaration the map carries; any other one set is reported.
SYSTEM_FIELDS = frozenset({"fides_key", "organization_fides_key", "name", "description", "system_type"})
SYSTEM_FIELDS |= {"privacy_declarations"}
DECLARATION_FIELDS = frozenset({"name", "data_categories", "data_use", "data_subjects"})
DECLARATION_FIELDS |= {"legal_basis_for_processing"}  # the purpose's own basis stands
FIDES_DEFAULT_ORGANIZATION = "default_organization"
_OF_SUBJECT = {fides: ours for ours, fides in SUBJECT_DATA_SUBJECTS.items()}

E = TypeVar("E", bound=BaseModel)


@dataclass(frozen=True)
class ImportPlan:
    seed: SeedMap  # the current map with the manifest's additions (validate it as a whole before loading)
    added: tuple[str, ...]  # what the import adds, one line each; empty: the map has it all
    notes: tuple[str, ...]  # what is not imported, by name
    problems: tuple[str, ...]  # what has no counterpart: the import must be refused


@dataclass
class _Links:
    """What the declarations add to one purpose."""

    systems: list[str]
    categories: list[str]
    subjects: list[str]


def _new(held: Iterable[str], keys: Iterable[str], hierarchy: bool = False) -> list[str]:
    """The keys `held` lacks, in order, once; with `hierarchy`, a data category covered by one held is no gain
    (`categories.covers`)."""
    kept = tuple(held)
    return [k for k in dict.fromkeys(keys) if not any(covers(h, k) if hierarchy else h == k for h in kept)]


class _Import:
    def __init__(self, current: SeedMap, taxonomy: Taxonomy, ref: str, day: dt.date) -> None:
        self.current, self.taxonomy = current, taxonomy
        self.common = {"ref": ref, "validFrom": day}
        self.categories = {c.key: c for c in current.data_categories}
        self.subjects = {s.key: s for s in current.subject_categories}
        self.systems = {s.key: s for s in current.systems}
        self.defined_categories = {**DEFAULT_CATEGORIES, **{c.fides_key: c for c in taxonomy.data_category}}
        self.defined_subjects = {**DEFAULT_SUBJECTS, **{s.fides_key: s for s in taxonomy.data_subject}}
        self.links: dict[str, _Links] = {}
        self.used: set[str] = set()  # the manifest's keys the declarations use
        self.added: list[str] = []
        self.notes: list[str] = []
        self.problems: list[str] = []

    def entry(self, model: type[E], where: str, fields: dict[str, Any]) -> E | None:
        try:
            return model.model_validate({**fields, **self.common})
        except PydanticError as exc:
            self.problems.append(f"{where}: not a map entry here: {_describe(exc)}")
            return None

    def defined(self, model: type[E], kind: str, where: str, key: str, ours: str, found: Any) -> E | None:
        """The entry `ours` made from the manifest's or fideslang's definition of `key` (`found`), noted as added;
        None, with the problem named, when nothing defines it or it cannot be a map entry."""
        if found is None:
            self.problems.append(
                f"{where}: {kind} {key!r} is neither in the map, the manifest nor fideslang's defaults"
            )
            return None
        fields = {"key": ours, "name": found.name or key, "description": found.description}
        made = self.entry(model, f"{kind} {key!r}", fields)
        if made is not None:
            self.added.append(
                f"{kind} {key!r}: new ({fields['name']}){f', as {ours!r}' if ours != key else ''}"
            )
        return made

    def category(self, where: str, key: str) -> str | None:
        """The map's data category `key`, added with its ancestors when the manifest or fideslang defines it."""
        self.used.add(key)
        for k in [*ancestors(key), key]:
            if k not in self.categories:
                made = self.defined(
                    se.DataCategory, "data category", where, k, k, self.defined_categories.get(k)
                )
                if made is None:
                    return None
                self.categories[k] = made
        return key

    def subject(self, where: str, key: str) -> str | None:
        """The map's subject category for the data subject `key` (added when defined, as categories are)."""
        self.used.add(key)
        ours = _OF_SUBJECT.get(key, key)
        if ours not in self.subjects:
            made = self.defined(
                se.SubjectCategory, "data subject", where, key, ours, self.defined_subjects.get(key)
            )
            if made is None:
                return None
            self.subjects[ours] = made
        return ours

    def purpose(self, where: str, declaration: PrivacyDeclaration) -> str | None:
        """The purpose the declaration's data use stands for (its name picks one when several share the use)."""
        use = declaration.data_use
        self.used.add(use)
        fits = [p for p in self.current.purposes if data_use_of(p.key) == use]
        if len(fits) > 1:
            fits = [p for p in fits if declaration.name in (p.key, p.name)] or fits
        if len(fits) == 1:
            return fits[0].key
        if not fits:
            self.problems.append(
                f"{where}: data use {use!r} has no purpose here; add a purpose mapped to it (PURPOSE_DATA_USES in "
                "datamap/domain/fides_mapping.py)"
            )
        else:
            self.problems.append(
                f"{where}: data use {use!r} fits the purposes {', '.join(p.key for p in fits)}; name one of them "
                "(its key or name) as the declaration's name"
            )
        return None

    def declaration(self, system: str, index: int, declaration: PrivacyDeclaration) -> list[str]:
        """Record what one declaration adds to its purpose; the categories the system must store."""
        where = f"system {system!r}: declaration {declaration.name or index + 1!r}"
        others = sorted(declaration.model_fields_set - DECLARATION_FIELDS)
        if others:
            self.notes.append(f"{where}: {', '.join(others)} not imported (the map has no field for them)")
        purpose = self.purpose(where, declaration)
        categories = [k for k in (self.category(where, c) for c in declaration.data_categories) if k]
        subjects = [k for k in (self.subject(where, s) for s in declaration.data_subjects) if k]
        if purpose is not None:
            links = self.links.setdefault(purpose, _Links([], [], []))
            links.systems.append(system)
            links.categories += categories
            links.subjects += subjects
        return categories

    def system(self, found: FidesSystem) -> None:
        key = found.fides_key
        others = sorted(found.model_fields_set - SYSTEM_FIELDS)
        if others:
            self.notes.append(
                f"system {key!r}: {', '.join(others)} not imported (the map has no field for them)"
            )
        stored = [c for i, d in enumerate(found.privacy_declarations) for c in self.declaration(key, i, d)]
        held = self.systems.get(key)
        if held is not None:
            gained = _new(held.categories, stored, hierarchy=True)
            if gained:
                self.systems[key] = held.model_copy(update={"categories": (*held.categories, *gained)})
                self.added.append(f"system {key!r}: stores {', '.join(gained)}")
            return
        fields = {
            "key": key,
            "name": found.name or key,
            "description": found.description,
            "operator": self.operator(key, found.organization_fides_key),
            "categories": _new((), stored),
        }
        made = self.entry(se.System, f"system {key!r}", fields)
        if made is not None:
            self.systems[key] = made
            self.added.append(f"system {key!r}: new, operated by {made.operator!r}")

    def operator(self, system: str, organization: str) -> str:
        """The manifest's organization when it is one here, else the controller."""
        if any(o.key == organization for o in self.current.organisations):
            return organization
        (controller,) = [o.key for o in self.current.organisations if o.controller]
        if organization != FIDES_DEFAULT_ORGANIZATION:
            self.notes.append(
                f"system {system!r}: organization {organization!r} is no organisation here; operated by the "
                f"controller {controller!r}"
            )
        return controller

    def purposes(self) -> tuple[se.Purpose, ...]:
        """The purposes with what the declarations add to them."""
        out = []
        for p in self.current.purposes:
            add = self.links.get(p.key)
            if add is None:
                out.append(p)
                continue
            gained = {
                "systems": _new(p.systems, add.systems),
                "categories": _new(p.categories, add.categories, hierarchy=True),
                "subject_categories": _new(p.subject_categories, add.subjects),
            }
            said = [f"{name.replace('_', ' ')} {', '.join(keys)}" for name, keys in gained.items() if keys]
            if not said:
                out.append(p)
                continue
            self.added.append(f"purpose {p.key!r}: + {'; + '.join(said)}")
            out.append(
                p.model_copy(update={name: (*getattr(p, name), *keys) for name, keys in gained.items()})
            )
        return tuple(out)

    def unused(self) -> None:
        """Name what the manifest holds that the map takes nothing from."""
        here = {o.key for o in self.current.organisations}
        for o in self.taxonomy.organization:
            if o.fides_key not in here:
                self.notes.append(f"organization {o.fides_key!r}: not imported (no organisation here)")
        for kind, items in (("dataset", self.taxonomy.dataset), ("policy", self.taxonomy.policy)):
            if items:
                keys = ", ".join(repr(i.fides_key) for i in items)
                self.notes.append(f"{kind} {keys}: not imported (the map has no {kind} resources)")
        defined: dict[str, tuple[Sequence[FidesModel], Collection[str]]] = {
            "data_category": (self.taxonomy.data_category, self.categories),
            "data_subject": (self.taxonomy.data_subject, {*self.subjects, *_OF_SUBJECT}),
            "data_use": (self.taxonomy.data_use, {data_use_of(p.key) for p in self.current.purposes}),
        }
        for kind, (listed, known) in defined.items():
            for item in listed:
                if item.fides_key not in self.used and item.fides_key not in known:
                    self.notes.append(f"{kind} {item.fides_key!r}: used by no declaration, not imported")


def plan_import(current: SeedMap, taxonomy: Taxonomy, *, ref: str, day: dt.date) -> ImportPlan:
    """What importing `taxonomy` adds to the map `current` (new entries hold from `day`; `ref` says where
    they came from)."""
    run = _Import(current, taxonomy, ref, day)
    for system in taxonomy.system:
        run.system(system)
    purposes = run.purposes()
    run.unused()
    seed = current.model_copy(
        update={
            "data_categories": tuple(run.categories.values()),
            "subject_categories": tuple(run.subjects.values()),
            "systems": tuple(run.systems.values()),
            "purposes": purposes,
        }
    )
    return ImportPlan(
        seed=seed,
        added=tuple(run.added),
        notes=tuple(dict.fromkeys(run.notes)),
        problems=tuple(dict.fromkeys(run.problems)),
    )
