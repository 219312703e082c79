"""The relationship through time: events, the dyad-year panel, status on a date, ids kept."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

import alliance_data
from alliance_data import derived
from alliance_data.validator import validate
from conftest import DATA, REPO, copy_data, read_rows, write_rows

# Where each table of the previous release lives now (agreement_events moved into events).
MOVED = {"agreement_events": "events"}


def ids_of(table: str) -> set[str]:
    key = json.loads((DATA / "schemas" / f"{table}.schema.json").read_text(encoding="utf-8"))["primaryKey"][0]
    return {row[key] for row in read_rows(DATA / "tables" / f"{table}.csv")}


def test_no_id_of_the_previous_release_disappears() -> None:
    previous = json.loads((Path(__file__).parents[1] / "releases" / "ids-0.1.0.json").read_text(encoding="utf-8"))
    for table, ids in previous["ids"].items():
        missing = set(ids) - ids_of(MOVED.get(table, table))
        assert not missing, f"{table}: {sorted(missing)}"


def test_every_event_is_cited_and_coded() -> None:
    cameo = ids_of("cameo_codes")
    cited = {c["record_id"] for c in read_rows(DATA / "tables" / "citations.csv") if c["record_table"] == "events" and c["stance"] == "supports"}
    for event in read_rows(DATA / "tables" / "events.csv"):
        assert event["event_id"] in cited, event["event_id"]
        assert event["cameo_code"] in cameo, event["event_id"]


def test_cameo_codes_are_the_kept_code_lists() -> None:
    lists = REPO / "codelists" / "cameo"
    described = dict(line.split("\t", 1) for line in (lists / "eventcodes.tsv").read_text(encoding="utf-8").splitlines()[1:])
    weights = dict(line.split("\t") for line in (lists / "goldstein.tsv").read_text(encoding="utf-8").splitlines()[1:])
    rows = {r["cameo_code"]: r for r in read_rows(DATA / "tables" / "cameo_codes.csv")}
    assert set(rows) == set(weights) == {c for c in described if len(c) > 1}
    for code, row in rows.items():
        assert row["description"] == described[code].strip()
        assert float(row["goldstein"]) == float(weights[code])
        assert row["root_code"] == code[:2]


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    return copy_data(tmp_path / "package", parquet=False)


def test_the_panel_drifting_from_the_events_is_caught(package_copy: Path) -> None:
    path = package_copy / "tables" / "events.csv"
    rows = read_rows(path)
    target = next(r for r in rows if r["event_id"] == "hamadan-use-ended")
    target["cameo_code"] = "057"  # criticism recoded as a signature: the 2016 Goldstein sum changes
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    problems = [p for p in validate(package_copy).problems if p.path == "tables/dyad_year.csv"]
    assert [(p.code, p.generated) for p in problems] == [("generated/stale", True)], "a stale panel asks for a build"


def _by_hand() -> tuple[dict[str, set[str]], dict[str, tuple[set[str], set[str]]], dict[str, float]]:
    """Each event's acting sides and its senders and receivers, recomputed from the CSVs
    by the codebook's words (not by derived.py)."""
    actors = {a["actor_id"]: a for a in read_rows(DATA / "tables" / "actors.csv")}

    def side(actor: str) -> str:
        while actors[actor]["parent_id"]:
            actor = actors[actor]["parent_id"]
        return "RUS" if actor == "SUN" else actor

    acting: dict[str, set[str]] = {}
    ends: dict[str, tuple[set[str], set[str]]] = {}
    for row in read_rows(DATA / "tables" / "event_actors.csv"):
        s = side(row["actor_id"])
        if row["role"] in {"source", "target", "participant", "host", "supplier", "recipient", "beneficiary"}:
            acting.setdefault(row["event_id"], set()).add(s)
        senders, receivers = ends.setdefault(row["event_id"], (set(), set()))
        if row["role"] in {"source", "supplier"}:
            senders.add(s)
        if row["role"] in {"target", "recipient", "beneficiary"}:
            receivers.add(s)
    weight = {r["cameo_code"]: float(r["goldstein"]) for r in read_rows(DATA / "tables" / "cameo_codes.csv")}
    return acting, ends, weight


def test_panel_recomputed_by_hand_for_some_years() -> None:
    panel = {int(r["year"]): r for r in read_rows(DATA / "tables" / "dyad_year.csv")}
    assert sorted(panel) == list(range(1989, 2027))
    acting, ends, weight = _by_hand()
    events = read_rows(DATA / "tables" / "events.csv")
    steps = {"approved", "ratified", "entered_into_force", "extended"}
    for year in (1989, 1995, 2010, 2016, 2022, 2025):
        dyadic = [e for e in events if e["date"].startswith(str(year)) and {"IRN", "RUS"} <= acting.get(e["event_id"], set())
                  and e["evidence"] != "denied" and not e["reports_event_id"]]
        headline = [e for e in dyadic if e["evidence"] in ("confirmed", "reported") and e["kind"] not in steps]
        claimed = [e for e in dyadic if e["evidence"] in ("alleged", "disputed", "expected") and e["kind"] not in steps]
        row = panel[year]
        assert int(row["events"]) == len(headline)
        assert int(row["events_claimed"]) == len(claimed)
        assert int(row["events_confirmed"]) == sum(e["evidence"] == "confirmed" for e in headline)
        assert int(row["status_steps"]) == sum(e["kind"] in steps and e["evidence"] in ("confirmed", "reported") for e in dyadic)
        assert float(row["goldstein_sum"]) == pytest.approx(sum(weight[e["cameo_code"]] for e in headline))
        to_irn = [e for e in headline if "RUS" in ends[e["event_id"]][0] and "IRN" in ends[e["event_id"]][1]]
        assert int(row["events_rus_to_irn"]) == len(to_irn)


def test_the_panel_counts_a_report_and_its_act_once(package_copy: Path) -> None:
    """Linking a report to the act it reports takes the report out of the counts."""
    events = read_rows(package_copy / "tables" / "events.csv")
    acting, _, _ = _by_hand()
    year_of = {e["event_id"]: e["date"][:4] for e in events}
    counted = [e for e in events if {"IRN", "RUS"} <= acting.get(e["event_id"], set()) and e["evidence"] in ("confirmed", "reported")
               and not e["reports_event_id"] and e["kind"] not in {"approved", "ratified", "entered_into_force", "extended"}]
    report, act = next((a, b) for a in counted for b in counted if a is not b and year_of[a["event_id"]] == year_of[b["event_id"]])
    before = {r["year"]: int(r["events"]) for r in derived.dyad_year(package_copy)}
    report["reports_event_id"] = act["event_id"]
    write_rows(package_copy / "tables" / "events.csv", events, list(events[0]))
    after = {r["year"]: int(r["events"]) for r in derived.dyad_year(package_copy)}
    year = int(year_of[act["event_id"]])
    assert after[year] == before[year] - 1


def test_the_panel_never_counts_a_denied_event(package_copy: Path) -> None:
    events = read_rows(package_copy / "tables" / "events.csv")
    acting, _, _ = _by_hand()
    event = next(e for e in events if {"IRN", "RUS"} <= acting.get(e["event_id"], set()) and e["evidence"] == "reported"
                 and e["kind"] not in {"approved", "ratified", "entered_into_force", "extended"} and not e["reports_event_id"])
    year = int(event["date"][:4])
    before = {r["year"]: r for r in derived.dyad_year(package_copy)}[year]
    event["evidence"] = "denied"
    write_rows(package_copy / "tables" / "events.csv", events, list(events[0]))
    after = {r["year"]: r for r in derived.dyad_year(package_copy)}[year]
    assert after["events"] == before["events"] - 1 and after["events_claimed"] == before["events_claimed"]


def test_the_panel_never_mixes_statistics_in_one_column() -> None:
    """A yearly turnover is a calendar-year figure and names the statistic it comes from."""
    observations = {o["observation_id"]: o for o in read_rows(DATA / "tables" / "observations.csv")}
    for row in read_rows(DATA / "tables" / "dyad_year.csv"):
        if row["trade_turnover_observation_id"]:
            chosen = observations[row["trade_turnover_observation_id"]]
            assert chosen["year_basis"] in ("", "calendar") and chosen["period"] == row["year"]
            assert row["trade_turnover_statistic"] == chosen["statistic"]
            assert row["trade_turnover_qualifier"] == chosen["qualifier"]
            assert chosen["evidence"] not in ("expected", "denied")


def test_directed_panel_sums_to_the_directed_counts() -> None:
    undirected = {r["year"]: r for r in read_rows(DATA / "tables" / "dyad_year.csv")}
    directed = read_rows(DATA / "tables" / "dyad_year_directed.csv")
    assert len(directed) == 2 * len(undirected)
    for row in directed:
        column = "events_rus_to_irn" if row["ccode1"] == "365" else "events_irn_to_rus"
        assert row["events"] == undirected[row["year"]][column]


def test_the_panels_are_the_same_from_text_or_typed_tables() -> None:
    """The inputs as the validator holds them (every cell text) and as build reads them (typed)
    give the panels build wrote."""
    from alliance_data.arrow_io import read_csv_arrow, read_csv_text
    from alliance_data.model import package

    model = package(DATA)
    text = {name: read_csv_text(model.csv_path(name), model.table(name)) for name in derived.DYAD_YEAR_INPUTS}
    typed = {name: read_csv_arrow(model.csv_path(name), model.table(name)) for name in derived.DYAD_YEAR_INPUTS}
    built = {name: model.csv_path(name).read_bytes() for name in (derived.DYAD_YEAR, derived.DYAD_YEAR_DIRECTED)}
    assert derived.panels_csv_from(text, DATA) == derived.panels_csv_from(typed, DATA) == built


def test_agreements_at_each_year_end_follow_status_as_of() -> None:
    """The panel's year-end counts (vectorised over Arrow) are what statuses_on, row by row, gives."""
    sides = derived.side_of(read_rows(DATA / "tables" / "actors.csv"))
    parties: dict[str, set[tuple[str, str]]] = {}
    for party in read_rows(DATA / "tables" / "agreement_parties.csv"):
        parties.setdefault(party["agreement_id"], set()).add((sides.get(party["actor_id"], party["actor_id"]), party["role"]))

    def both_sides(agreement: dict[str, str], roles: set[str]) -> bool:
        return {"IRN", "RUS"} <= {side for side, role in parties.get(agreement["agreement_id"], set()) if role in roles}

    agreements = read_rows(DATA / "tables" / "agreements.csv")
    events = read_rows(DATA / "tables" / "events.csv")
    through = derived.coverage_through(read_rows(DATA / "tables" / "sources.csv"))
    chosen = {"agreements_in_force": [a for a in agreements if a["kind"] in derived.FORMAL and both_sides(a, {"party"})],
              "arms_transfers_active": [a for a in agreements if a["kind"] in derived.ARMS
                                        and both_sides(a, {"supplier", "recipient", "producer", "party"})]}
    counted = 0
    for row in derived.dyad_year(DATA):
        for column, among in chosen.items():
            on = derived.statuses_on(str(row["year"]), among, events, through)
            assert int(row[column]) == sum(s["status"] in derived.IN_FORCE for s in on), (row["year"], column)
            counted += int(row[column])
    assert counted


def test_status_as_of_only_returns_statuses_dated_steps_set() -> None:
    events = {e["event_id"]: e for e in read_rows(DATA / "tables" / "events.csv")}
    agreements = {a["agreement_id"]: a for a in read_rows(DATA / "tables" / "agreements.csv")}
    for date in ("2001-06", "2016-09-01", "2019-06-30", "2025-06-30"):
        on = alliance_data.status_as_of(date).dropna(subset=["status"])
        assert len(on) > 0
        for row in on.itertuples():
            if isinstance(row.status_event_id, str):
                event = events[row.status_event_id]
                assert event["sets_status"] == row.status and event["agreement_id"] == row.agreement_id
                assert derived.period_end(event["date"]) <= derived.period_end(date)
            else:  # the agreement's own dates
                assert derived.period_end(row.status_date) <= derived.period_end(date)
                assert row.status_date in {agreements[row.agreement_id][c] for c in ("signed", "start", "end")}


def test_status_as_of_the_newest_date_is_the_agreements_status() -> None:
    agreements = {a["agreement_id"]: a["status"] for a in read_rows(DATA / "tables" / "agreements.csv")}
    through = derived.coverage_through(read_rows(DATA / "tables" / "sources.csv"))
    for date in (through, through[:7], "2026-12-31"):
        on = alliance_data.status_as_of(date).set_index("agreement_id")["status"]
        assert {k: on[k] for k in agreements} == agreements


def test_status_as_of_has_the_s300_contract_in_2012_and_refuses_bad_dates() -> None:
    on = alliance_data.status_as_of("2012-01-01").set_index("agreement_id")
    assert isinstance(on.loc["s300-delivery-2016", "status"], str)
    for bad in ("2012-13-01", "2012-00", "2012-02-30", "12-01-01", "", "2012/01"):
        with pytest.raises(alliance_data.InvalidDate):
            alliance_data.status_as_of(bad)


def test_status_as_of_follows_the_treaty_through_2025() -> None:
    def status(date: str) -> object:
        frame = alliance_data.status_as_of(date).set_index("agreement_id")
        return frame.loc["treaty-2025-comprehensive-strategic-partnership", "status"]

    assert pd.isna(status("2024-12-31")), "not signed yet"
    assert status("2025-02") == "signed"
    assert status("2025-10-01") == "ratified"
    assert status("2025-10-02") == "in_force"
    with pytest.raises(ValueError):
        alliance_data.status_as_of("June 2019")


def test_partial_dates_count_from_the_end_of_their_period() -> None:
    assert derived.period_end("2023") == "2023-12-31"
    assert derived.period_end("2023-02") == "2023-02-28"
    on = alliance_data.status_as_of("2023-03-15").set_index("agreement_id")
    assert pd.isna(on.loc["su35-purchase", "status"]), "an event of 2023-03 does not count before 2023-03-31"
    assert alliance_data.status_as_of("2023-03").set_index("agreement_id").loc["su35-purchase", "status"] == "signed"


def test_timeline_holds_every_dated_record() -> None:
    line = alliance_data.timeline()
    assert len(line[line["what"] == "event"]) == len(read_rows(DATA / "tables" / "events.csv"))
    assert len(line[line["what"] == "observation"]) == len(read_rows(DATA / "tables" / "observations.csv"))
    assert list(line["date"]) == sorted(line["date"])
    assert set(line["precision"]) <= {"year", "month", "day"}


def test_corroborating_sources_leave_the_founding_article_out() -> None:
    frictions = alliance_data.load("frictions", with_sources=True).set_index("friction_id")
    assert frictions.loc["junior-partner-view", "corroborating_sources"] == 0  # the article alone
    assert frictions.loc["persian-gulf-islands-dispute", "corroborating_sources"] >= 3


@pytest.mark.parametrize(("date", "needle"), [
    ("2019-12-27", "Maritime Security Belt"),
    ("2016-08-22", "Hamadan"),
    ("2025-09-26", "Sirik"),
    ("2023-07-12", "Dedov"),
    ("2005-10-27", "Sina-1"),
])
def test_reference_facts_are_found_by_date_and_content(date: str, needle: str) -> None:
    events = read_rows(DATA / "tables" / "events.csv")
    assert any(e["date"] == date and needle in e["summary"] for e in events)


def test_panel_and_timeline_in_sql() -> None:
    pytest.importorskip("duckdb")
    con = alliance_data.connect()
    years = con.execute("select count(*), min(year), max(year) from dyad_year").fetchall()[0]
    assert years == (38, 1989, 2026)
    events = con.execute("select count(*) from timeline where what = 'event'").fetchall()[0][0]
    assert events == len(read_rows(DATA / "tables" / "events.csv"))
    in_sql = con.execute("select * from timeline").fetchall()
    in_python = [tuple(row) for row in alliance_data.timeline().itertuples(index=False)]
    assert in_sql == in_python, "the SQL view and timeline() give the same rows"
