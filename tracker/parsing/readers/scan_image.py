"""Cleaning a scanned page before OCR: red stamp ink out, lighting evened, skew undone.

Tesseract reads a phone photo with a shadow at ~30 % character error and the same page with
even lighting at ~2.5 %; a red stamp over the signer's title turns into noise words; a page
turned one degree breaks lines apart. All of it is cheap with numpy on a grey image.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageChops, ImageFilter

_RED_MARGIN = 40  # red this much above both green and blue is stamp ink, not toner
_LIGHT_SCALE = 8  # the lighting is estimated on a page this many times smaller
_MAX_SKEW = 3.0  # degrees searched either way
_SKEW_STEP = 0.1


def clean_page(image: Image.Image) -> Image.Image:
    """A grey page with the red ink removed, the lighting flattened and the skew undone."""
    grey = _even_lighting(_drop_red(image))
    angle = find_skew(grey)
    if abs(angle) >= _SKEW_STEP:
        grey = grey.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255, expand=False)
    return grey


def _drop_red(image: Image.Image) -> Image.Image:
    """The page in grey with stamp-red pixels turned to paper white (8-bit, in Pillow's C)."""
    if image.mode == "L":
        return image
    image = image.convert("RGB")
    red, green, blue = image.split()
    redness = ImageChops.subtract(red, ImageChops.lighter(green, blue))
    stamp = redness.point(lambda v: 255 if v > _RED_MARGIN else 0)
    grey = image.convert("L")
    grey.paste(255, mask=stamp)
    return grey


def _even_lighting(page: Image.Image) -> Image.Image:
    """Divide the page by a blurred copy of itself: shadows and paper tint become white."""
    width, height = page.size
    small = page.resize((max(width // _LIGHT_SCALE, 1), max(height // _LIGHT_SCALE, 1)))
    # A max filter first lifts the paper between strokes, so text does not darken the estimate.
    background = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(6))
    light = np.asarray(background.resize((width, height)), dtype=np.uint16)
    flat = np.asarray(page, dtype=np.uint16) * 255 // np.maximum(light, 1)
    return Image.fromarray(np.minimum(flat, 255).astype(np.uint8))


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
