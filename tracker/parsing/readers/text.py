"""Plain-text reader: UTF-8 (BOM or not), UTF-16 with BOM, and legacy Vietnamese encodings.

A legacy file is decoded only when one candidate encoding clearly yields Vietnamese: most of
its accented words must be well-formed Vietnamese syllables. Anything else is refused rather
than turned into mojibake.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

import charset_normalizer

from tracker.parsing.errors import ParseError

# TCVN3 (ABC) is a font encoding with no Python codec. Lower-case letters and the seven bare
# capitals have their own bytes; capitals with tones share the lower-case bytes (they were
# drawn with an upper-case font), so they decode as lower case.
_TCVN3_PAIRS = (
    "b5à b6ả b7ã b8á b9ạ a8ă bbằ bcẳ bdẵ beắ c6ặ a9â c7ầ c8ẩ c9ẫ caấ cbậ a7Đ aeđ ccè ceẻ cfẽ "
    "d0é d1ẹ aaê d2ề d3ể d4ễ d5ế d6ệ d7ì d8ỉ dcĩ ddí deị dfò e1ỏ e2õ e3ó e4ọ abô e5ồ e6ổ e7ỗ "
    "e8ố e9ộ acơ eaờ ebở ecỡ edớ eeợ efù f1ủ f2ũ f3ú f4ụ adư f5ừ f6ử f7ữ f8ứ f9ự faỳ fbỷ fcỹ "
    "fdý feỵ a1Ă a2Â a3Ê a4Ô a5Ơ a6Ư"
)
TCVN3_BYTES = {int(pair[:2], 16): pair[2:] for pair in _TCVN3_PAIRS.split()}

_VOWELS = "aăâeêioôơuưy"
_SYLLABLE = re.compile(
    rf"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?[{_VOWELS}]{{1,3}}"
    r"(?:ng|nh|ch|[cmnpt])?$"
)
_WORD = re.compile(r"[^\W\d_]+")
_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_MIN_SHARE = 0.85  # share of accented words that must be real syllables


def decode_text(data: bytes) -> str:
    """Decode a text file, or raise ParseError when its encoding cannot be told."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                raise _undecidable() from None
    if b"\x00" in data:
        raise ParseError(
            "Tệp không phải văn bản (có byte nhị phân)",
            "The file is not text (it contains binary bytes)",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _decode_legacy(data)


def _decode_legacy(data: bytes) -> str:
    candidates: dict[str, str] = {"tcvn3": _decode_tcvn3(data)}
    for codec in ("cp1258", _guess(data)):
        if codec and codec not in candidates:
            try:
                candidates[codec] = data.decode(codec)
            except (UnicodeDecodeError, LookupError):
                continue
    scored = sorted(
        ((_vietnamese_share(text), name) for name, text in candidates.items()), reverse=True
    )
    best_share, best = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if best_share >= _MIN_SHARE and best_share - runner_up >= 0.1:
        return candidates[best]
    raise _undecidable()


def _guess(data: bytes) -> str | None:
    match = charset_normalizer.from_bytes(data).best()
    return match.encoding if match else None


def _decode_tcvn3(data: bytes) -> str:
    return "".join(TCVN3_BYTES.get(byte, chr(byte)) for byte in data)


def _vietnamese_share(text: str) -> float:
    """Share of words with non-ASCII letters that are well-formed Vietnamese syllables."""
    accented = [w for w in _WORD.findall(text.lower()) if not w.isascii()]
    if not accented:
        return 0.0
    good = 0
    for word in accented:
        decomposed = unicodedata.normalize("NFD", word)
        tones = sum(ch in _TONE_MARKS for ch in decomposed)
        bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
        good += tones <= 1 and bool(_SYLLABLE.match(bare))
    return good / len(accented)


def _undecidable() -> ParseError:
    return ParseError(
        "Không xác định được bảng mã của tệp văn bản; hãy lưu lại dưới dạng UTF-8",
        "Cannot tell the text file's encoding; save it as UTF-8",
    )
