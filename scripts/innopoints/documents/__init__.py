"""The documents of a publication: each enterprise's 积分报告单 (PDF) and the publicity lists (公示:
XLSX and PDF per region). Read from the frozen ``audit.publication*`` tables as the publisher role.

- ``write_reports(publication_id, out_dir, uscc=None)``: the 积分报告单 (``innopoints report``);
- ``write_publicity_documents(publication_id, out_dir)``: the publicity documents of a publicity list.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from innopoints.documents.bulk import BulkResult

__all__ = ["publicity_dir", "write_publicity_documents", "write_reports"]


def publicity_dir(publication_id: int) -> Path:
    """Where the publicity documents of a list go by default: publicity/publication<ID>."""
    from innopoints.config import get_settings

    return get_settings().project_root / "publicity" / f"publication{publication_id}"


def write_publicity_documents(publication_id: int, out_dir: Path) -> list[Path]:
    """The XLSX and PDF publicity list of the province and of each city (see ``documents.publicity``)."""
    from innopoints.documents.publicity import write_publicity_documents as write

    return write(publication_id, out_dir)


def write_reports(publication_id: int, out_dir: Path, **kwargs: object) -> BulkResult:
    """The 积分报告单 of one enterprise (``uscc=``) or of every enterprise (see ``documents.bulk``)."""
    from innopoints.documents.bulk import write_reports as write

    return write(publication_id, out_dir, **kwargs)  # type: ignore[arg-type]
