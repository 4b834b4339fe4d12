"""The benchmark's rules: what every agent, built-in or plug-in, is scored by.

* :mod:`~paint_gym.benchmark.protocol` - the :class:`PaintingAgent` protocol and the target layout.
* :mod:`~paint_gym.benchmark.evaluation` - replay in MyPaint over fixed brush seeds, the
  evaluation images, a method's table row, Figure 7.
* :mod:`~paint_gym.benchmark.reference` - per-image direct optimisation of the strokes (the
  reference an amortised agent is compared with).
* :mod:`~paint_gym.benchmark.budget` - training for a wall-clock budget, evaluated on a schedule.
* :mod:`~paint_gym.benchmark.results` - a method's result and the markdown table row.
* :mod:`~paint_gym.benchmark.plugins` - loading a plug-in agent (``module:Class``) and scoring it.

A plug-in agent needs only this package (and :mod:`paint_gym`): no competitor is imported to
score it. The submodules load torch and the painters; import them by name.
"""
