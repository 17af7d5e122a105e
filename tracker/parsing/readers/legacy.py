"""Old Word (.doc) and OpenDocument (.odt) files: converted to .docx by LibreOffice headless.

Each call gets its own LibreOffice profile directory: two conversions sharing a profile block
each other (or one silently does nothing). The converted file is then read like any .docx, so
automatic numbering becomes labels the same way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from pathlib import Path

from tracker.parsing.errors import ParseError
from tracker.parsing.readers.docx import read_docx
from tracker.parsing.readers.engines import missing_converter, soffice_path

# Word 97-2003 first; Word 6/95 files share the container. OpenDocument text is "writer8".
_FILTERS = {".doc": ("MS Word 97", "MS Word 95", "MS WinWord 6.0"), ".odt": ("writer8",)}
CONVERT_SECONDS = 120  # a first start creates the profile; a 60-page .doc converts in ~10 s


def read_legacy(data: bytes, suffix: str, timeout: float = CONVERT_SECONDS) -> list[str]:
    """Lines of a .doc or .odt file (suffix ".doc" or ".odt"), via LibreOffice."""
    soffice = soffice_path()
    if soffice is None:
        raise missing_converter()
    with tempfile.TemporaryDirectory(prefix="dondoc-convert-") as folder:
        work = Path(folder)
        source = work / f"notice{suffix}"
        source.write_bytes(data)
        out = work / "out"
        converted = out / "notice.docx"
        # The filter is named: left to guess, LibreOffice imports a damaged file as plain text.
        for import_filter in _FILTERS[suffix]:
            command = [
                soffice,
                f"-env:UserInstallation={(work / 'profile').as_uri()}",
                "--headless",
                "--norestore",
                "--nolockcheck",
                f"--infilter={import_filter}",
                "--convert-to",
                "docx",
                "--outdir",
                str(out),
                str(source),
            ]
            _run(command, timeout, suffix, work)
            if converted.exists():
                break
        if not converted.exists():
            raise ParseError(
                f"Không chuyển được tệp {suffix} sang .docx (tệp hỏng hoặc không phải văn bản "
                "Word); hãy mở bằng Word và lưu lại thành .docx",
                f"The {suffix} file could not be converted to .docx (corrupt or not a Word "
                "document); open it in Word and save it as .docx",
            )
        return read_docx(converted.read_bytes())


def _run(command: list[str], timeout: float, suffix: str, home: Path) -> None:
    # LibreOffice starts helper processes; its own session lets a timeout end all of them.
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "HOME": str(home)},  # nothing written to the server's own home
    )
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise ParseError(
            f"Chuyển đổi tệp {suffix} quá {timeout:.0f} giây nên đã dừng; hãy lưu tệp thành "
            ".docx rồi tải lên lại",
            f"Converting the {suffix} file took over {timeout:.0f} s and was stopped; save it "
            "as .docx and upload that",
        ) from None
