"""Shared fixtures. Tests read the offline data copies in ../shared/data through PAINT_GYM_DATA."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
if not os.environ.get("PAINT_GYM_DATA") and (SHARED_DATA / "mnist.npz").is_file():
    os.environ["PAINT_GYM_DATA"] = str(SHARED_DATA)


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real user cache (and never download) from a test."""
    monkeypatch.setenv("PAINT_GYM_CACHE", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)
