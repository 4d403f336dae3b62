"""The kinds as the shared code reads them: names, relation types, the kind participants name,
the export formats. A leaf: it imports no kind package, so the kinds' schemas and specs can read it
at module level; app/registry.py installs the specs once they are all built (a kind's package is
imported by the registry, so a reference from the package back to the registry would be a cycle)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.records.spec import Format, KindSpec


class Catalog:
    def __init__(self) -> None:
        self._specs: tuple[KindSpec, ...] | None = None

    def install(self, specs: tuple[KindSpec, ...]) -> None:
        self._specs = specs
        for name in ("kinds", "relation_types", "ordered_relations", "participant_kind", "formats"):
            self.__dict__.pop(name, None)

    @property
    def specs(self) -> tuple[KindSpec, ...]:
        if self._specs is None:
            raise RuntimeError("no kinds installed: import app.registry first")
        return self._specs

    @cached_property
    def kinds(self) -> dict[str, KindSpec]:
        return {spec.kind: spec for spec in self.specs}

    def spec(self, kind: str) -> KindSpec:
        return self.kinds[kind]

    @cached_property
    def relation_types(self) -> tuple[str, ...]:
        """Every type a kind declares, in declared order, then `related` (any kind to any kind)."""
        return tuple(dict.fromkeys([*(t for s in self.specs for t in s.relates), "related"]))

    @cached_property
    def ordered_relations(self) -> frozenset[str]:
        return frozenset(t for s in self.specs for t in s.ordered_relations)

    @cached_property
    def participant_kind(self) -> str:
        """The kind participants name (`{organization: slug}`)."""
        targets = [s.kind for s in self.specs if s.participant_target]
        assert len(targets) == 1, f"one kind is the participants' target, not {targets}"
        return targets[0]

    def participant_roles(self) -> list[str]:
        """Every role a participant can take in a record of any kind."""
        return list(dict.fromkeys(r for s in self.specs if s.participants for r in s.participants.roles))

    def csv_kind(self) -> str | None:
        """The kind of CSV import rows without a `kind` column."""
        return next((s.kind for s in self.specs if s.csv_default), None)

    @cached_property
    def formats(self) -> dict[str, tuple[KindSpec, Format]]:
        """Export formats by name, each with the one kind it holds."""
        return {f.name: (s, f) for s in self.specs for f in s.formats}


CATALOG = Catalog()
