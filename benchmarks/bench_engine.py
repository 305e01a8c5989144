"""Engine speed against its peers: prints times and ratios (lower ratio = nnviz faster).

    python benchmarks/bench_engine.py [--samples 10000] [--repeat 7] [--quick]

1. One full-batch epoch of the article's MLP [2, 64, 64, 64, 1] (ReLU, half squared error, SGD)
   on ``--samples`` points, float64 and float32:
     textbook  the article's own numpy code (rebuilt here)
     trainer   nnviz.engine.Trainer.run(1)
     notebook  net.forward / net.backward + in-place ``W -= lr * dW``, as a notebook would
     torch     PyTorch CPU autograd + torch.optim.SGD (when torch is installed)
2. Per-sample SGD on the single-neuron tutorial (8 points, sigmoid, squared error), with history:
     tutorial's own code, nnviz, PyTorch autograd.

Times are medians of ``--repeat`` runs. Not a test: the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from nnviz.engine import Network, Trainer

try:  # optional peer
    import torch
except ImportError:  # pragma: no cover - depends on the machine
    torch = None

SIZES = [2, 64, 64, 64, 1]
TUTORIAL_X = np.array([[3, 1.5], [2, 1], [4, 1.5], [3, 4], [3.5, 0.5], [2, 0.5], [5.5, 1], [1, 1]])
TUTORIAL_Y = np.array([0, 1, 0, 1, 0, 1, 1, 0], dtype=float)


def median_time(fn, repeat: int, warmup: int = 10) -> float:
    """Median seconds of ``fn()`` after ``warmup`` calls (caches, allocator, thread pools: the
    trainer's first handful of epochs run up to 2x slower than its steady state)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def article_data(n: int, dtype):
    rng = np.random.default_rng(0)
    X = rng.uniform(-10, 10, size=(n, 2))
    y = np.sin(X[:, 0]) + X[:, 0] * np.cos(X[:, 1]) + X[:, 1] + 3 ** (X[:, 0] / 3)
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    return X.astype(dtype), y.reshape(-1, 1).astype(dtype)


def textbook_epoch(X, y, dtype):
    """The article's SimpleNN, one epoch of forward, backward, update."""
    rs = np.random.RandomState(99)
    Ws = [rs.uniform(-1, 1, (a, b)).astype(dtype) for a, b in zip(SIZES[:-1], SIZES[1:])]
    bs = [np.zeros((1, b), dtype) for b in SIZES[1:]]
    lr = dtype(0.001)

    def epoch():
        acts, outs = [X], []
        for W, b in zip(Ws, bs):
            Z = np.dot(acts[-1], W) + b
            outs.append(Z)
            acts.append(Z if W is Ws[-1] else np.maximum(0, Z))
        m = len(y)
        dA = acts[-1] - y
        for i in reversed(range(len(Ws))):
            dZ = dA if i == len(Ws) - 1 else dA * (outs[i] > 0).astype(dtype)
            dW = np.dot(acts[i].T, dZ) / m
            db = np.sum(dZ, axis=0, keepdims=True) / m
            if i > 0:
                dA = np.dot(dZ, Ws[i].T)
            Ws[i] -= lr * dW
            bs[i] -= lr * db

    return epoch


def trainer_epoch(X, y, dtype):
    net = Network(SIZES, hidden="relu", output="identity", seed=99, dtype=dtype)
    trainer = Trainer(net, X, y, loss="half_squared_error", lr=0.001, batch_size=None)
    return lambda: trainer.run(1)


def notebook_epoch(X, y, dtype):
    net = Network(SIZES, hidden="relu", output="identity", seed=99, dtype=dtype)
    lr = 0.001

    def epoch():
        grads = net.backward(net.forward(X), y, loss="half_squared_error")
        for W, b, dW, db in zip(net.weights, net.biases, grads.dW, grads.db):
            W -= lr * dW
            b -= lr * db

    return epoch


def torch_epoch(X, y, dtype):
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    layers = []
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(torch.nn.Linear(a, b, dtype=tdtype))
        if i < len(SIZES) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=0.001)
    tX, ty = torch.from_numpy(X), torch.from_numpy(y)

    def epoch():
        opt.zero_grad(set_to_none=False)
        loss = 0.5 * ((model(tX) - ty) ** 2).mean()
        loss.backward()
        opt.step()

    return epoch


def tutorial_rate(iterations: int) -> float:
    """Iterations/s of the tutorial's own NeuralNetwork.train (with its cumulative errors)."""
    rs = np.random.RandomState(42)
    w = np.array([rs.randn(), rs.randn()])
    b = rs.randn()
    sig = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    t0 = time.perf_counter()
    for it in range(iterations):
        i = rs.randint(len(TUTORIAL_X))
        x, t = TUTORIAL_X[i], TUTORIAL_Y[i]
        layer_1 = np.dot(x, w) + b
        pred = sig(layer_1)
        d = 2 * (pred - t) * (sig(layer_1) * (1 - sig(layer_1)))
        b = b - d * 0.1
        w = w - (d * ((0 * w) + (1 * x))) * 0.1
        if it % 100 == 0:
            err = 0
            for j in range(len(TUTORIAL_X)):
                err = err + np.square(sig(np.dot(TUTORIAL_X[j], w) + b) - TUTORIAL_Y[j])
    return iterations / (time.perf_counter() - t0)


def nnviz_sample_rate(iterations: int) -> float:
    rs = np.random.RandomState(42)
    net = Network([2, 1], output="sigmoid", init="normal", bias_init="normal", rng=rs)
    trainer = Trainer(
        net,
        TUTORIAL_X,
        TUTORIAL_Y,
        loss="squared_error",
        lr=0.1,
        batch_size=1,
        order="random",
        rng=rs,
    )
    t0 = time.perf_counter()
    trainer.run(iterations)
    return iterations / (time.perf_counter() - t0)


def torch_sample_rate(iterations: int) -> float:
    model = torch.nn.Sequential(torch.nn.Linear(2, 1, dtype=torch.float64), torch.nn.Sigmoid())
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    X, Y = torch.from_numpy(TUTORIAL_X), torch.from_numpy(TUTORIAL_Y).reshape(-1, 1)
    rs = np.random.RandomState(42)
    idx = rs.randint(8, size=iterations).tolist()
    t0 = time.perf_counter()
    for it, i in enumerate(idx):
        opt.zero_grad()
        loss = ((model(X[i : i + 1]) - Y[i : i + 1]) ** 2).sum()
        loss.backward()
        opt.step()
        if it % 100 == 0:
            with torch.no_grad():
                ((model(X) - Y) ** 2).sum().item()
    return iterations / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and iterations")
    args = parser.parse_args()
    repeat = 3 if args.quick else args.repeat
    print(
        f"machine: {os.cpu_count()} cores, numpy {np.__version__}, "
        f"torch {torch.__version__ if torch else 'not installed'}"
    )
    print(f"\n1. one full-batch epoch, MLP {SIZES}, {args.samples} samples (median ms)")
    rows = {}
    for dtype in (np.float64, np.float32):
        X, y = article_data(args.samples, dtype)
        rows[dtype] = {
            "textbook": median_time(textbook_epoch(X, y, dtype), repeat),
            "trainer": median_time(trainer_epoch(X, y, dtype), repeat),
            "notebook": median_time(notebook_epoch(X, y, dtype), repeat),
        }
    # PyTorch last: its OpenMP threads keep spinning for a while after each call, which would
    # steal the second core from whatever is measured right after it
    if torch is not None:
        for dtype in (np.float64, np.float32):
            rows[dtype]["torch"] = median_time(torch_epoch(*article_data(args.samples, dtype),
                                                           dtype), repeat)
        time.sleep(1.0)
    for dtype, row in rows.items():
        name = np.dtype(dtype).name
        print(f"  {name}: " + ", ".join(f"{k} {v * 1e3:.2f}" for k, v in row.items()))
        for peer in ("textbook", "torch"):
            if peer in row:
                print(f"  {name}: trainer/{peer} = {row['trainer'] / row[peer]:.2f}, "
                      f"notebook/{peer} = {row['notebook'] / row[peer]:.2f}")

    iterations = 20_000 if args.quick else 100_000
    print(f"\n2. per-sample SGD, single neuron, {iterations} iterations (iterations/s)")
    rates = {"tutorial": tutorial_rate(iterations), "nnviz": nnviz_sample_rate(iterations)}
    if torch is not None:
        rates["torch"] = torch_sample_rate(iterations // 5)
    print("  " + ", ".join(f"{k} {v:,.0f}" for k, v in rates.items()))
    for peer in ("tutorial", "torch"):
        if peer in rates:
            print(f"  nnviz/{peer} rate = {rates['nnviz'] / rates[peer]:.2f} (>= 1: nnviz faster)")


if __name__ == "__main__":
    main()
