"""What validation reports: :class:`Problem`, :class:`Report` and the registry of problem codes.

Every problem carries a stable, machine-readable ``code`` of the form ``group/kind``. The codes
are a public contract: :data:`CODES` lists each with its meaning (CONTRIBUTING.md lists the
same, and a test keeps the two equal). A code is never reused for another meaning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

MAX_PER_FIELD = 50  # more problems of one kind in one column are counted, not listed
QUOTE_LIMIT = 200  # characters of a value shown in a message; a longer one is cut
REBUILD = "run alliance-data build . (it validates, then regenerates)"

CODES: dict[str, str] = {
    # Reading files
    "file/too-large": "a table file is larger than a table here may be; it is not read",
    "file/unreadable": "a file cannot be read at all (missing, a folder, no permission)",
    "file/encoding": "a file is not valid UTF-8",
    "file/bom": "a CSV file starts with a byte-order mark",
    "file/line-endings": "a CSV file has Windows (CRLF) or CR line endings",
    "file/blank-line": "a CSV file has a blank line",
    "file/final-newline": "a CSV file does not end with a line break",
    "file/invalid-csv": "a CSV file cannot be parsed (a broken quote, an unreadable header)",
    "file/row-width": "a CSV row has more or fewer cells than the header",
    "file/header": "a CSV header is not the schema's field names in order",
    "file/symlink": "a file or folder of the package is a symbolic link",
    "file/temporary": "a leftover temporary file lies among the package's files",
    "file/unlisted": "a file in the package's folders is not listed in datapackage.json",
    "json/invalid": "a descriptor, schema or release file is not valid JSON",
    "json/duplicate-key": "a JSON object has the same key twice",
    "json/too-deep": "a JSON file nests lists and objects deeper than allowed",
    # datapackage.json and schemas/derived.json
    "descriptor/no-resources": "the descriptor has no non-empty list of resources",
    "descriptor/unknown-keyword": "a key of the descriptor is not a keyword of this profile",
    "descriptor/fetched-reference": "a descriptor key would make a reader fetch something ($ref, $schema, dialect, a profile URL)",
    "descriptor/unsupported-value": "a resource's format, mediatype, encoding or type is not the one this package reads",
    "descriptor/version": "the package version is not a semantic version",
    "descriptor/invalid-resource": "a resource entry is not an object",
    "descriptor/invalid-name": "a resource name is not lowercase letters, digits, '.', '_' or '-'",
    "descriptor/duplicate-name": "two resources have the same name",
    "descriptor/unsafe-path": "a resource's path or schema is not a relative path inside the package",
    "descriptor/reserved-name": "a table name is one the exports give their own tables, sheets or views",
    "descriptor/sheet-name-clash": "two table names share the first 31 characters a workbook sheet keeps",
    "descriptor/not-csv": "a table's path is not a .csv file",
    "descriptor/generated-path": "a table's path is the file build generates for another table",
    "descriptor/duplicate-path": "two tables have the same path",
    "descriptor/missing-file": "a resource's path names no file",
    "descriptor/invalid-generated-list": "schemas/derived.json does not hold a list of resource entries",
    "descriptor/generated-redefined": "the descriptor lists a generated table other than as schemas/derived.json does",
    "descriptor/hash-mismatch": "a resource's stated hash does not match its file",
    "descriptor/bytes-mismatch": "a resource's stated size does not match its file",
    # Table Schemas
    "schema/no-fields": "a Table Schema has no non-empty list of fields",
    "schema/too-many-fields": "a Table Schema has more fields than a table here may have",
    "schema/unknown-keyword": "a key of a Table Schema is not a keyword of this profile",
    "schema/fetched-reference": "a schema key would make a reader fetch something ($ref, $schema, a profile URL)",
    "schema/missing-values": "missingValues is anything but an empty cell",
    "schema/no-primary-key": "a Table Schema has no primary key",
    "schema/unnamed-field": "a field has no name",
    "schema/duplicate-field": "two fields have the same name",
    "schema/unknown-type": "a field's type is not one this package reads",
    "schema/invalid-constraints": "a field's constraints are not an object",
    "schema/invalid-enum": "an enum is not a list",
    "schema/duplicate-enum": "an enum lists a value more than once",
    "schema/invalid-pattern": "a pattern is not a regular expression the validator can run",
    "schema/invalid-bound": "a minimum, maximum, minLength or maxLength is not a number of the right kind",
    "schema/unknown-field": "a primary or foreign key names a field that its table does not have",
    "schema/invalid-foreign-key": "a foreign key lacks fields or reference fields, or their numbers differ",
    "schema/unknown-resource": "a foreign key refers to a table that is not a resource of the package",
    # Cells
    "cell/required": "a required cell is empty",
    "cell/whitespace": "a cell has spaces at the start or end",
    "cell/control-character": "a cell holds a control character (a tab, a line break)",
    "cell/not-nfc": "a cell is not NFC-normalized Unicode",
    "cell/hidden-character": "a cell holds an invisible or text-direction character",
    "cell/formula": "a text cell starts with a sign a spreadsheet would run as a formula",
    "cell/type": "a cell is not a value of its field's type",
    "cell/integer-range": "an integer is beyond the 64 bits this package stores",
    "cell/date": "a date is not a real calendar date between 1800 and 2100",
    "cell/enum": "a cell is not one of its field's allowed values",
    "cell/pattern": "a cell does not match its field's pattern",
    "cell/minimum": "a cell is below its field's minimum",
    "cell/maximum": "a cell is above its field's maximum",
    "cell/min-length": "a cell is shorter than its field's minLength",
    "cell/max-length": "a cell is longer than its field's maxLength",
    "cell/unique": "a value of a unique field appears more than once",
    # Keys
    "key/duplicate": "a primary key appears more than once",
    "key/dangling": "a foreign key names a row that the referenced table does not have",
    "key/cycle": "a record is its own ancestor through a self-reference",
    # Rules within a row (rules.py)
    "row/ends-before-start": "an end date is earlier than its start",
    "row/value-order": "value_low is greater than value_high",
    "row/value-incomplete": "some but not all of value_low, value_high, value_currency and value_qualifier are filled",
    "row/quantity-incomplete": "some but not all of quantity, quantity_unit and quantity_qualifier are filled",
    "row/state-codes": "a state lacks iso3 equal to its id and a cow_code, or another actor has them",
    "row/settlement-currency": "a currency or precious metal lacks its ISO 4217 code, or another kind has one",
    "row/status-without-agreement": "an event sets a status but names no agreement",
    "row/trade-flow": "a trade figure lacks a flow, or another figure has a turnover flow",
    "row/flow-parties": "a one-way flow lacks a different exporter and importer, or another figure names them",
    "row/cameo-root": "a CAMEO root code is not the first two digits of its code",
    "row/same-trade-parties": "a trade item's exporter and importer are the same actor",
    # Code lists
    "code/country": "an iso3 is not an ISO 3166-1 alpha-3 code",
    "code/cow": "a cow_code is not the Correlates of War code of the state's iso3",
    "code/currency": "a currency is not an ISO 4217 code",
    "code/language": "a language is not an ISO 639-1 code",
    "code/cameo-unknown": "a CAMEO code is not in the code lists kept in codelists/cameo",
    "code/cameo-mismatch": "a CAMEO code's description, Goldstein weight or quad class is not the code lists'",
    "code/cameo-missing": "codes of the CAMEO code lists are missing from cameo_codes",
    "code/cameo-unreadable": "the CAMEO code lists cannot be read",
    # Citations and evidence (rules.py, semantics.py)
    "citation/unknown-record": "a citation names a record its table does not have",
    "evidence/uncited": "a fact row has no supporting citation",
    "evidence/too-strong": "a 'confirmed' fact rests on fewer than two independent originals and no official record",
    "evidence/other-side-missing": "a 'disputed' or 'denied' fact cites no source giving the other side",
    "evidence/reliability": "a source's reliability is not the one its publisher and relayed outlet give",
    "role/claimant-and-denier": "one actor both claims and denies one fact",
    "role/source-and-target": "one actor is both source and target of a directed event",
    "event/no-actor": "an event has no actor",
    "event/status-before-signing": "an event sets an agreement's status before the agreement was signed",
    "event/after-coverage": "a confirmed event is dated after the newest source",
    "vote/missing-unexplained": "a missing vote has no note saying why",
    "vote/veto-outside-council": "a veto is recorded outside the Security Council",
    # Releases
    "release/id-vanished": "an id of an earlier release is gone without a row in retired_ids",
    "release/retired-present": "a retired id is still in its table",
    "release/unknown-replacement": "what replaced a retired id is not among its table's ids",
    "release/invalid-ids": "a release's id list does not map each table to its ids",
    # Generated files
    "generated/stale": "a generated file is not what build makes from the CSVs and schemas",
    "generated/unreadable": "a generated file cannot be read",
    "generated/inputs-missing": "a generated table's inputs are missing from the package",
}


@dataclass(frozen=True, order=True)
class Problem:
    """One problem: the file (relative to the package folder), the physical line
    (0 when it concerns the whole file), the field, what is wrong, and its code (see :data:`CODES`)."""

    path: str
    line: int
    field: str
    message: str
    code: str
    generated: bool = dataclass_field(default=False, compare=False)
    more: int = dataclass_field(default=0, compare=False)  # an "... and N more" line stands for N problems

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        return f"{text} [{self.code}]"


@dataclass
class Report:
    """What :func:`~alliance_data.validator.validate` found."""

    root: Path
    problems: list[Problem]
    tables: int = 0
    rows: int = 0

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def count(self) -> int:
        """The true number of problems, counting those an "... and N more" line stands for."""
        return sum(p.more or 1 for p in self.problems)


def quote(value: Any) -> str:
    """A value as it appears in a message: JSON-quoted, a long text cut with its length."""
    if isinstance(value, str) and len(value) > QUOTE_LIMIT:
        return f"{json.dumps(value[:QUOTE_LIMIT // 2], ensure_ascii=False)[:-1]}…\" ({len(value):,} characters)"
    return json.dumps(value, ensure_ascii=False)
