"""The neural painter as an image parameterization (paper section 5).

* :mod:`.canvas_grid` - strokes on an image of any size, with grayscale / palette / brush-size
  constraints and a MyPaint re-render; :mod:`.layout` - where they lie: one canvas painted
  natively at full size (the dab painter) or an overlapping grid of 64 px tiles, stitched;
* :mod:`.visualize` - class visualization against an ensemble of classifiers;
* :mod:`.style` - intrinsic style transfer (content loss only);
* :mod:`.classifiers`, :mod:`.efficientnet_lite`, :mod:`.mnist_classifier` - the judges;
  :mod:`.imagenet` - class names offline; :mod:`.transforms` - Lucid-style robustness.
"""

from .canvas_grid import StrokeGrid, stroke_canvases
from .classifiers import Classifier, ClassifierEnsemble, load_classifier, load_ensemble
from .imagenet import class_index, class_name, imagenet_classes
from .layout import LAYOUTS, GridLayout, NativeLayout
from .style import ContentLoss, StyleConfig, StyleResult, intrinsic_style_transfer, load_image
from .visualize import Visualization, VisualizeConfig, class_probability, visualize_class

__all__ = [
    "Classifier",
    "ClassifierEnsemble",
    "ContentLoss",
    "GridLayout",
    "LAYOUTS",
    "NativeLayout",
    "StrokeGrid",
    "StyleConfig",
    "StyleResult",
    "Visualization",
    "VisualizeConfig",
    "class_index",
    "class_name",
    "class_probability",
    "imagenet_classes",
    "intrinsic_style_transfer",
    "load_classifier",
    "load_ensemble",
    "load_image",
    "stroke_canvases",
    "visualize_class",
]
