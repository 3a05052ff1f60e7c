"""Which column becomes which field: presets, auto-detection and the user's edits.

The choice, in order: a preset named by the user; the preset a format
reader names (agent inventories); a preset whose ``detect`` headers are all
in the file; else each header is matched against the target's field names,
labels and aliases. A mapping the user edited in the preview overrides any
of these column by column. Comparisons ignore case, spacing, ``_`` and ``-``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vcio.core.importer.base import (
    Preset,
    Problem,
    Target,
    formats,
    presets,
    presets_for,
    targets,
)

__all__ = ["IGNORE", "Mapping", "build_mapping", "choose_preset", "fold", "resolve_layout"]

TABLE_FORMATS = ("csv", "xlsx")

# The mapping value of a column that is not imported.
IGNORE = ""


def fold(text: str) -> str:
    """A header or field spelling reduced for comparison: ``First_Name`` → ``first name``."""
    return " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()


@dataclass
class Mapping:
    """The outcome of mapping one table's headers to a target's fields."""

    preset: Preset | None
    # Every header → the field it fills, or IGNORE.
    columns: dict[str, str]
    # Field → constant cell text from the preset, for fields no column fills.
    defaults: dict[str, str] = field(default_factory=dict)
    notes: list[Problem] = field(default_factory=list)
    # Fatal: a required field no column fills (nothing can be imported).
    problems: list[Problem] = field(default_factory=list)

    def fields(self) -> dict[str, str]:
        """Field name → the header it is read from, for mapped columns only."""
        return {f: h for h, f in self.columns.items() if f != IGNORE}


class UnknownPreset(ValueError):
    """The user named a preset that does not exist for this target."""


def choose_preset(
    target: Target,
    headers: list[str],
    *,
    name: str | None = None,
    table_preset: str | None = None,
) -> Preset | None:
    """The preset to use for a table with ``headers``, ``None`` for plain field names.

    ``name`` (the user's choice) wins, then ``table_preset`` (what a format
    reader names), then the preset for this target whose ``detect`` headers
    are all present (the most specific one when several are). Raises
    :class:`UnknownPreset` for a name that is not a preset of the target.
    """
    if name:
        return preset_named(target, name)
    if table_preset:
        return preset_named(target, table_preset)
    return _detected(target.key, headers)


def _detected(target_key: str, headers: list[str]) -> Preset | None:
    """The preset of ``target_key`` whose ``detect`` headers are all in ``headers``."""
    present = {fold(h) for h in headers}
    matches = [
        p for p in presets_for(target_key) if p.detect and {fold(h) for h in p.detect} <= present
    ]
    return max(matches, key=lambda p: (p.priority, len(p.detect)), default=None)


def _folded(headers: frozenset[str]) -> set[str]:
    return {fold(h) for h in headers}


def other_target_layout(target: Target, headers: list[str]) -> Problem | None:
    """A problem when ``headers`` are a known layout of another target and none of ``target``'s.

    A Snipe-IT licence export imported as assets would otherwise become one
    asset per licence (its "Item name" and "serial number" fit the asset
    fields): the file is refused with the target it belongs to.
    """
    if _detected(target.key, headers) is not None:
        return None
    for preset in presets:
        if preset.target != target.key and _detected(preset.target, headers) is preset:
            other = targets.get(preset.target) if preset.target in targets else None
            label = other.label if other else preset.target
            found = ", ".join(f"`{h}`" for h in headers if fold(h) in _folded(preset.detect))
            return Problem(
                f"this file looks like {preset.label} (columns {found}), not "
                f"{target.label.lower()}: import it as {label.lower()} instead "
                f"(`vcio import {preset.target}`, or {label} on the import page)"
            )
    return None


def preset_named(target: Target, name: str) -> Preset:
    """The preset ``name`` of ``target``; :class:`UnknownPreset` listing the choices."""
    if name in presets:
        preset = presets.get(name)
        if preset.target == target.key:
            return preset
    names = ", ".join(p.name for p in presets_for(target.key)) or "none"
    raise UnknownPreset(f"there is no preset `{name}` for {target.label}; presets: {names}")


def resolve_layout(
    target: str, name: str | None, preset: str | None = None
) -> tuple[str | None, str | None]:
    """A user's "format" word as (format reader, preset): ``snipeit`` may name either kind.

    csv, xlsx or a registered format reader is a format; a preset of
    ``target``, or the start of exactly one (``snipeit`` → ``snipeit-assets``),
    is a preset; ``vcio`` is vcio's own template (columns named like the
    fields, no preset). An explicit ``preset`` is kept. Raises
    :class:`UnknownPreset` naming the choices for any other word.
    """
    if not name or name in TABLE_FORMATS or name in formats:
        return name or None, preset
    if name in presets and presets.get(name).target == target:
        return None, preset or name
    matches = [p.name for p in presets_for(target) if p.name.startswith(f"{name}-")]
    if len(matches) == 1:
        return None, preset or matches[0]
    if name == "vcio":
        return None, preset
    known = {*TABLE_FORMATS, *(f.name for f in formats), "vcio"}
    known |= {p.name for p in presets_for(target)}
    raise UnknownPreset(f"unknown format `{name}`; choose one of: {', '.join(sorted(known))}")


def build_mapping(
    target: Target,
    headers: list[str],
    *,
    preset: Preset | None = None,
    edited: dict[str, str] | None = None,
) -> Mapping:
    """Map each header to a field of ``target`` (see the module docstring for the order).

    ``edited`` is the user's mapping (header → field name or :data:`IGNORE`);
    headers it does not mention are mapped automatically. Each field is
    filled by one column at most: a later column aiming at a taken field is
    ignored with a note.
    """
    by_name = {f.name: f for f in target.fields}
    spellings = _spellings(target)
    preset_columns = {fold(h): f for h, f in (preset.columns if preset else {}).items()}
    mapping = Mapping(preset=preset, columns={})
    taken: dict[str, str] = {}
    for header in headers:
        key = fold(header)
        if edited is not None and header in edited:
            wanted = edited[header] or IGNORE
        else:
            # A preset may map a header to IGNORE on purpose (a person's "Name").
            wanted = preset_columns[key] if key in preset_columns else spellings.get(key, IGNORE)
        if wanted != IGNORE and wanted not in by_name:
            mapping.notes.append(
                Problem(f"`{wanted}` is not a field of {target.label}: not imported", column=header)
            )
            wanted = IGNORE
        if wanted != IGNORE and wanted in taken:
            label = by_name[wanted].label
            mapping.notes.append(
                Problem(
                    f"column `{taken[wanted]}` already fills {label}: this one is not imported",
                    column=header,
                )
            )
            wanted = IGNORE
        if wanted == IGNORE:
            mapping.notes.append(Problem(f"column `{header}` is not imported"))
        else:
            taken[wanted] = header
        mapping.columns[header] = wanted
    if preset:
        mapping.defaults = {f: v for f, v in preset.defaults.items() if f not in taken}
    elif edited is None and (wrong := other_target_layout(target, headers)):
        mapping.problems.append(wrong)
        return mapping
    for f in target.fields:
        if f.required and f.name not in taken and f.name not in mapping.defaults:
            found = ", ".join(f"`{h}`" for h in headers) or "none"
            mapping.problems.append(
                Problem(
                    f"the required field {f.label} has no column in the file "
                    f"(columns found: {found})",
                    column=f.label,
                )
            )
    return mapping


def _spellings(target: Target) -> dict[str, str]:
    """Folded name, label and aliases of each field → the field's name."""
    spellings: dict[str, str] = {}
    for f in target.fields:
        for spelling in (f.name, f.label, *f.aliases):
            spellings.setdefault(fold(spelling), f.name)
    return spellings
