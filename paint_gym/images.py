"""Reading a user's image faithfully: the one image loader of the library.

Every place that takes a user's picture (``paint-gym style`` and ``visualize``,
:func:`paint_gym.param.load_image`, an env's ``reset(options={"target": <PIL image>})``, the
photo painter) reads it here, so a phone photo, a 16-bit scan and a transparent logo look the
same everywhere. :func:`open_image` opens a file; :func:`to_rgb` converts an already open
Pillow image. Both give an 8-bit ``RGB`` Pillow image, i.e. ``np.asarray(...)`` is uint8
``(H, W, 3)`` in 0..255, by these rules:

* **Orientation.** The EXIF orientation tag is applied (:func:`PIL.ImageOps.exif_transpose`):
  a portrait phone photo stored sideways with tag 6 comes out portrait, as every viewer shows it.
* **Transparency** (modes ``RGBA``, ``LA``, ``PA``, premultiplied ``RGBa`` and ``La``; ``P``,
  ``L``, ``RGB``, ``1`` and 16-bit grey with a ``transparency`` entry) is composited over the
  painting's background (white by default, the canvas's; any value
  :func:`paint_gym.validation.background_rgb` accepts), as a viewer shows it on that paper.
* **High bit depth.** ``I;16``, ``I;16B``, ``I;16L``, ``I;16N`` (16-bit) and ``I`` (32-bit integer)
  are read against the 16-bit range 0..65535; ``F`` (32-bit float) against [0, 1]. An image
  with values outside that nominal range is read against the range widened just enough to hold
  them (``[min(lo, nominal lo), max(hi, nominal hi)]``): nothing clips, a dark 16-bit scan stays
  dark, and a float image of 0..255 values reads as 8-bit. The result is rounded to 8 bits.
  A float image holding NaN or inf is refused.
* **Other modes** Pillow opens (``1``, ``L``, ``P``, ``RGB``, ``RGBX``, ``CMYK``, ``YCbCr``,
  ``LAB``, ``HSV``) are converted by Pillow's own rules; a mode it cannot convert to RGB is
  refused with a ``ValueError`` naming the mode. Embedded ICC colour profiles are not applied.
* **Several frames** (an animated GIF, a multi-page TIFF): the first frame.

A file too large to decode safely (more than Pillow's decompression-bomb limit,
``PIL.Image.MAX_IMAGE_PIXELS`` pixels, about 89 million by default) is refused with a
``ValueError`` saying so, before its pixels are decoded: Pillow itself only warns up to twice
that limit, and the warning here is the same refusal.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .validation import background_rgb

#: Modes with an alpha band: composited over the background.
ALPHA_MODES = ("RGBA", "LA", "PA", "RGBa", "La")
#: Integer modes above 8 bits, read against the 16-bit range 0..65535.
WIDE_INT_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I")
#: The 32-bit float mode, read against [0, 1].
FLOAT_MODE = "F"

Background = str | Sequence[float] | np.ndarray


def to_rgb(image: Image.Image, background: Background = "white") -> Image.Image:
    """``image`` (any mode) as an 8-bit ``RGB`` Pillow image, read faithfully (module docstring).

    Args:
        image: an open Pillow image of any mode, e.g. from ``PIL.Image.open``; not changed.
        background: the colour transparency is composited over: ``"white"`` (the canvas's),
            ``"black"`` or an RGB triple in [0, 1].

    Returns:
        A new ``RGB`` image (``np.asarray`` of it: uint8 ``(H, W, 3)``), EXIF orientation applied;
        for an orientation of 5-8 its width and height are the stored ones swapped.

    Raises:
        ValueError: a mode Pillow cannot convert to RGB (named), a float image holding NaN or
            inf, a bad ``background``, or corrupt EXIF/pixel data.
    """
    if not isinstance(image, Image.Image):
        raise ValueError(f"expected a PIL image; got {type(image).__name__}")
    bg = np.rint(background_rgb(background) * 255.0).astype(np.uint8)
    try:
        image = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError) as exc:  # unreadable EXIF block
        raise ValueError(f"cannot read the EXIF orientation of this {image.mode} image ({exc})") from exc
    mode = image.mode
    if mode in WIDE_INT_MODES or mode == FLOAT_MODE:
        grey, alpha = _wide_grey(image)
        rgb = np.repeat(grey[..., None], 3, axis=-1)
        return _over(rgb, alpha, bg)
    if mode == "La":  # premultiplied grey + alpha: Pillow converts it to nothing
        grey, alpha = (np.asarray(band, np.float32) for band in image.split())
        out = grey[..., None] + bg.astype(np.float32) * (1.0 - alpha[..., None] / 255.0)
        return Image.fromarray(np.clip(np.rint(out), 0, 255).astype(np.uint8), "RGB")
    try:
        if mode in ALPHA_MODES or image.has_transparency_data:
            rgba = np.asarray(image.convert("RGBA"))
            return _over(rgba[..., :3].astype(np.float32) / 255.0, rgba[..., 3], bg)
        return image.convert("RGB")
    except (ValueError, OSError) as exc:
        raise ValueError(
            f"cannot read an image of mode {mode!r} as RGB ({exc}); save it as an 8-bit RGB PNG or JPEG"
        ) from exc


def open_image(path: str | os.PathLike, background: Background = "white") -> Image.Image:
    """The image file at ``path`` as an 8-bit ``RGB`` Pillow image, by :func:`to_rgb`'s rules.

    Any format Pillow reads (JPEG, PNG, TIFF, WebP, GIF, BMP, ...); the first frame of an
    animation. Raises ``FileNotFoundError`` when there is no file at ``path`` and
    ``ValueError`` for a file that is not a readable image, is too large to decode safely
    (Pillow's decompression-bomb limit), or has a mode that cannot be converted (named).
    """
    p = Path(path).expanduser()
    if not p.is_file():
        raise FileNotFoundError(f"no image at {p}; give the path of an image file (JPEG, PNG, TIFF, WebP, ...)")
    try:
        with warnings.catch_warnings():  # Pillow warns between 1x and 2x its limit: refuse there too
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(p) as im:
                im.load()
                return to_rgb(im, background)
    except ValueError as exc:  # from to_rgb: say which file
        raise ValueError(f"{p}: {exc}") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValueError(
            f"{p} is too large to decode safely ({exc}); downscale it (e.g. to a few thousand pixels a side) "
            "and try again"
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValueError(f"{p} is not a readable image ({exc}); give a JPEG, PNG, TIFF or WebP file") from exc


def as_rgb_array(target: Any, background: Background = "white") -> Any:
    """A Pillow image as uint8 ``(H, W, 3)`` by :func:`to_rgb`'s rules; anything else unchanged.

    For entry points that take an image as an array or a Pillow image (an env's
    ``options["target"]``): they validate the array they get as before.
    """
    return np.asarray(to_rgb(target, background)) if isinstance(target, Image.Image) else target


def _wide_grey(image: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """Grey float32 ``(H, W)`` in [0, 1] of a 16/32-bit integer or float image, against its
    nominal range widened to its values; and its alpha (uint8 ``(H, W)``, from a
    ``transparency`` value) or None."""
    values = np.asarray(image).astype(np.float64)
    if image.mode == FLOAT_MODE:
        if not np.isfinite(values).all():
            raise ValueError(
                "this float (mode 'F') image holds NaN or inf; replace them with finite values before painting it"
            )
        lo, hi = 0.0, 1.0
    else:
        lo, hi = 0.0, 65535.0
    if values.size:
        lo, hi = min(lo, float(values.min())), max(hi, float(values.max()))
    grey = ((values - lo) / (hi - lo)).astype(np.float32)
    key = image.info.get("transparency")
    alpha = None
    if isinstance(key, (int, float)) and not isinstance(key, bool):
        alpha = np.where(values == key, 0, 255).astype(np.uint8)
    return grey, alpha


def _over(rgb: np.ndarray, alpha: np.ndarray | None, bg: np.ndarray) -> Image.Image:
    """float ``(H, W, 3)`` in [0, 1] with uint8 alpha ``(H, W)`` (None: opaque) over the uint8
    background colour ``(3,)``, as an 8-bit RGB image."""
    out = rgb * 255.0
    if alpha is not None:
        a = alpha.astype(np.float32)[..., None] / 255.0
        out = out * a + bg.astype(np.float32) * (1.0 - a)
    return Image.fromarray(np.clip(np.rint(out), 0, 255).astype(np.uint8), "RGB")


__all__ = ["ALPHA_MODES", "FLOAT_MODE", "WIDE_INT_MODES", "as_rgb_array", "open_image", "to_rgb"]
