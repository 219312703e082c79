"""Evidence is earned: `confirmed` needs an official record or two independent originals, a
relay is no second source, a source's reliability follows its publishers, votes are data,
claims and denials hold together, and no id of an earlier release vanishes unexplained.

Each test breaks a copy of the package in one way and checks that validate names the file,
line, field and problem code; the cases are picked from the data by rule, not by id.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alliance_data import validate
from conftest import DATA, REPO, read_rows, write_rows
from test_validate import copy_csv_package

OFFICIAL = {"official", "intergovernmental"}


def _rows(root: Path, table: str) -> list[dict[str, str]]:
    return read_rows(root / "tables" / f"{table}.csv")


def _write(root: Path, table: str, rows: list[dict[str, str]]) -> None:
    write_rows(root / "tables" / f"{table}.csv", rows, list(rows[0]))


def _problems(root: Path) -> list[tuple[str, int, str, str]]:
    """Each problem as (path, line, field, code)."""
    return [(p.path, p.line, p.field, p.code) for p in validate(root).problems]


def _standing(root: Path) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    sources = {s["source_id"]: s for s in _rows(root, "sources")}
    kinds = {p["publisher_id"]: p["kind"] for p in _rows(root, "publishers")}
    return sources, kinds


def _lone_original_event(root: Path) -> tuple[int, str, str]:
    """A `reported` event backed by exactly one supporting source, a standard original."""
    sources, kinds = _standing(root)
    backing: dict[str, list[str]] = {}
    for c in _rows(root, "citations"):
        if c["record_table"] == "events" and c["stance"] == "supports":
            backing.setdefault(c["record_id"], []).append(c["source_id"])
    for row, event in enumerate(_rows(root, "events")):
        cited = backing.get(event["event_id"], [])
        if event["evidence"] == "reported" and len(cited) == 1:
            source = sources[cited[0]]
            if source["reliability"] == "standard" and not source["relays"] and kinds[source["publisher_id"]] not in OFFICIAL \
                    and cited[0] != "founding-article":
                return row, event["event_id"], cited[0]
    raise AssertionError("no event rests on one standard original")


def test_confirmed_on_one_original_is_refused(tmp_path: Path) -> None:
    root = copy_csv_package(tmp_path / "package")
    row, event_id, _ = _lone_original_event(root)
    events = _rows(root, "events")
    events[row]["evidence"] = "confirmed"
    _write(root, "events", events)
    assert ("tables/events.csv", row + 2, "evidence", "evidence/too-strong") in _problems(root), event_id


def test_a_relay_is_no_second_source(tmp_path: Path) -> None:
    """A second source that carries the first one's story does not make two originals; an
    original from another outlet does."""
    root = copy_csv_package(tmp_path / "package")
    row, event_id, source_id = _lone_original_event(root)
    sources, _ = _standing(root)
    original = sources[source_id]["publisher_id"]
    publishers = _rows(root, "publishers")
    other = next(p["publisher_id"] for p in publishers if p["kind"] == "newspaper" and p["publisher_id"] != original)
    source_rows = _rows(root, "sources")
    copy = {**sources[source_id], "source_id": "zz-relay-copy", "publisher_id": other, "relays": original, "url": "", "notes": ""}
    _write(root, "sources", [*source_rows, copy])
    citations = _rows(root, "citations")
    citations.append({"record_table": "events", "record_id": event_id, "source_id": "zz-relay-copy", "locator": "page 1", "stance": "supports", "note": ""})
    _write(root, "citations", citations)
    events = _rows(root, "events")
    events[row]["evidence"] = "confirmed"
    _write(root, "events", events)
    assert ("tables/events.csv", row + 2, "evidence", "evidence/too-strong") in _problems(root)
    # The same second source as an original of its own outlet: two originals, confirmed stands.
    copy["relays"] = ""
    _write(root, "sources", [*source_rows, copy])
    assert not any(p[:3] == ("tables/events.csv", row + 2, "evidence") for p in _problems(root))


def test_reliability_follows_the_publishers(tmp_path: Path) -> None:
    root = copy_csv_package(tmp_path / "package")
    sources = _rows(root, "sources")
    _, kinds = _standing(root)
    row = next(i for i, s in enumerate(sources) if kinds[s["publisher_id"]] == "state")
    sources[row]["reliability"] = "standard"
    _write(root, "sources", sources)
    assert ("tables/sources.csv", row + 2, "reliability", "evidence/reliability") in _problems(root)


@pytest.mark.parametrize(("field", "value", "code"), [
    ("voter_id", "", "cell/required"),
    ("vote", "maybe", "cell/enum"),
    ("vote", "", "vote/missing-unexplained"),
])
def test_a_vote_needs_a_voter_and_a_known_vote(tmp_path: Path, field: str, value: str, code: str) -> None:
    root = copy_csv_package(tmp_path / "package")
    votes = _rows(root, "votes")
    row = next(i for i, v in enumerate(votes) if v["vote"])
    votes[row][field] = value
    votes[row]["notes"] = ""
    _write(root, "votes", votes)
    problems = _problems(root)
    assert ("tables/votes.csv", row + 2, field, code) in problems, problems


def test_a_veto_outside_the_security_council_is_refused(tmp_path: Path) -> None:
    root = copy_csv_package(tmp_path / "package")
    votes = _rows(root, "votes")
    row = next(i for i, v in enumerate(votes) if v["body"] != "un_security_council")
    votes[row]["vote"] = "veto"
    _write(root, "votes", votes)
    assert ("tables/votes.csv", row + 2, "vote", "vote/veto-outside-council") in _problems(root)


def test_a_claimant_who_also_denies_is_refused(tmp_path: Path) -> None:
    root = copy_csv_package(tmp_path / "package")
    actors = _rows(root, "event_actors")
    denial = next(a for a in actors if a["role"] == "denier")
    actors.append({**denial, "role": "claimant"})
    actors = sorted(actors, key=lambda a: (a["event_id"], a["actor_id"], a["role"]))
    _write(root, "event_actors", actors)
    line = 2 + actors.index(denial)
    assert ("tables/event_actors.csv", line, "role", "role/claimant-and-denier") in _problems(root)


def test_a_disputed_row_cites_the_other_side(tmp_path: Path) -> None:
    root = copy_csv_package(tmp_path / "package")
    citations = _rows(root, "citations")
    disputed = next(e for e in _rows(root, "events") if e["evidence"] == "disputed")
    kept = [c for c in citations if not (c["record_id"] == disputed["event_id"] and c["stance"] != "supports")]
    _write(root, "citations", kept)
    line = 2 + _rows(root, "events").index(disputed)
    assert ("tables/events.csv", line, "evidence", "evidence/other-side-missing") in _problems(root), disputed["event_id"]


def test_every_alleged_disputed_or_denied_claimant_is_backed() -> None:
    """A claimant or denier role sits on a record some citation backs, never on an uncited guess."""
    cited = {(c["record_table"], c["record_id"]) for c in read_rows(DATA / "tables" / "citations.csv")}
    for link, table, key in (("event_actors", "events", "event_id"), ("agreement_parties", "agreements", "agreement_id")):
        for role in read_rows(DATA / "tables" / f"{link}.csv"):
            if role["role"] in ("claimant", "denier"):
                assert (table, role[key]) in cited, role


def test_an_id_of_an_earlier_release_never_vanishes_unexplained(tmp_path: Path) -> None:
    root = copy_csv_package(tmp_path / "package")
    (root / "releases").mkdir()
    kept = REPO / "releases" / "ids-0.2.0.json"
    release = json.loads(kept.read_text(encoding="utf-8")) if kept.is_file() else \
        {"version": "0.2.0", "ids": {"events": [e["event_id"] for e in _rows(root, "events")]}}
    (root / "releases" / "ids-0.2.0.json").write_text(json.dumps(release), encoding="utf-8")
    # the retired ids as committed: valid
    assert "release/id-vanished" not in {p[3] for p in _problems(root)}
    events = _rows(root, "events")
    gone = next(e for e in events if e["event_id"] in set(release["ids"]["events"]))
    _write(root, "events", [e for e in events if e is not gone])
    for table in ("event_actors", "citations", "votes"):
        rows = _rows(root, table)
        key = "event_id" if table != "citations" else "record_id"
        rows = [r for r in rows if r.get(key) != gone["event_id"]] if table != "votes" else \
            [{**r, "event_id": "" if r["event_id"] == gone["event_id"] else r["event_id"]} for r in rows]
        _write(root, table, rows)
    (vanished,) = [p for p in validate(root).problems if p.code == "release/id-vanished"]
    assert (vanished.path, vanished.field) == ("tables/events.csv", "event_id")
    assert f'"{gone["event_id"]}"' in vanished.message and "0.2.0" in vanished.message, "it names the id and the release"
    # Retiring it, saying what replaced it, answers the problem.
    retired = _rows(root, "retired_ids")
    retired.append({"record_table": "events", "record_id": gone["event_id"], "retired_in": "0.3.0", "replaced_by": "", "reason": "withdrawn in a test"})
    _write(root, "retired_ids", retired)
    assert "release/id-vanished" not in {p[3] for p in _problems(root)}


@pytest.mark.parametrize(("field", "value"), [
    ("goldstein", "9.9"),
    ("quad_class", "material_conflict"),
    ("description", "Sign a formal agreement of friendship"),
])
def test_cameo_codes_are_the_code_lists_validate_reads(tmp_path: Path, field: str, value: str) -> None:
    import shutil

    lists = REPO / "codelists" / "cameo"
    if not lists.is_dir():
        pytest.skip("the code lists are kept in the source checkout")
    root = copy_csv_package(tmp_path / "package", only="cameo_codes")
    shutil.copytree(lists, root / "codelists" / "cameo")
    assert validate(root).valid
    codes = _rows(root, "cameo_codes")
    row = next(i for i, c in enumerate(codes) if c["cameo_code"] == "057")
    codes[row][field] = value
    _write(root, "cameo_codes", codes)
    assert ("tables/cameo_codes.csv", row + 2, field, "code/cameo-mismatch") in _problems(root)
