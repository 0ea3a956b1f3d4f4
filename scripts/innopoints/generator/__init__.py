"""Demo data: a synthetic province's source feeds, in the shapes the real systems export.

``generate(out_dir, enterprises, years, seed, bad_rows)`` writes every feed of sources.md (CSV in
UTF-8, UTF-8 with BOM or GB18030, and XLSX), ``manifest.json`` and, with broken rows,
``bad_rows.jsonl`` and ``BAD_ROWS.md``. See :mod:`.core`, :mod:`.model`, :mod:`.formats`.
"""

from .core import FileInfo, Manifest, generate

__all__ = ["FileInfo", "Manifest", "generate"]
