"""The one-click import of the source feeds (sources.md): ``import_path(path) -> ImportReport``."""

from innopoints.importer.load import import_file, import_path
from innopoints.importer.report import FileReport, ImportReport

__all__ = ["FileReport", "ImportReport", "import_file", "import_path"]
