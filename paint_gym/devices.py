"""Where torch runs: the one check of a ``device`` argument, for every env, agent and config.

Every entry point that takes a ``device`` (the neural envs, the agents' configs such as
``BackpropConfig.device``, ``paint-gym train-agent --device``) checks it here when it is given,
so a device that cannot run is refused at once, naming what can, instead of after minutes of
loading data (``"meta"``) or at the first step (a missing GPU). A config read back from a
checkpoint may name a GPU this machine lacks (an agent trained on ``cuda`` paints on a laptop),
so a config checks only that its device could hold a canvas somewhere (``here=False``), and
what trains or paints on it checks that it exists here. Imports torch.
"""

from __future__ import annotations

import torch


def check_device(device: str | torch.device, *, here: bool = True) -> torch.device:
    """``device`` as a ``torch.device`` that exists here and can hold a canvas, or ``ValueError``
    naming what can. With ``here=False``, only that it names a device that can hold a canvas
    (not ``"meta"``, a known backend) on some machine: for configs read back from checkpoints.

    A CUDA device needs a torch build with CUDA and an index below the number of GPUs
    (``torch.cuda.device_count()``, which asks NVML and does not initialise CUDA, so a parent
    that makes an env can still fork workers); an MPS device needs MPS. ``"meta"`` holds shapes
    without data (paint_gym paints real canvases and reads them) and is refused; another
    backend (e.g. ``"xpu"``) is accepted only if ``torch.<backend>.is_available()``.
    """
    if not isinstance(device, (str, torch.device)):
        raise ValueError(f"device must be a torch device such as 'cpu' or 'cuda:0'; got {type(device).__name__}")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise ValueError(f"device must be a torch device such as 'cpu' or 'cuda:0'; got {device!r}") from exc
    if dev.type == "meta":
        raise ValueError(
            "device 'meta' holds tensor shapes without data, but paint_gym paints real canvases and reads them "
            "(every env step, every evaluation): use device='cpu' or a GPU ('cuda')"
        )
    if not here:
        if dev.type not in ("cpu", "cuda", "mps") and not hasattr(torch, dev.type):
            raise ValueError(f"device {str(dev)!r} is not a backend torch knows; use device='cpu', 'cuda' or 'mps'")
        return dev
    if dev.type not in ("cpu", "cuda", "mps"):
        backend = getattr(torch, dev.type, None)
        available = getattr(backend, "is_available", None)
        if not (callable(available) and available()):
            raise ValueError(f"device {str(dev)!r} is not available to torch here; use device='cpu', 'cuda' or 'mps'")
    if dev.type == "cuda":
        if not torch.backends.cuda.is_built():
            raise ValueError(
                f"device {str(dev)!r} needs CUDA, but this torch build ({torch.__version__}) has none; use device='cpu'"
            )
        count = torch.cuda.device_count()
        if count == 0 or (dev.index is not None and dev.index >= count):
            seen = "no CUDA device" if count == 0 else f"{count} CUDA device(s): cuda:0..cuda:{count - 1}"
            raise ValueError(f"device {str(dev)!r} does not exist: torch sees {seen}; use one of those or device='cpu'")
    elif dev.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"device {str(dev)!r} needs Apple's MPS, which is not available here; use device='cpu'")
    return dev


__all__ = ["check_device"]
