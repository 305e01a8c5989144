"""nnviz: watch a small neural network learn, one neuron, weight and gradient at a time.

Layers (imports go one way only): ``nnviz.engine`` and ``nnviz.data`` are pure numpy,
``nnviz.session`` saves and loads, ``nnviz.gui`` is the Qt app, ``nnviz.cli`` launches it.
"""

__version__ = "0.1.0"
