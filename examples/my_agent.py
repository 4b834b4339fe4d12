"""A plug-in painting agent: short black strokes along the target's ink, no training.

    paint-gym bench --agent examples/my_agent.py:InkAgent --task mnist

Any class with ``act(observation) -> (12,)`` and ``paint(targets uint8 (B, H, W, 3)) ->
(B, T, 12)`` in [-1, 1] is a ``PaintingAgent``; ``bench`` passes ``n_strokes`` if you take it.
"""

import numpy as np

from paint_gym import actions as A


class InkAgent:
    def __init__(self, n_strokes: int = 8, reach: float = 10.0, seed: int = 0) -> None:
        self.n_strokes, self.reach = n_strokes, reach  # reach: pixels from a stroke's middle to its ends
        self.rng = np.random.default_rng(seed)

    def act(self, observation: dict) -> np.ndarray:
        return self.paint(observation["target"][None])[0, 0]

    def paint(self, targets: np.ndarray) -> np.ndarray:
        b, h, w, _ = targets.shape
        strokes = np.zeros((b, self.n_strokes, A.ACTION_DIM), np.float32)
        strokes[..., A.SIZE], strokes[..., A.COLOR] = -0.4, -1.0  # a 2 px radius, black
        strokes[..., A.PRESSURE] = -1.0  # zero pressure paints nothing (for targets without ink)
        for i, target in enumerate(targets):
            ys, xs = np.nonzero(target.mean(axis=-1) < 128)  # the ink's pixels
            for k in range(self.n_strokes if len(xs) else 0):
                mid = self.rng.integers(len(xs))
                near = np.flatnonzero(np.hypot(xs - xs[mid], ys - ys[mid]) <= self.reach)
                start, end = self.rng.choice(near, 2)
                points = np.array([[xs[j] / (w - 1), ys[j] / (h - 1)] for j in (start, mid, end)]) * 2 - 1
                strokes[i, k, A.START_X :] = points.reshape(6)
                strokes[i, k, A.PRESSURE] = 1.0
        return strokes
