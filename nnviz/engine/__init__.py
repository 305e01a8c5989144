"""The numpy engine: networks, backprop traces, phases, optimisers and training.

    from nnviz.engine import Network, Trainer
    net = Network([2, 64, 64, 64, 1], hidden="relu", output="identity", seed=99)
    trace = net.forward(X)          # trace.z[l], trace.a[l], trace.output
    grads = net.backward(trace, Y, loss="half_squared_error")
    grads.loss, grads.dW[l], grads.db[l], grads.delta[l]

Never imports Qt: usable from a notebook or a script.
"""

from nnviz.engine.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, get_activation
from nnviz.engine.gradcheck import finite_difference, gradient_check
from nnviz.engine.history import BucketSeries, History, PointSeries
from nnviz.engine.initializers import INITIALIZERS
from nnviz.engine.losses import LOSSES, get_loss, losses_for_output
from nnviz.engine.network import ForwardTrace, Gradients, Network
from nnviz.engine.optimizers import OPTIMIZERS, make_optimizer
from nnviz.engine.phases import Phase, PhaseStepper
from nnviz.engine.trainer import Divergence, Trainer, accuracy

__all__ = [
    "ACTIVATIONS",
    "HIDDEN_ACTIVATIONS",
    "INITIALIZERS",
    "LOSSES",
    "OPTIMIZERS",
    "BucketSeries",
    "Divergence",
    "ForwardTrace",
    "Gradients",
    "History",
    "Network",
    "Phase",
    "PhaseStepper",
    "PointSeries",
    "Trainer",
    "accuracy",
    "finite_difference",
    "get_activation",
    "get_loss",
    "gradient_check",
    "losses_for_output",
    "make_optimizer",
]
