"""docs/envs.md's "With your RL library" blocks run as written (each with the libraries it imports;
a block whose library is not installed is skipped, saying which)."""

from __future__ import annotations

import importlib.util
import multiprocessing
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SECTION = (ROOT / "docs" / "envs.md").read_text().split("## With your RL library", 1)[1].split("\n## ", 1)[0]
PARAGRAPHS = [p.split("**", 1) for p in re.split(r"^\*\*", SECTION, flags=re.M)[1:]]  # "**Name**: ..." each
BLOCKS = [
    (name, block.group(1)) for name, text in PARAGRAPHS if (block := re.search(r"```python\n(.*?)```", text, re.S))
]
#: Libraries a block needs beyond its imports (Minari creates data sets with jax's tree utilities).
NEEDS = {"minari": ["h5py", "jax"]}


def test_the_section_shows_every_library_the_issue_names():
    names = [name for name, _ in BLOCKS]
    assert names == ["Stable-Baselines3", "RLlib", "TorchRL", "CleanRL", "skrl", "PufferLib", "Minari"], names
    assert "RLlib" in SECTION


@pytest.mark.parametrize(("name", "code"), BLOCKS, ids=[name for name, _ in BLOCKS])
def test_each_block_runs(name, code, tmp_path, monkeypatch):
    imported = re.findall(r"^(?:from|import) (\w+)", code, re.M)
    for module in dict.fromkeys(m for top in imported for m in [top, *NEEDS.get(top, [])]):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{name}: {module} is not installed")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    method = multiprocessing.get_start_method(allow_none=True)
    try:
        exec(compile(code, f"docs/envs.md ({name})", "exec"), {"__name__": "docs_block"})
    finally:  # importing torchrl sets the start method to "spawn" for the whole process; other tests fork
        multiprocessing.set_start_method(method, force=True)
