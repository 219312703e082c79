"""How to cite the dataset, generated from ``datapackage.json`` so it is never stale."""

from __future__ import annotations

from dataclasses import dataclass

from . import _package
from .model import package


@dataclass(frozen=True)
class Citation:
    """A citation of the dataset as plain text and as BibTeX."""

    text: str
    bibtex: str

    def __str__(self) -> str:
        return f"{self.text}\n\n{self.bibtex}"


def citation() -> Citation:
    """Return how to cite the installed version of the data, with its content fingerprint
    (:func:`alliance_data.fingerprint`), so a reader can check they hold the same data.

    Examples
    --------
    >>> import alliance_data
    >>> print(alliance_data.citation().text)  # doctest: +ELLIPSIS
    alliance-data contributors (...). alliance-data: ...
    """
    model = package()
    meta = model.descriptor
    authors = " and ".join(c["title"] for c in meta.get("contributors", []) if c.get("role", "author") == "author")
    year = str(meta["created"])[:4]
    version = model.version
    licence = ", ".join(lic["name"] for lic in model.licenses)
    print_ = _package.fingerprint()
    where = "Download: the Releases page of this repository (the files of each version, with SHA256SUMS)"
    text = (f"{authors} ({year}). {meta['title']} (version {version}) [Data set]. Licence: {licence}. "
            f"Content fingerprint {print_}. {where}.")
    key = f"alliance_data_{version.replace('.', '_')}"
    bibtex = "\n".join([
        f"@misc{{{key},",
        f"  author = {{{{{authors}}}}},",
        f"  title = {{{{{meta['title']}}}}},",
        f"  year = {{{year}}},",
        f"  version = {{{version}}},",
        f"  note = {{Data set, licence {licence}; content fingerprint {print_}; "
        f"download from the Releases page of this repository}}",
        "}",
    ])
    return Citation(text, bibtex)
