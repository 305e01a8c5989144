"""nnviz: watch a small neural network learn, one neuron, weight and gradient at a time.

Layers (imports go one way only): ``nnviz.engine`` and ``nnviz.data`` are pure numpy,
``nnviz.session`` saves and loads, ``nnviz.gui`` is the Qt app, ``nnviz.cli`` launches it.

From a notebook or a script, on your own network and data::

    import nnviz
    from nnviz.engine import Network
    net = Network([2, 4, 1], hidden="tanh", output="sigmoid", seed=0)
    viewer = nnviz.show(net, X, Y, lr=0.5)     # X (n, 2), Y (n,) of 0/1: binary
    net.weights                                # trained in the window, in place

``import nnviz`` loads neither numpy nor Qt; ``show`` and ``watch`` load them when called.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["show", "watch"]


def show(net, X, Y, *, block: bool | None = None, pace: float | None = 200, title: str = "",
         **options):
    """Open the window on your own ``net`` (an ``nnviz.engine.Network``) training on X, Y.

    X: (n, n_in) numbers. Y: (n, n_out), or (n,) for one output or for class labels.
    Finite numbers only; a numpy masked array must have no masked values (refused in one
    line: fill them or drop their rows first; nothing is guessed for them). The
    task is ``task`` if given ("regression", "binary", "multiclass"), else the loss's, else
    the output activation's: softmax -> multiclass (Y one-hot, or labels 0..k-1), sigmoid
    with 0/1 targets -> binary, otherwise regression. Nothing is scaled and every row
    trains unless you ask (``scaling="standard"``, ``test_ratio=0.2``): the network sees your
    numbers, so after the window its weights work on them as they are. (Scaled, it learns
    on ``viewer.experiment.prepared.x_scaler.transform(X)``, and expects such inputs after.)

    options: ``feature_names``, ``class_names``, ``target_names``; how it trains: ``loss``
    (default: the task's, if the output suits it, else half_squared_error), ``optimizer``,
    ``lr``, ``momentum``, ``beta1``, ``beta2``, ``eps``, ``l1``, ``l2``, ``batch_size`` (None:
    full batch), ``order``, ``seed`` (the sample order), ``cumulative_every``, one of
    ``max_steps``/``max_epochs``/``target_loss``; ``scaling``, ``test_ratio``, ``split_seed``,
    ``description``. Defaults: ``nnviz.config.TrainingConfig``'s (sgd, lr 0.1, batch 10,
    random order, seed 0). Training in the window gives bit for bit what
    ``Trainer(net, X, Y, ...)`` with the same settings gives with ``run(n)`` in plain Python.

    Blocking: from a script the call returns once the window is closed. In IPython/Jupyter
    with ``%gui qt`` it returns at once (``block`` forces either). ``pace``: steps per second
    while playing (None: as fast as possible); ``title``: the window's (default "your
    arrays"; sessions keep it as the data's name). Returns a ``Viewer`` (``nnviz.viewer``):
    ``sync()`` pauses training and makes ``net``'s arrays current to read; ``wait()``;
    ``close()``; ``experiment``, ``config``, ``snapshot``.

    Bad input (shapes that do not fit the network, NaN, a non-array, a setting beyond its
    limits) raises a one-line ``nnviz.errors.NNVizError`` before any window opens.
    """
    from nnviz.bridge import from_network

    experiment = from_network(net, X, Y, **({"name": title} if title else {}), **options)
    from nnviz.gui.notebook import open_viewer

    return open_viewer(experiment, block=block, pace=pace)


def watch(trainer, *, block: bool | None = None, pace: float | None = 200, title: str = ""):
    """Open the window on your own ``trainer`` (an ``nnviz.engine.Trainer``): its network,
    rows (test rows too), loss, optimiser and its state, sampler, step count and history.
    Playing in the window continues exactly what ``trainer.run(n)`` would do; afterwards
    ``trainer.step_count``, ``trainer.history`` and ``trainer.net``'s arrays are the window's.
    ``block``, ``pace``, ``title`` and the returned ``Viewer`` are as for ``show``. A trainer
    beyond what the window takes (an explicit index order, two stop conditions, a setting
    beyond the configuration's limits) raises a one-line NNVizError naming the field."""
    from nnviz.bridge import from_trainer

    experiment = from_trainer(trainer, **({"name": title} if title else {}))
    from nnviz.gui.notebook import open_viewer

    return open_viewer(experiment, block=block, pace=pace)
