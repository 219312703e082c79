"""One typed model of a data package: its tables, their fields, types, constraints and keys.

Every module reads the descriptor and the Table Schemas through here (the validator builds
the same objects from the dicts it has checked), so what a keyword means is decided once.
Only the standard library is used, so that ``import alliance_data`` stays cheap.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import _package


def key_names(value: object) -> tuple[str, ...]:
    """A key given as one name or a list of names (as Table Schema allows), as a tuple of names."""
    if isinstance(value, str):
        return (value,)
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


@dataclass(frozen=True)
class Field:
    """One column of a table, as its Table Schema field states it.

    Examples
    --------
    >>> from alliance_data.model import Field
    >>> f = Field.from_descriptor({"name": "status", "constraints": {"enum": ["a", "b"], "required": True}})
    >>> f.type, f.enum, f.required, f.nullable
    ('string', ('a', 'b'), True, False)
    """

    name: str
    type: str = "string"
    format: str | None = None
    title: str = ""
    description: str = ""
    required: bool = False
    unique: bool = False
    enum: tuple[Any, ...] | None = None
    pattern: str | None = None
    minimum: Any = None
    maximum: Any = None
    min_length: int | None = None
    max_length: int | None = None
    true_values: tuple[str, ...] | None = None
    false_values: tuple[str, ...] | None = None
    enum_descriptions: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_descriptor(cls, descriptor: Mapping[str, Any]) -> Field:
        """The field of a Table Schema ``fields`` entry (already checked by the validator)."""
        c = descriptor.get("constraints") or {}
        enum = c.get("enum")
        true_values, false_values = descriptor.get("trueValues"), descriptor.get("falseValues")
        return cls(
            name=str(descriptor["name"]),
            type=str(descriptor.get("type", "string")),
            format=descriptor.get("format"),
            title=str(descriptor.get("title", "")),
            description=str(descriptor.get("description", "")),
            required=bool(c.get("required", False)),
            unique=bool(c.get("unique", False)),
            enum=tuple(enum) if isinstance(enum, list) else None,
            pattern=c.get("pattern"),
            minimum=c.get("minimum"),
            maximum=c.get("maximum"),
            min_length=c.get("minLength"),
            max_length=c.get("maxLength"),
            true_values=tuple(true_values) if isinstance(true_values, list) else None,
            false_values=tuple(false_values) if isinstance(false_values, list) else None,
            enum_descriptions=MappingProxyType(dict(descriptor.get("enumDescriptions") or {})),
        )

    @property
    def nullable(self) -> bool:
        """Whether a cell may be empty."""
        return not self.required


@dataclass(frozen=True)
class ForeignKey:
    """Fields of one table that must match fields of another (or of the same) table."""

    fields: tuple[str, ...]
    resource: str
    reference: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """One resource of the package with its Table Schema.

    ``schema`` keeps the Table Schema as written (for Parquet metadata and the fingerprint);
    everything else is read from the typed attributes.
    """

    name: str
    path: str
    schema_path: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    schema: Mapping[str, Any]
    derived: bool = False

    @classmethod
    def from_descriptor(cls, resource: Mapping[str, Any], schema: Mapping[str, Any], derived: bool = False) -> Table:
        """The table of a resource entry and its Table Schema (already checked)."""
        name = str(resource["name"])
        foreign_keys = tuple(
            ForeignKey(key_names(fk["fields"]), fk["reference"].get("resource") or name, key_names(fk["reference"]["fields"]))
            for fk in schema.get("foreignKeys", [])
        )
        return cls(
            name=name,
            path=str(resource.get("path", "")),
            schema_path=str(resource.get("schema", "")),
            title=str(schema.get("title") or resource.get("title") or name),
            description=str(schema.get("description") or resource.get("description", "")),
            fields=tuple(Field.from_descriptor(f) for f in schema["fields"]),
            primary_key=key_names(schema.get("primaryKey", [])),
            foreign_keys=foreign_keys,
            schema=schema,
            derived=derived,
        )

    @property
    def field_names(self) -> list[str]:
        """The column names, in order."""
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        """The field called ``name``; raise ``KeyError`` listing the columns."""
        found: Field = _named(self.fields, name, f"table {self.name!r} has no column", "its columns are")
        return found

    @property
    def enums(self) -> dict[str, tuple[Any, ...]]:
        """The allowed values of each enum field, by field name."""
        return {f.name: f.enum for f in self.fields if f.enum is not None}


@dataclass(frozen=True)
class Package:
    """A data package: its metadata and its tables, in the order of ``datapackage.json``.

    Examples
    --------
    >>> from alliance_data.model import package
    >>> events = package().table("events")
    >>> events.primary_key
    ('event_id',)
    >>> events.field("cameo_code").type
    'string'
    """

    root: Path
    name: str
    title: str
    version: str
    description: str
    licenses: tuple[Mapping[str, Any], ...]
    tables: tuple[Table, ...]
    descriptor: Mapping[str, Any]

    @property
    def table_names(self) -> list[str]:
        """The table names, in order."""
        return [t.name for t in self.tables]

    def table(self, name: str) -> Table:
        """The table called ``name``; raise ``KeyError`` listing the tables."""
        found: Table = _named(self.tables, name, "no table named", "the tables are")
        return found

    def csv_path(self, name: str) -> Path:
        """The CSV file of table ``name``."""
        return _package.table_path(name, "csv", self.root)

    def parquet_path(self, name: str) -> Path:
        """The Parquet file built beside the CSV of table ``name``."""
        return _package.table_path(name, "parquet", self.root)


def _named(items: tuple[Any, ...], name: str, missing: str, listing: str) -> Any:
    """The item called ``name``; a ``KeyError`` listing the names there are."""
    for item in items:
        if item.name == name:
            return item
    raise KeyError(f"{missing} {name!r}; {listing}: {', '.join(item.name for item in items)}")


def package(root: Path | str | None = None) -> Package:
    """The model of the package at ``root`` (default: the bundled data).

    Built once per version of the descriptor and schema files: the cached model is used only
    while each file's size and modification time are unchanged, so an edit is always seen.
    """
    base = Path(root) if root is not None else _package.data_root()
    meta = _package.descriptor(base)
    files = [base / _package.DESCRIPTOR, base / _package.DERIVED]
    files += [base / str(r.get("schema")) for r in meta.get("resources", []) if isinstance(r, dict)]
    return _package_of(str(base), tuple(_version(f) for f in files))


def _version(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None  # reported when the model is built
    return status.st_mtime_ns, status.st_size


@functools.lru_cache(maxsize=16)
def _package_of(root: str, versions: tuple[tuple[int, int] | None, ...]) -> Package:
    base = Path(root)
    meta = _package.descriptor(base)
    names = _package.table_names(base)
    for name in names:
        _package.table_path(name, "csv", base)  # refuses a path that leaves the package folder
    generated = _package.derived_names(base)
    tables = tuple(Table.from_descriptor(_package.resource(name, base), _package.table_schema(name, base), derived=name in generated)
                   for name in names)
    return Package(
        root=base,
        name=str(meta.get("name", "")),
        title=str(meta.get("title", "")),
        version=str(meta.get("version", "")),
        description=str(meta.get("description", "")),
        licenses=tuple(meta.get("licenses", [])),
        tables=tables,
        descriptor=meta,
    )
