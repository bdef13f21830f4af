"""The kind registry: every resource kind Spiderweb manages, declared once (see `resources.kinds.builtin`).

Code that works on any kind asks here — which kinds exist, which are listed at the cloud, in which
order a connection is destroyed, what a URL segment means — instead of keeping its own table.
"""

from __future__ import annotations

from resources.kinds.spec import DriverCalls, KindSpec, Reference, resolve

_KINDS: dict[str, KindSpec] = {}
_SEGMENTS: dict[str, KindSpec] = {}


def register(spec: KindSpec) -> KindSpec:
    """Add a kind; its name and segment must be new, and what it is part of must be declared first."""
    if spec.name in _KINDS or spec.segment in _SEGMENTS:
        raise ValueError(f"kind {spec.name!r} (segment {spec.segment!r}) is declared twice")
    if spec.part_of and spec.part_of not in _KINDS:
        raise ValueError(f"kind {spec.name!r} is part of {spec.part_of!r}, which is not declared (yet)")
    if not spec.part_of and spec.driver is None:
        raise ValueError(f"kind {spec.name!r} needs driver calls, or a kind it is part of")
    _KINDS[spec.name] = spec
    _SEGMENTS[spec.segment] = spec
    return spec


class UnknownKind(LookupError):
    pass


def get(name: str) -> KindSpec:
    try:
        return _KINDS[name]
    except KeyError:
        raise UnknownKind(f"no resource kind {name!r}; kinds: {', '.join(_KINDS)}") from None


def by_segment(segment: str) -> KindSpec | None:
    return _SEGMENTS.get(segment)


def by_name(name: str) -> KindSpec | None:
    return _KINDS.get(name)


def all_kinds() -> tuple[KindSpec, ...]:
    """Every kind, in declaration order (the order of menus, summaries and listings)."""
    return tuple(_KINDS.values())


def names() -> tuple[str, ...]:
    return tuple(_KINDS)


def listed() -> tuple[KindSpec, ...]:
    """The kinds listed at the cloud on their own (a subnet comes with its VPC's listing)."""
    return tuple(spec for spec in _KINDS.values() if not spec.part_of)


def adoptable() -> tuple[KindSpec, ...]:
    return tuple(spec for spec in _KINDS.values() if spec.adoptable)


def referenced_kinds() -> tuple[str, ...]:
    """The kinds some kind's answer refers to: what a page needs names for."""
    wanted = set().union(*(spec.referenced_kinds for spec in _KINDS.values()))
    return tuple(name for name in _KINDS if name in wanted)


def destroy_stages() -> tuple[tuple[KindSpec, ...], ...]:
    """Kinds grouped by destroy stage, first stage first: each stage only depends on later ones."""
    stages: dict[int, list[KindSpec]] = {}
    for spec in _KINDS.values():
        if spec.destroy_stage is not None:
            stages.setdefault(spec.destroy_stage, []).append(spec)
    return tuple(tuple(stages[stage]) for stage in sorted(stages))


from resources.kinds import builtin  # noqa: E402, F401 - declares the built-in kinds on first import

__all__ = [
    "DriverCalls",
    "KindSpec",
    "Reference",
    "UnknownKind",
    "adoptable",
    "all_kinds",
    "by_name",
    "by_segment",
    "destroy_stages",
    "get",
    "listed",
    "names",
    "referenced_kinds",
    "register",
    "resolve",
]
