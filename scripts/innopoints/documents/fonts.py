"""The CJK font every document is set in, embedded (subset) so a PDF renders on any machine.

reportlab reads TrueType outlines only: the Noto CJK fonts most systems carry are CFF (OpenType/PostScript)
and cannot be embedded by it. So a TrueType CJK font from Debian is used, the first found of
``CANDIDATES`` (WenQuanYi Micro Hei from ``fonts-wqy-microhei``, which ``make demo`` / ``make test``
install). ``INNOPOINTS_CJK_FONT`` may name another TrueType file (``path`` or ``path#index`` in a .ttc).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from innopoints.errors import ServiceError

FONT_NAME = "InnopointsCJK"
FONT_ENV = "INNOPOINTS_CJK_FONT"
DEBIAN_PACKAGE = "fonts-wqy-microhei"
# (file, index in a TrueType collection), in order of preference; all TrueType outlines
CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", 0),
)


def _configured() -> list[tuple[str, int]]:
    value = os.environ.get(FONT_ENV, "").strip()
    if not value:
        return list(CANDIDATES)
    path, _, index = value.partition("#")
    return [(path, int(index or 0))]


@cache
def font_file() -> tuple[str, int]:
    """The TrueType CJK font file to use and its index in a collection."""
    tried = _configured()
    for path, index in tried:
        if Path(path).is_file():
            return path, index
    raise ServiceError(
        "没有可嵌入的中文 TrueType 字体 (no TrueType CJK font): 试过 (tried) "
        + "、".join(p for p, _ in tried)
        + f"；请安装 (install) Debian 的 {DEBIAN_PACKAGE}：make documents（需 root）或 "
        f"sudo apt-get install {DEBIAN_PACKAGE}；或用 {FONT_ENV}=/path/font.ttf 指定")


@cache
def register() -> str:
    """Register the CJK font with reportlab once per process; returns its name for ``setFont``."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path, index = font_file()
    pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=index))
    return FONT_NAME


def postscript_name() -> str:
    """The font's own name as a PDF names it (BaseFont, after the subset prefix), e.g. WenQuanYiMicroHei."""
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(register()).face
    name = face.name
    return name.decode("latin-1") if isinstance(name, bytes) else str(name)
