"""The one-click import of the source feeds (sources.md): ``import_path(path) -> ImportReport``.

Behaviour worth knowing (``innopoints import DIR|FILE``):

- A folder is searched recursively in sorted order; ``manifest.json``, ``*.json``/``*.jsonl``
  (generator ledgers), ``*.md`` and hidden files are skipped.
- Encoding: UTF-8 (with or without BOM) if the bytes are valid UTF-8, else GB18030, decoded
  strictly while streaming; UTF-16, bytes invalid in both, and legacy ``.xls`` are refused.
- Refused whole (recorded in ``audit.import_refusals``, exit 8): empty file, wrong encoding,
  unknown or ambiguous feed, missing key/required column, unknown money unit, or any failure
  during the load (the file's transaction is rolled back).
- A header-only file is loaded as a batch with 0 rows (so its delivery is on record and a re-import
  is recognised); the summary says "header only".
- Blank lines are not rows: they are skipped and counted in the summary, not in rows_read.
- One quarantine entry per bad row: the first bad field and its raw value, every problem of the
  row in the reason. Duplicate keys within a file: the first occurrence loads, later ones are
  quarantined naming the first line. rows_read = rows_loaded + rows_quarantined per file.
- Exit status of the command: 0 all loaded or skipped, 1 a file refused, 3 with ``--strict`` when
  rows were quarantined.
- Speed: rows are read in chunks and converted a column at a time (load.py, fastcols.py); the COPY
  text is sent by a writer thread while the next chunk is parsed. ``--jobs N`` (the command's
  default 2; ``import_path(jobs=1)`` by default) imports N feeds at once, one process each; the
  files of one feed still go one after another in sorted order, so batch ids and "newest delivery"
  do not depend on N. ``innopoints bench import`` measures it against a bare COPY.
"""

from innopoints.importer.load import import_file, import_path
from innopoints.importer.report import FileReport, ImportReport

__all__ = ["FileReport", "ImportReport", "import_file", "import_path"]
