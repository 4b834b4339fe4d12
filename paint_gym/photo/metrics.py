"""How close a painting of a photo is, and whether its tiles show: PSNR and the seam band ratio."""

from __future__ import annotations

import numpy as np

from ..canvas import mse_uint8
from .plan import Level


def psnr_of_mse(mse: float) -> float:
    """PSNR in dB of an MSE on [0, 1] images: ``10 log10(1 / mse)`` (inf for 0)."""
    return float("inf") if mse <= 0 else float(10.0 * np.log10(1.0 / mse))


def psnr(image: np.ndarray, target: np.ndarray) -> float:
    """PSNR in dB of uint8 ``(H, W, 3)`` images (the MSE is :func:`paint_gym.canvas.mse_uint8`'s)."""
    return psnr_of_mse(float(mse_uint8(image, target)))


def border_band(level: Level, width: int, height: int, band: int = 3) -> np.ndarray:
    """Boolean ``(height, width)``: pixels within ``band`` px of a border between two cores of
    ``level`` (inside the canvas; the canvas's own edges are not borders)."""
    mask = np.zeros((height, width), bool)
    for x0, y0, side in level.cores:
        for edge in (x0, x0 + side):
            e = int(round(edge))
            if 0 < e < width:
                mask[:, max(e - band, 0) : e + band] = True
        for edge in (y0, y0 + side):
            e = int(round(edge))
            if 0 < e < height:
                mask[max(e - band, 0) : e + band, :] = True
    return mask


def seam_ratio(image: np.ndarray, target: np.ndarray, level: Level, band: int = 3) -> float:
    """MSE in the band along ``level``'s core borders (:func:`border_band`) over the MSE of the
    rest of the canvas: 1 when the borders are painted as well as the rest, above 1 for a seam."""
    mask = border_band(level, image.shape[1], image.shape[0], band)
    err = ((image.astype(np.float64) - target.astype(np.float64)) / 255.0) ** 2
    err = err.mean(axis=-1)
    rest = err[~mask].mean() if (~mask).any() else float("nan")
    return float(err[mask].mean() / rest) if mask.any() and rest > 0 else float("nan")


__all__ = ["border_band", "psnr", "psnr_of_mse", "seam_ratio"]
