"""Cleaning a scanned page before OCR: red stamp ink out, lighting evened, skew undone.

Tesseract reads a phone photo with a shadow at ~30 % character error and the same page with
even lighting at ~2.5 %; a red stamp over the signer's title turns into noise words; a page
turned one degree breaks lines apart. All of it is cheap with numpy on a grey image.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

_RED_MARGIN = 40  # red this much above both green and blue is stamp ink, not toner
_LIGHT_SCALE = 8  # the lighting is estimated on a page this many times smaller
_MAX_SKEW = 3.0  # degrees searched either way
_SKEW_STEP = 0.1


def clean_page(image: Image.Image) -> Image.Image:
    """A grey page with the red ink removed, the lighting flattened and the skew undone."""
    grey = _drop_red(image)
    grey = _even_lighting(grey)
    angle = find_skew(grey)
    if abs(angle) >= _SKEW_STEP:
        grey = grey.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255, expand=False)
    return grey


def _drop_red(image: Image.Image) -> np.ndarray:
    """Grey levels (float32, 0-255) with stamp-red pixels turned to paper white."""
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if image.mode == "L":
        return np.asarray(image, dtype=np.float32)
    rgb = np.asarray(image, dtype=np.int16)
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    grey = (0.299 * red + 0.587 * green + 0.114 * blue).astype(np.float32)
    stamp = (red - np.maximum(green, blue)) > _RED_MARGIN
    grey[stamp] = 255.0
    return grey


def _even_lighting(grey: np.ndarray) -> Image.Image:
    """Divide the page by a blurred copy of itself: shadows and paper tint become white."""
    height, width = grey.shape
    page = Image.fromarray(grey.clip(0, 255).astype(np.uint8))
    small = page.resize((max(width // _LIGHT_SCALE, 1), max(height // _LIGHT_SCALE, 1)))
    # A max filter first lifts the paper between strokes, so text does not darken the estimate.
    background = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(6))
    light = np.asarray(background.resize((width, height)), dtype=np.float32)
    flat = grey / np.maximum(light, 1.0) * 255.0
    return Image.fromarray(flat.clip(0, 255).astype(np.uint8))


def find_skew(grey: Image.Image) -> float:
    """The rotation (degrees, counter-clockwise) that makes text lines horizontal.

    Projection-profile search: on a small inked copy, the angle whose row sums vary most is
    the one where every text line falls on its own rows.
    """
    width, height = grey.size
    scale = 1000 / max(width, height)
    small = grey.resize((max(int(width * scale), 1), max(int(height * scale), 1)))
    ink = Image.fromarray(((np.asarray(small) < 160) * 255).astype(np.uint8))

    def sharpness(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST), dtype=np.float32)
        return float(np.square(np.diff(rows.sum(axis=1))).sum())

    # Coarse steps over the whole range, then fine steps around the best coarse angle.
    coarse = [step * 0.5 for step in range(-int(_MAX_SKEW * 2), int(_MAX_SKEW * 2) + 1)]
    best = max(coarse, key=sharpness)
    fine = [round(best + step * _SKEW_STEP, 2) for step in range(-4, 5)]
    return max(fine, key=sharpness)
