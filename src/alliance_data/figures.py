"""Pictures of the partnership, drawn from the data: a network and cooperation and conflict over time.

``alliance-data figures`` writes them as SVG under ``docs/`` with ``figures.json``,
which records the data they were drawn from. They are generated, so not committed; every
release carries them.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

from ._io import write_bytes_atomic, write_text_atomic
from .model import package

NETWORK = "partnership-network.svg"
TIMELINE = "timeline.svg"
STAMP = "figures.json"
# The tables the figures are drawn from.
INPUTS = ("actors", "agreements", "agreement_parties", "events", "dyad_year")
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
        digest.update(model.csv_path(name).read_bytes())
    return digest.hexdigest()


def _frames(root: Path):
    from .arrow_io import read_csv_arrow
    from .dtypes import to_pandas

    model = package(root)
    frames = {}
    for name in INPUTS:
        table = model.table(name)
        frames[name] = to_pandas(read_csv_arrow(model.csv_path(name), table), table.fields)
    return frames


def _svg(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    return buffer.getvalue()


def _network(frames, plt, nx) -> bytes:
    actors = frames["actors"].set_index("actor_id")["name"].astype(str).to_dict()
    domains = frames["agreements"].set_index("agreement_id")["domain"].astype(str).to_dict()
    graph = nx.MultiGraph()
    evidence = frames["agreements"].set_index("agreement_id")["evidence"].astype(str).to_dict()
    partners = frames["agreement_parties"][frames["agreement_parties"]["role"].astype(str).isin(sorted(PARTNER_ROLES))]
    for agreement_id, parties in partners.groupby("agreement_id", sort=True):
        if evidence[agreement_id] in UNDRAWN_EVIDENCE:
            continue
        members = sorted(set(parties["actor_id"].astype(str)))
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                graph.add_edge(a, b, domain=domains[agreement_id])
    # Companies, institutions and factions hang from their state, so the picture is one piece.
    parents = frames["actors"].dropna(subset=["parent_id"])
    belongs = [(str(a), str(p)) for a, p in zip(parents["actor_id"], parents["parent_id"]) if str(a) in graph]
    layout_graph = nx.Graph(graph)
    layout_graph.add_edges_from(belongs)
    layout = nx.spring_layout(layout_graph, seed=7, k=2.2 / max(1, layout_graph.number_of_nodes()) ** 0.5, iterations=500)
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
    nx.draw_networkx_nodes(layout_graph, layout, nodelist=nodes, node_size=sizes, node_color="#fdfdfd", edgecolors="#333333", ax=axes)
    labels = {n: actors.get(n, n) for n in nodes}
    nx.draw_networkx_labels(layout_graph, layout, labels=labels, font_size=8, ax=axes,
                            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7})
    axes.legend(handles=handles, title="agreement domain", loc="lower left", fontsize=8, title_fontsize=9, frameon=False)
    axes.set_title("Actors linked as partners in agreements (targets and observers left out; denied, alleged and expected links not drawn)")
    axes.axis("off")
    data = _svg(figure)
    plt.close(figure)
    return data


def _timeline(frames, plt) -> bytes:
    """Cooperation and conflict by year: dyadic events by quad class (bars, conflict below
    zero) and the Goldstein sum (line), with the year's key events labelled."""
    panel = frames["dyad_year"]
    years = panel["year"].astype(int).to_numpy()
    figure, axes = plt.subplots(figsize=(13, 6))
    colours = {"material_cooperation": "#1b7837", "verbal_cooperation": "#a6dba0", "verbal_conflict": "#f4a582", "material_conflict": "#b2182b"}
    up = down = 0
    for quad in ("material_cooperation", "verbal_cooperation"):
        values = panel[quad].astype(int).to_numpy()
        axes.bar(years, values, bottom=up, color=colours[quad], label=quad.replace("_", " "))
        up = up + values
    for quad in ("verbal_conflict", "material_conflict"):
        values = panel[quad].astype(int).to_numpy()
        axes.bar(years, -values, bottom=down, color=colours[quad], label=quad.replace("_", " "))
        down = down - values
    axes.axhline(0, color="#333333", lw=0.8)
    axes.set_ylabel("dyadic events (conflict below zero)")
    line = axes.twinx()
    line.plot(years, panel["goldstein_sum"].astype(float).to_numpy(), color="#2166ac", marker="o", ms=3, label="Goldstein sum")
    line.set_ylabel("Goldstein sum of the year's events")
    # Label each year's event with the largest Goldstein weight that is a signature.
    events = frames["events"]
    signed = events[events["kind"].astype(str) == "signed"]
    for year in (2001, 2015, 2017, 2022, 2025):
        of_year = signed[signed["date"].astype(str).str.startswith(str(year))]
        if len(of_year):
            row = of_year.iloc[0]
            axes.annotate(str(row["event_id"]).replace("-", " "), (year, 0.5), rotation=90, fontsize=7, va="bottom", ha="center")
    axes.legend(loc="upper left", fontsize=8, frameon=False)
    line.legend(loc="upper center", fontsize=8, frameon=False)
    axes.set_title("Iran–Russia cooperation and conflict by year: CAMEO quad classes and Goldstein sum (dyad_year)")
    data = _svg(figure)
    plt.close(figure)
    return data


def render(path: str | Path = ".", out: str | Path | None = None) -> list[Path]:
    """Draw the figures from the package at ``path`` into ``out`` (default ``path/docs``).

    Needs matplotlib and networkx: ``pip install "alliance-data[figures]"``.
    Returns the files written.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import networkx as nx
    except ImportError:
        raise ImportError('the figures need matplotlib and networkx: pip install "alliance-data[figures]"') from None
    root = Path(path)
    target = Path(out) if out is not None else root / "docs"
    # Reproducible SVG: fixed ids, no dates, fonts as paths.
    plt.rcParams.update({"svg.hashsalt": "alliance-data", "svg.fonttype": "path", "font.family": "DejaVu Sans"})
    frames = _frames(root)
    written = {target / NETWORK: _network(frames, plt, nx), target / TIMELINE: _timeline(frames, plt)}
    for file, data in written.items():
        write_bytes_atomic(file, data)
    stamp = {"data_sha256": data_fingerprint(root), "drawn_from": list(INPUTS), "figures": [NETWORK, TIMELINE]}
    write_text_atomic(target / STAMP, json.dumps(stamp, indent=2) + "\n")
    return [*written, target / STAMP]
