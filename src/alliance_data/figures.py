"""Pictures of the partnership, drawn from the data: a network and cooperation and conflict over time.

``alliance-data figures`` writes them as SVG under ``docs/`` with ``figures.json``,
which records the data they were drawn from. They are generated, so not committed; every
release carries them.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._io import write_bytes_atomic, write_text_atomic
from .model import package
from .errors import MissingDependency, NotBuilt
from .progress import Stage, silent

NETWORK = "partnership-network.svg"
TIMELINE = "timeline.svg"
VOTES = "votes.svg"
COVERAGE = "coverage.svg"
STAMP = "figures.json"
# The tables the figures are drawn from.
INPUTS = ("actors", "agreements", "agreement_parties", "events", "votes", "dyad_year")
LOW_COVERAGE = 5  # a year whose events rest on fewer original sources is shaded as thinly covered
VOTE_COLOURS = {"yes": "#1b7837", "no": "#b2182b", "veto": "#67001f", "abstain": "#f4a582", "absent": "#bababa", "not_voting": "#bababa"}
# Only these roles make two actors partners; targets, observers and venues are not drawn.
PARTNER_ROLES = {"party", "supplier", "recipient", "member", "organization", "producer", "supporter", "beneficiary", "host"}
# Links whose evidence is this weak are not drawn: a claim or a plan is no partnership.
UNDRAWN_EVIDENCE = {"denied", "alleged", "expected"}
DOMAIN_COLOURS = {
    "military": "#b2182b",
    "arms_technology": "#ef8a62",
    "trade": "#1b7837",
    "energy": "#8c510a",
    "transport": "#762a83",
    "finance": "#2166ac",
    "diplomacy": "#4d4d4d",
    "nuclear": "#e08214",
    "space": "#35978f",
}


def data_fingerprint(root: Path) -> str:
    """sha256 over the CSVs the figures are drawn from."""
    model = package(root)
    digest = hashlib.sha256()
    for name in INPUTS:
        path = model.csv_path(name)
        if not path.is_file():
            from ._package import REBUILD

            raise NotBuilt(f"{name} is generated and not built in {model.root}: {REBUILD}")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _frames(root: Path) -> dict[str, Any]:
    from .arrow_io import read_table
    from .dtypes import to_pandas

    model = package(root)
    frames = {}
    for name in INPUTS:  # the one reader: a panel not yet built is a NotBuilt with the build hint
        frames[name] = to_pandas(read_table(model, name), model.table(name).fields)
    return frames


def _finish(figure: Any, plt: Any, credit: str) -> bytes:
    """Credit the dataset under the figure, then the figure as SVG, closed."""
    figure.text(0.01, 0.005, credit, fontsize=7, color="#555555")
    data = _svg(figure)
    plt.close(figure)
    return data


def _svg(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    return buffer.getvalue()


def _sides(frames: dict[str, Any]) -> dict[str, str]:
    parent = {str(a): (str(p) if isinstance(p, str) else "") for a, p in zip(frames["actors"]["actor_id"], frames["actors"]["parent_id"], strict=False)}
    sides = {}
    for actor in parent:
        node, seen = actor, set()
        while parent.get(node) and node not in seen:
            seen.add(node)
            node = parent[node]
        sides[actor] = "RUS" if node == "SUN" else node
    return sides


def _network(frames: dict[str, Any], plt: Any, nx: Any, credit: str) -> bytes:
    actors = frames["actors"].set_index("actor_id")["name"].astype(str).to_dict()
    domains = frames["agreements"].set_index("agreement_id")["domain"].astype(str).to_dict()
    evidence = frames["agreements"].set_index("agreement_id")["evidence"].astype(str).to_dict()
    sides = _sides(frames)
    partners = frames["agreement_parties"][frames["agreement_parties"]["role"].astype(str).isin(sorted(PARTNER_ROLES))]
    groups = []
    for agreement_id, parties in partners.groupby("agreement_id", sort=True):
        if evidence[agreement_id] not in UNDRAWN_EVIDENCE:
            groups.append((agreement_id, sorted(set(parties["actor_id"].astype(str)))))
    # A third party is drawn only where it is a partner of both sides: the picture is of the dyad.
    linked: dict[str, set[str]] = {}
    for _, members in groups:
        member_sides = {sides.get(m, m) for m in members}
        for m in members:
            linked.setdefault(m, set()).update(member_sides)
    keep = {m for m, with_sides in linked.items() if sides.get(m, m) in ("IRN", "RUS") or {"IRN", "RUS"} <= with_sides}
    graph = nx.MultiGraph()
    for agreement_id, members in groups:
        members = [m for m in members if m in keep]
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                graph.add_edge(a, b, domain=domains[agreement_id])
    parents = frames["actors"].dropna(subset=["parent_id"])
    belongs = [(str(a), str(p)) for a, p in zip(parents["actor_id"], parents["parent_id"], strict=False) if str(a) in graph and str(p) in graph]
    layout_graph = nx.Graph(graph)
    layout_graph.add_edges_from(belongs)
    fixed = {n: xy for n, xy in (("IRN", (-1.0, 0.0)), ("RUS", (1.0, 0.0))) if n in layout_graph}
    layout = nx.spring_layout(layout_graph, seed=7, pos=fixed or None, fixed=list(fixed) or None,
                              k=2.2 / max(1, layout_graph.number_of_nodes()) ** 0.5, iterations=500)
    figure, axes = plt.subplots(figsize=(13, 10))
    nx.draw_networkx_edges(layout_graph, layout, edgelist=belongs, edge_color="#999999", style="dashed", width=0.8, ax=axes)
    from matplotlib.lines import Line2D

    handles = []
    for domain, colour in DOMAIN_COLOURS.items():
        edges = [(a, b) for a, b, d in graph.edges(data="domain") if d == domain]
        if edges:
            nx.draw_networkx_edges(graph, layout, edgelist=edges, edge_color=colour, width=1.6, alpha=0.55, ax=axes)
            handles.append(Line2D([0], [0], color=colour, lw=2, label=domain.replace("_", " ")))
    handles.append(Line2D([0], [0], color="#999999", lw=1, ls="--", label="belongs to (parent actor)"))
    nodes = list(layout_graph.nodes)
    sizes = [60 + 25 * graph.degree(n) if n in graph else 60 for n in nodes]
    colours = ["#fddbc7" if sides.get(n, n) == "IRN" else "#d1e5f0" if sides.get(n, n) == "RUS" else "#fdfdfd" for n in nodes]
    nx.draw_networkx_nodes(layout_graph, layout, nodelist=nodes, node_size=sizes, node_color=colours, edgecolors="#333333", ax=axes)
    labels = {n: actors.get(n, n) for n in nodes}
    nx.draw_networkx_labels(layout_graph, layout, labels=labels, font_size=8, ax=axes,
                            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7})
    axes.legend(handles=handles, title="agreement domain", loc="lower left", fontsize=8, title_fontsize=9, frameon=False)
    axes.set_title("Partners in Iran–Russia agreements: Iran's side (left, red) and Russia's (right, blue), and third parties in\n"
                   "agreements with both (targets and observers left out; denied, alleged and expected links not drawn)")
    axes.axis("off")
    return _finish(figure, plt, credit)


def _mark_years(axes: Any, panel: Any, years: Any) -> list[Any]:
    """Shade partial and thinly covered years; return legend handles for them."""
    from matplotlib.patches import Patch

    handles = []
    partial = panel["partial_year"].astype(int).to_numpy() == 1
    thin = panel["sources_cited"].astype(int).to_numpy() < LOW_COVERAGE
    for year, is_partial, is_thin in zip(years, partial, thin, strict=False):
        if is_partial:
            axes.axvspan(year - 0.5, year + 0.5, color="#fee08b", alpha=0.5, zorder=0)
        elif is_thin:
            axes.axvspan(year - 0.5, year + 0.5, color="#e0e0e0", alpha=0.6, zorder=0)
    if partial.any():
        handles.append(Patch(color="#fee08b", alpha=0.5, label="partial year (data to March 2026)"))
    if thin.any():
        handles.append(Patch(color="#e0e0e0", alpha=0.6, label=f"thin coverage (fewer than {LOW_COVERAGE} original sources)"))
    return handles


def _timeline(frames: dict[str, Any], plt: Any, credit: str) -> bytes:
    """Cooperation and conflict by year: headline dyadic events by quad class (bars, conflict
    below zero) and the Goldstein sum (line), both axes with zero on one line; partial and thinly
    covered years shaded; the largest signatures named above the plot."""
    panel = frames["dyad_year"]
    years = panel["year"].astype(int).to_numpy()
    figure, axes = plt.subplots(figsize=(14, 6.5))
    colours = {"material_cooperation": "#1b7837", "verbal_cooperation": "#a6dba0", "verbal_conflict": "#f4a582", "material_conflict": "#b2182b"}
    handles = _mark_years(axes, panel, years)
    import numpy as np

    up = np.zeros(len(years))
    down = np.zeros(len(years))
    for quad in ("material_cooperation", "verbal_cooperation"):
        values = panel[quad].astype(int).to_numpy()
        axes.bar(years, values, bottom=up, color=colours[quad], label=quad.replace("_", " "), zorder=2)
        up = up + values
    for quad in ("verbal_conflict", "material_conflict"):
        values = panel[quad].astype(int).to_numpy()
        axes.bar(years, -values, bottom=down, color=colours[quad], label=quad.replace("_", " "), zorder=2)
        down = down - values
    axes.axhline(0, color="#333333", lw=0.8)
    axes.set_ylabel("confirmed and reported dyadic events (conflict below zero)")
    line = axes.twinx()
    goldstein = panel["goldstein_sum"].astype(float).to_numpy()
    line.plot(years, goldstein, color="#2166ac", marker="o", ms=3, label="Goldstein sum", zorder=3)
    line.set_ylabel("Goldstein sum of the year's events")
    # Zero on one line: both axes symmetric about it, in proportion to their largest values.
    top = max(1.0, float(np.abs(up).max()), float(np.abs(down).max()))
    g = max(1.0, float(abs(goldstein).max()))
    axes.set_ylim(-top * 1.1, top * 1.1)
    line.set_ylim(-g * 1.1, g * 1.1)
    # Name the signatures of the years with the most cooperation, above the plot so no bar is covered.
    events = frames["events"]
    titles = frames["agreements"].set_index("agreement_id")["title"].astype(str).to_dict()
    signed = events[(events["kind"].astype(str) == "signed") & events["agreement_id"].notna()]
    busiest = panel.sort_values("goldstein_sum", ascending=False)["year"].astype(int).head(5)
    from matplotlib.transforms import blended_transform_factory

    above = blended_transform_factory(axes.transData, axes.transAxes)
    for year in sorted(busiest):
        of_year = signed[signed["date"].astype(str).str.startswith(str(year))]
        if len(of_year):
            title = titles.get(str(of_year.iloc[0]["agreement_id"]), "")
            axes.text(year, 1.02, title[:38] + ("…" if len(title) > 38 else ""), transform=above, rotation=60,
                      fontsize=7, va="bottom", ha="left", color="#333333")
    bars, names = axes.get_legend_handles_labels()
    axes.legend(bars + handles, names + [h.get_label() for h in handles], loc="lower left", fontsize=8, frameon=False)
    line.legend(loc="lower right", fontsize=8, frameon=False)
    axes.set_xlim(years.min() - 0.6, years.max() + 0.6)
    axes.set_title("Iran–Russia cooperation and conflict by year (dyad_year: CAMEO quad classes and Goldstein sum)", pad=95)
    return _finish(figure, plt, credit)


def _votes(frames: dict[str, Any], plt: Any, credit: str) -> bytes:
    """Russia's votes on texts about Iran and Iran's on texts about Ukraine and Russia, by date."""
    votes = frames["votes"]
    rows = {"Russia on Iran": (votes["voter_id"].astype(str) == "RUS") & (votes["subject_id"].astype(str) == "IRN"),
            "Iran on Ukraine and Russia": (votes["voter_id"].astype(str) == "IRN") & votes["subject_id"].astype(str).isin(["UKR", "RUS"])}
    figure, axes = plt.subplots(figsize=(13, 3.6))
    from matplotlib.lines import Line2D

    import pandas as pd

    for y, mask in enumerate(rows.values()):
        chosen = votes[mask]
        dates = pd.to_datetime(chosen["date"].astype(str).str.pad(10, side="right", fillchar="-").str.replace("--", "-07-01", regex=False)
                               .str.replace("-$", "", regex=True).str.slice(0, 10), errors="coerce")
        for date, vote in zip(dates, chosen["vote"], strict=False):
            if pd.isna(date):
                continue
            shown = isinstance(vote, str)
            axes.scatter([date], [y], s=60, marker="o", facecolors=VOTE_COLOURS.get(vote, "none") if shown else "none",
                         edgecolors="#333333" if shown else "#999999", zorder=3)
    axes.set_yticks(range(len(rows)), list(rows))
    axes.set_ylim(-0.7, len(rows) - 0.3)
    handles = [Line2D([0], [0], marker="o", ls="", markerfacecolor=c, markeredgecolor="#333333", label=v.replace("_", " "))
               for v, c in VOTE_COLOURS.items() if v != "not_voting"]
    handles.append(Line2D([0], [0], marker="o", ls="", markerfacecolor="none", markeredgecolor="#999999", label="vote not shown by a source"))
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    axes.set_title("Votes in the UN Security Council, the IAEA Board of Governors and the UN General Assembly (votes table)")
    axes.grid(axis="x", color="#eeeeee")
    return _finish(figure, plt, credit)


def _coverage(frames: dict[str, Any], plt: Any, credit: str) -> bytes:
    """How much was collected about each year: sources published and original sources cited."""
    panel = frames["dyad_year"]
    years = panel["year"].astype(int).to_numpy()
    figure, axes = plt.subplots(figsize=(13, 4.5))
    handles = _mark_years(axes, panel, years)
    axes.bar(years - 0.2, panel["sources_published"].astype(int), width=0.4, color="#8da0cb", label="sources published in the year", zorder=2)
    axes.bar(years + 0.2, panel["sources_cited"].astype(int), width=0.4, color="#66c2a5", label="original sources behind the year's events", zorder=2)
    bars, names = axes.get_legend_handles_labels()
    axes.legend(bars + handles, names + [h.get_label() for h in handles], loc="upper left", fontsize=8, frameon=False)
    axes.set_title("Coverage by year: counts of events reflect what was collected as well as what happened")
    return _finish(figure, plt, credit)


def render(path: str | Path | None = None, out: str | Path | None = None, on_stage: Stage = silent) -> list[Path]:
    """Draw the figures from the package at ``path`` (default: the installed data) into ``out``
    (default ``path/docs``, or ``docs`` in the current folder for the installed data).

    Needs matplotlib and networkx: ``pip install "alliance-data[figures]"``.
    Returns the files written.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import networkx as nx
    except ImportError:
        raise MissingDependency('the figures need matplotlib and networkx: pip install "alliance-data[figures]"') from None
    from ._package import data_root

    root = Path(path) if path is not None else data_root()
    target = Path(out) if out is not None else (root / "docs" if path is not None else Path("docs"))
    # Reproducible SVG: fixed ids, no dates, fonts as paths.
    plt.rcParams.update({"svg.hashsalt": "alliance-data", "svg.fonttype": "path", "font.family": "DejaVu Sans"})
    on_stage("read the data")
    frames = _frames(root)
    from . import _package

    model = package(root)
    credit = (f"alliance-data {model.version} ({_package.fingerprint(root)[:19]}…), "
              f"{', '.join(lic['name'] for lic in model.licenses)}: the Iran–Russia partnership dataset")
    written = {}
    drawings: tuple[tuple[str, Callable[[], bytes]], ...] = (
        (TIMELINE, lambda: _timeline(frames, plt, credit)), (NETWORK, lambda: _network(frames, plt, nx, credit)),
        (VOTES, lambda: _votes(frames, plt, credit)), (COVERAGE, lambda: _coverage(frames, plt, credit)))
    for name, draw in drawings:
        on_stage(name)
        written[target / name] = draw()
    for file, data in written.items():
        write_bytes_atomic(file, data)
    stamp = {"data_sha256": data_fingerprint(root), "data_version": model.version, "drawn_from": list(INPUTS),
             "figures": [TIMELINE, NETWORK, VOTES, COVERAGE]}
    write_text_atomic(target / STAMP, json.dumps(stamp, indent=2) + "\n")
    return [*written, target / STAMP]
