"""A painting as OpenRaster (``.ora``, which MyPaint, Krita and GIMP open): one layer per level.

The file is a zip (OpenRaster 0.0.5): ``mimetype`` (stored first, uncompressed),
``stack.xml`` (the layers, top first), ``data/level_K.png`` (each level's strokes painted by
MyPaint on a transparent layer, with the brush seeds they have in the whole painting:
:func:`paint_gym.photo.replay.level_layers`), ``data/background.png``, ``mergedimage.png`` (the
painting) and ``Thumbnails/thumbnail.png`` (at most 256 px).
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

import numpy as np
from PIL import Image

from ..painters import libmypaint as L
from ..painters.mypaint import rgba_over_background
from .replay import level_layers

if TYPE_CHECKING:  # painting.py imports this module for its save_* methods
    from .painting import Painting

#: OpenRaster's MIME type, the first entry of the zip.
MIMETYPE = "image/openraster"


def straight_rgba(premultiplied: np.ndarray) -> np.ndarray:
    """MyPaint's premultiplied 15-bit RGBA ``(H, W, 4)`` (1.0 = 2**15) -> straight uint8 RGBA, as PNG layers hold."""
    f = premultiplied.astype(np.float32) / np.float32(L.ONE)
    alpha = f[..., 3:]
    rgb = np.where(alpha > 0, f[..., :3] / np.maximum(alpha, 1e-8), 0.0)
    out = np.concatenate([np.clip(rgb, 0, 1), alpha], axis=-1)
    return np.clip(out * 255 + 0.5, 0, 255).astype(np.uint8)


def _png(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


def save_ora(painting: Painting, path: str | os.PathLike, merged: np.ndarray | None = None) -> Path:
    """Write ``painting`` as an OpenRaster file at ``path`` (module docstring); ``merged`` uint8
    ``(H, W, 3)`` is its MyPaint image when already painted (else it is painted from the layers)."""
    layers = level_layers(painting)
    bg = np.asarray(painting.background, np.float32)
    if merged is None:
        total = np.zeros((painting.height, painting.width, 4), np.float32)
        for layer in layers:  # premultiplied "over"
            f = layer.astype(np.float32)
            total = f + total * (1 - f[..., 3:] / L.ONE)
        merged = rgba_over_background(total, bg)
    background = np.broadcast_to(np.rint(bg * 255).astype(np.uint8), (painting.height, painting.width, 3))
    entries = [(f"data/level_{k}.png", f"level {k + 1}", layer) for k, layer in enumerate(layers)]
    stack = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        f'<image version="0.0.5" w="{painting.width}" h="{painting.height}">',
        "<stack>",
        *(
            f'<layer name={quoteattr(name)} src="{src}" x="0" y="0" opacity="1.0" visibility="visible"/>'
            for src, name, _ in reversed(entries)
        ),
        '<layer name="background" src="data/background.png" x="0" y="0" opacity="1.0" visibility="visible"/>',
        "</stack>",
        "</image>",
    ]
    thumb = Image.fromarray(merged)
    thumb.thumbnail((256, 256))
    out = Path(path)
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE, compress_type=zipfile.ZIP_STORED)
        z.writestr("stack.xml", "\n".join(stack) + "\n", compress_type=zipfile.ZIP_DEFLATED)
        for src, _, layer in entries:
            z.writestr(src, _png(straight_rgba(layer)))
        z.writestr("data/background.png", _png(np.ascontiguousarray(background)))
        z.writestr("mergedimage.png", _png(merged))
        z.writestr("Thumbnails/thumbnail.png", _png(np.asarray(thumb)))
    os.replace(tmp, out)
    return out


__all__ = ["MIMETYPE", "save_ora", "straight_rgba"]
