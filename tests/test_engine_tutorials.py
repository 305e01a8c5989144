"""The engine reproduces the two source tutorials' numbers, against their own code rebuilt here.

Seed 000/001: the single sigmoid neuron (realpython's NeuralNetwork), seed 003: the article's
SimpleNN [2, 64, 64, 64, 1]. Their code is transcribed below from the seed texts (seed 003's
synonym-spun words translated back: "ahead" = forward, "np.most" = np.maximum, "vary" = range).
"""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.data import make_dataset, prepare
from nnviz.engine import Network, Trainer
from nnviz.engine.kernels import BatchKernel
from nnviz.experiment import PRESETS, build

INPUTS = np.array([[3, 1.5], [2, 1], [4, 1.5], [3, 4], [3.5, 0.5], [2, 0.5], [5.5, 1], [1, 1]])
TARGETS = np.array([0, 1, 0, 1, 0, 1, 1, 0])


class TutorialNeuron:
    """Seed 000's NeuralNetwork, verbatim but for line breaks (it draws from np.random)."""

    def __init__(self, learning_rate):
        self.weights = np.array([np.random.randn(), np.random.randn()])
        self.bias = np.random.randn()
        self.learning_rate = learning_rate

    def _sigmoid(self, x):
        return 1 / (1 + np.exp(-x))

    def _sigmoid_deriv(self, x):
        return self._sigmoid(x) * (1 - self._sigmoid(x))

    def predict(self, input_vector):
        layer_1 = np.dot(input_vector, self.weights) + self.bias
        layer_2 = self._sigmoid(layer_1)
        prediction = layer_2
        return prediction

    def _compute_gradients(self, input_vector, target):
        layer_1 = np.dot(input_vector, self.weights) + self.bias
        layer_2 = self._sigmoid(layer_1)
        prediction = layer_2
        derror_dprediction = 2 * (prediction - target)
        dprediction_dlayer1 = self._sigmoid_deriv(layer_1)
        dlayer1_dbias = 1
        dlayer1_dweights = (0 * self.weights) + (1 * input_vector)
        derror_dbias = derror_dprediction * dprediction_dlayer1 * dlayer1_dbias
        derror_dweights = derror_dprediction * dprediction_dlayer1 * dlayer1_dweights
        return derror_dbias, derror_dweights

    def _update_parameters(self, derror_dbias, derror_dweights):
        self.bias = self.bias - (derror_dbias * self.learning_rate)
        self.weights = self.weights - (derror_dweights * self.learning_rate)

    def train(self, input_vectors, targets, iterations):
        cumulative_errors = []
        for current_iteration in range(iterations):
            random_data_index = np.random.randint(len(input_vectors))
            input_vector = input_vectors[random_data_index]
            target = targets[random_data_index]
            derror_dbias, derror_dweights = self._compute_gradients(input_vector, target)
            self._update_parameters(derror_dbias, derror_dweights)
            if current_iteration % 100 == 0:
                cumulative_error = 0
                for data_instance_index in range(len(input_vectors)):
                    data_point = input_vectors[data_instance_index]
                    target = targets[data_instance_index]
                    prediction = self.predict(data_point)
                    error = np.square(prediction - target)
                    cumulative_error = cumulative_error + error
                cumulative_errors.append(cumulative_error)
        return cumulative_errors


def tutorial_run(lr, iterations, seed=42):
    state = np.random.get_state()
    try:
        np.random.seed(seed)
        nn = TutorialNeuron(lr)
        errors = np.array(nn.train(INPUTS, TARGETS, iterations))
        return errors, nn
    finally:
        np.random.set_state(state)


def engine_run(lr, iterations, seed=42):
    rs = np.random.RandomState(seed)  # the tutorial's np.random.seed, kept private
    net = Network([2, 1], output="sigmoid", init="normal", bias_init="normal", rng=rs)
    trainer = Trainer(net, INPUTS, TARGETS.reshape(-1, 1), loss="squared_error", lr=lr,
                      batch_size=1, order="random", rng=rs, cumulative_every=100)
    assert trainer.run(iterations) == iterations
    return trainer.history.cumulative.arrays()["mean"], net


@pytest.mark.parametrize("lr, iterations", [(0.1, 10_000), (0.01, 1_000), (0.01, 30_000)])
def test_single_neuron_cumulative_errors_match_tutorial(lr, iterations):
    expected, nn = tutorial_run(lr, iterations)
    got, net = engine_run(lr, iterations)
    assert len(got) == len(expected) == iterations // 100
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
    np.testing.assert_allclose(net.weights[0][:, 0], nn.weights, rtol=1e-12)
    np.testing.assert_allclose(net.biases[0][0], nn.bias, rtol=1e-12)


def test_single_neuron_initial_prediction_matches_tutorial():
    _, nn = tutorial_run(0.1, 0)
    _, net = engine_run(0.1, 0)
    assert net.predict(INPUTS[:1])[0, 0] == pytest.approx(nn.predict(INPUTS[0]), rel=1e-15)


def test_single_neuron_preset_is_the_tutorial():
    expected, _ = tutorial_run(0.1, 10_000)
    exp = build(PRESETS["single-neuron"])
    exp.trainer.run(10_000)
    got = exp.trainer.history.cumulative.arrays()["mean"]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_single_neuron_numpy_kernel_agrees_with_python_kernel():
    """Momentum with mu = 0 is plain SGD but runs on the numpy kernel: same curve."""
    expected, _ = engine_run(0.1, 3_000)
    rs = np.random.RandomState(42)
    net = Network([2, 1], output="sigmoid", init="normal", bias_init="normal", rng=rs)
    trainer = Trainer(net, INPUTS, TARGETS.reshape(-1, 1), loss="squared_error", lr=0.1,
                      batch_size=1, rng=rs, optimizer="momentum",
                      optimizer_settings={"momentum": 0.0})
    assert isinstance(trainer.kernel, BatchKernel)
    trainer.run(3_000)
    np.testing.assert_allclose(trainer.history.cumulative.arrays()["mean"], expected, rtol=1e-12)


class SimpleNN:
    """Seed 003's SimpleNN (forward, backward, update_weights, train), translated back."""

    def __init__(self, structure):
        self.structure = structure
        self.weights = []
        self.biases = []
        np.random.seed(99)
        for i in range(len(structure) - 1):
            self.weights.append(
                np.random.uniform(low=-1, high=1, size=(structure[i], structure[i + 1]))
            )
            self.biases.append(np.zeros((1, structure[i + 1])))

    @staticmethod
    def relu(x):
        return np.maximum(0, x)

    @staticmethod
    def relu_as_weights(x):
        return (x > 0).astype(float)

    def forward(self, X):
        perceptron_inputs = [X]
        perceptron_outputs = []
        for W, b in zip(self.weights, self.biases):
            Z = np.dot(perceptron_inputs[-1], W) + b
            perceptron_outputs.append(Z)
            if W is self.weights[-1]:
                A = Z
            else:
                A = self.relu(Z)
            perceptron_inputs.append(A)
        return perceptron_inputs, perceptron_outputs

    def backward(self, perceptron_inputs, perceptron_outputs, y_true):
        weight_changes = []
        bias_changes = []
        m = len(y_true)
        dA = perceptron_inputs[-1] - y_true.reshape(-1, 1)
        for i in reversed(range(len(self.weights))):
            if i == len(self.weights) - 1:
                dZ = dA
            else:
                dZ = dA * self.relu_as_weights(perceptron_outputs[i])
            dW = np.dot(perceptron_inputs[i].T, dZ) / m
            db = np.sum(dZ, axis=0, keepdims=True) / m
            weight_changes.append(dW)
            bias_changes.append(db)
            if i > 0:
                dA = np.dot(dZ, self.weights[i].T)
        return list(reversed(weight_changes)), list(reversed(bias_changes))

    def update_weights(self, weight_changes, bias_changes, lr):
        for i in range(len(self.weights)):
            self.weights[i] -= lr * weight_changes[i]
            self.biases[i] -= lr * bias_changes[i]

    def train(self, X, y, epochs, lr=0.01):
        printed = []
        for epoch in range(epochs):
            perceptron_inputs, perceptron_outputs = self.forward(X)
            weight_changes, bias_changes = self.backward(perceptron_inputs, perceptron_outputs, y)
            self.update_weights(weight_changes, bias_changes, lr)
            if epoch % 20 == 0 or epoch == epochs - 1:
                loss = np.mean((perceptron_inputs[-1].flatten() - y) ** 2)
                printed.append((epoch, loss))
        return printed


def article_data():
    def random_function(x, y):
        return np.sin(x) + x * np.cos(y) + y + 3 ** (x / 3)

    x = np.linspace(-10, 10, 100)
    y = np.linspace(-10, 10, 100)
    X, Y = np.meshgrid(x, y)
    Z = random_function(X, Y)
    inputs = np.column_stack((X.flatten(), Y.flatten()))
    outputs = Z.flatten()
    inputs = (inputs - np.mean(inputs, axis=0)) / np.std(inputs, axis=0)
    outputs = (outputs - np.mean(outputs)) / np.std(outputs)
    return inputs, outputs


@pytest.fixture(scope="module")
def article_losses():
    state = np.random.get_state()
    try:
        inputs, outputs = article_data()
        model = SimpleNN([2, 64, 64, 64, 1])
        return model.train(inputs, outputs, epochs=241, lr=0.001), model
    finally:
        np.random.set_state(state)


def test_article_initial_weights_are_the_articles():
    state = np.random.get_state()
    model = SimpleNN([2, 64, 64, 64, 1])
    np.random.set_state(state)
    net = Network([2, 64, 64, 64, 1], rng=np.random.RandomState(99))
    for W, ref in zip(net.weights, model.weights):
        np.testing.assert_array_equal(W, ref)
    assert all(not b.any() for b in net.biases)


def _printed_losses(trainer, epochs):
    """The article prints MSE = 2 x half squared error before each printed epoch's update."""
    x, half_mse = trainer.history.train_loss.arrays()
    assert np.array_equal(x, np.arange(1, epochs + 1))
    return {e: 2 * half_mse[e] for e in range(0, epochs, 20)}


def test_article_mlp_losses_match_for_240_epochs(article_losses):
    printed, model = article_losses
    inputs, outputs = article_data()
    net = Network([2, 64, 64, 64, 1], hidden="relu", output="identity",
                  rng=np.random.RandomState(99))
    trainer = Trainer(net, inputs, outputs.reshape(-1, 1), loss="half_squared_error",
                      lr=0.001, batch_size=None)
    trainer.run(241)
    mine = _printed_losses(trainer, 241)
    assert len(printed) == 13
    for epoch, loss in printed[:-1]:
        assert mine[epoch] == pytest.approx(loss, rel=1e-9), epoch
    for W, ref in zip(net.weights, model.weights):
        np.testing.assert_allclose(W, ref, rtol=1e-9, atol=1e-12)


def test_function_fit_preset_reproduces_the_article(article_losses):
    printed, _ = article_losses
    exp = build(PRESETS["function-fit"])
    exp.trainer.run(201)
    mine = _printed_losses(exp.trainer, 201)
    for epoch, loss in printed[:11]:
        assert mine[epoch] == pytest.approx(loss, rel=1e-9), epoch


def test_article_data_through_nnviz_data_is_bit_identical():
    inputs, outputs = article_data()
    p = prepare(make_dataset("function-surface", grid=100), test_ratio=0.0, scaling="standard")
    assert np.array_equal(p.X_train, inputs)
    assert np.array_equal(p.Y_train[:, 0], outputs)
