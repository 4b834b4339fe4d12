"""ImageNet-1k class names, offline: index <-> name, by short name, WordNet synonym or id.

The list ships as package data (``imagenet_classes.json``: short name, WordNet id and WordNet
synonyms of each of the 1000 classes, in the classifiers' output order), so ``--class
pineapple`` works on a machine without a network or torchvision.
"""

from __future__ import annotations

import difflib
import functools
import json
from dataclasses import dataclass
from pathlib import Path

CLASSES_FILE = Path(__file__).resolve().parent / "imagenet_classes.json"
NUM_CLASSES = 1000


@dataclass(frozen=True)
class ImageNetClass:
    """One ImageNet-1k class: its output index, short name, WordNet id and synonyms."""

    index: int
    name: str
    wnid: str
    synonyms: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def imagenet_classes() -> tuple[ImageNetClass, ...]:
    """The 1000 classes in output order (read once from the shipped JSON file)."""
    if not CLASSES_FILE.is_file():
        raise FileNotFoundError(
            f"the ImageNet class list {CLASSES_FILE} is missing; reinstall paint-gym (it is package data)"
        )
    rows = json.loads(CLASSES_FILE.read_text(encoding="utf-8"))["classes"]
    if len(rows) != NUM_CLASSES:
        raise ValueError(f"{CLASSES_FILE} holds {len(rows)} classes, not {NUM_CLASSES}; reinstall paint-gym")
    return tuple(
        ImageNetClass(i, name, wnid, tuple(s.strip() for s in syn.split(",")))
        for i, (name, wnid, syn) in enumerate(rows)
    )


@functools.lru_cache(maxsize=1)
def _lookup() -> dict[str, list[int]]:
    """Lower-case key -> class indices. Short names come first, so a short name wins over a
    synonym of another class (``crane`` the bird and the machine stay ambiguous)."""
    table: dict[str, list[int]] = {}
    for c in imagenet_classes():
        for key in (c.name, c.wnid, *c.synonyms):
            hits = table.setdefault(key.lower(), [])
            if c.index not in hits:
                hits.append(c.index)
    return table


def class_name(index: int) -> str:
    """The short name of class ``index`` (0-999)."""
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < NUM_CLASSES:
        raise ValueError(f"ImageNet class index must be an integer in 0..{NUM_CLASSES - 1}; got {index!r}")
    return imagenet_classes()[index].name


def class_index(target: int | str) -> int:
    """The output index of an ImageNet class given by index (``953``, ``"953"``), short name
    (``"pineapple"``), any WordNet synonym (``"ananas"``) or WordNet id (``"n07753275"``).

    Case does not matter. An unknown or ambiguous name raises ``ValueError`` naming the closest
    names or the candidate indices, so the user can pick one.
    """
    if isinstance(target, bool):
        raise ValueError(f"class must be an index or a name; got {target!r}")
    if isinstance(target, int):
        class_name(target)  # range check
        return target
    if not isinstance(target, str) or not target.strip():
        raise ValueError(f"class must be an index in 0..{NUM_CLASSES - 1} or a class name; got {target!r}")
    key = target.strip()
    if key.lstrip("-").isdigit():
        return class_index(int(key))
    table = _lookup()
    hits = table.get(key.lower())
    if hits is None:
        close = difflib.get_close_matches(key.lower(), table.keys(), n=5, cutoff=0.6)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else "."
        raise ValueError(
            f"unknown ImageNet class {target!r}{hint} Use an index 0-999, a name or a WordNet id "
            "(`paint_gym.param.imagenet.imagenet_classes()` lists them)"
        )
    exact = [i for i in hits if imagenet_classes()[i].name.lower() == key.lower()]
    if len(exact) == 1:
        return exact[0]
    if len(hits) > 1:
        options = ", ".join(
            f"{i} ({imagenet_classes()[i].name}: {', '.join(imagenet_classes()[i].synonyms)})" for i in hits
        )
        raise ValueError(f"the ImageNet class name {target!r} is ambiguous: it names {options}; pass the index instead")
    return hits[0]
