"""Reading generated PDFs in tests with poppler (pdftotext, pdftoppm).

Without poppler the tests skip locally and fail under CI (``$CI``), like the browser tests.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} (Debian package poppler-utils) is not installed"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


def pdf_text(data: bytes) -> str:
    """The text poppler extracts from the PDF (Chinese included, when the fonts map to Unicode)."""
    result = subprocess.run([_need("pdftotext"), "-enc", "UTF-8", "-", "-"], input=data,
                            capture_output=True, check=True, timeout=60)
    return result.stdout.decode("utf-8")


def pdf_pages_png(data: bytes, dpi: int = 60) -> list[bytes]:
    """Each page rendered to PNG: proves the PDF is well-formed enough for a reader to draw."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "doc.pdf"
        source.write_bytes(data)
        subprocess.run([_need("pdftoppm"), "-png", "-r", str(dpi), str(source), str(Path(tmp) / "page")],
                       capture_output=True, check=True, timeout=60)
        return [p.read_bytes() for p in sorted(Path(tmp).glob("page*.png"))]
