"""Pictures of the partnership, drawn from the data: a network and a timeline.

``alliance-data figures`` writes them as SVG under ``docs/`` with ``figures.json``,
which records the data they were drawn from, so a test can tell when they are stale.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

from ._io import write_bytes_atomic, write_text_atomic

NETWORK = "partnership-network.svg"
TIMELINE = "timeline.svg"
STAMP = "figures.json"
# The tables the figures are drawn from.
INPUTS = ("actors", "agreements", "agreement_parties", "agreement_events")
DOMAIN_COLOURS = {
    "military": "#b2182b",
    "arms_technology": "#ef8a62",
    "trade": "#1b7837",
    "energy": "#8c510a",
    "transport": "#762a83",
    "finance": "#2166ac",
    "diplomacy": "#4d4d4d",
}


def data_fingerprint(root: Path) -> str:
    """sha256 over the CSVs the figures are drawn from."""
    digest = hashlib.sha256()
    for name in INPUTS:
        digest.update((root / "tables" / f"{name}.csv").read_bytes())
    return digest.hexdigest()


def _frames(root: Path):
    from . import _package
    from .dtypes import to_pandas
    from .loader import read_csv_arrow

    frames = {}
    for name in INPUTS:
        table_schema = _package.table_schema(name, root)
        frames[name] = to_pandas(read_csv_arrow(root / "tables" / f"{name}.csv", table_schema), table_schema)
    return frames


def _decimal_year(date: str) -> float:
    """Where a partial date sits on a time axis: the middle of its year, month or day."""
    parts = [int(p) for p in date.split("-")]
    if len(parts) == 1:
        return parts[0] + 0.5
    if len(parts) == 2:
        return parts[0] + (parts[1] - 0.5) / 12
    return parts[0] + (parts[1] - 1) / 12 + (parts[2] - 0.5) / 365


def _svg(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    return buffer.getvalue()


def _network(frames, plt, nx) -> bytes:
    actors = frames["actors"].set_index("actor_id")["name"].astype(str).to_dict()
    domains = frames["agreements"].set_index("agreement_id")["domain"].astype(str).to_dict()
    graph = nx.MultiGraph()
    for agreement_id, parties in frames["agreement_parties"].groupby("agreement_id", sort=True):
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
    labels = {n: actors.get(n, n) if len(actors.get(n, n)) <= 24 else n for n in nodes}
    nx.draw_networkx_labels(layout_graph, layout, labels=labels, font_size=8, ax=axes,
                            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7})
    axes.legend(handles=handles, title="agreement domain", loc="lower left", fontsize=8, title_fontsize=9, frameon=False)
    axes.set_title("Actors linked by the agreements they take part in")
    axes.axis("off")
    data = _svg(figure)
    plt.close(figure)
    return data


def _timeline(frames, plt) -> bytes:
    agreements = frames["agreements"]
    points = []  # (year, domain, label)
    for row in agreements.itertuples():
        for column, word in (("signed", "signed"), ("start", "starts"), ("end", "ends")):
            date = getattr(row, column)
            if isinstance(date, str):
                points.append((_decimal_year(date), str(row.domain), f"{row.title}: {word}"))
    domains_of = agreements.set_index("agreement_id")["domain"].astype(str).to_dict()
    for row in frames["agreement_events"].itertuples():
        points.append((_decimal_year(row.date), domains_of[row.agreement_id], f"{row.kind.replace('_', ' ')}"))
    lanes = list(DOMAIN_COLOURS)
    figure, axes = plt.subplots(figsize=(13, 6))
    for year, domain, _ in points:
        axes.scatter(year, lanes.index(domain), color=DOMAIN_COLOURS[domain], s=36, alpha=0.8, edgecolors="white", linewidths=0.5)
    axes.set_yticks(range(len(lanes)), [lane.replace("_", " ") for lane in lanes])
    axes.set_xlabel("year (a date known only to the year or month sits in the middle of it)")
    axes.set_title("Dated events of the partnership, by domain: signatures, starts, ends and other steps")
    axes.grid(axis="x", alpha=0.3)
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
