"""One fully connected layer, forward and backward: the maths of backpropagation, written once.

Notation (the tutorials'): layer l maps a[l] (m, n_l) to a[l+1] (m, n_{l+1}) with W[l] (n_l,
n_{l+1}) and b[l] (n_{l+1},); delta[l] = dL/dz[l] (m, n_{l+1}) already carries the batch mean's
1/m (the loss's output delta puts it there), so

    forward     z[l] = a[l] @ W[l] + b[l]                  a[l+1] = f_l(z[l])
    backward    dW[l] = a[l].T @ delta[l]   (= a_prev^T delta / m for the per-sample deltas)
                db[l] = sum over the batch of delta[l]
                delta[l-1] = (delta[l] @ W[l].T) * f'_{l-1}(z[l-1])   (f' from a[l])

``Network.forward``/``backward`` and ``BatchKernel`` (hence the phases) call ``forward`` and
``backward`` below, writing into arrays they own. ``forward_py``/``backward_py`` are the same
formulas on Python lists for ``SampleKernel``, where numpy's per-call cost would dominate; the
scalar f and f' come from the ``Activation`` objects, and ``tests/test_engine_formulas.py``
proves both forms give the same numbers.
"""

from __future__ import annotations

from operator import mul

import numpy as np

from nnviz.engine.activations import Activation


def forward(
    a_prev: np.ndarray, W: np.ndarray, b: np.ndarray, act: Activation, z: np.ndarray,
    a: np.ndarray,
) -> None:
    """z = a_prev @ W + b;  a = f(z), written into ``z`` and ``a`` (m, n_out; may be one array,
    which then ends holding a)."""
    np.matmul(a_prev, W, out=z)
    z += b
    act.forward(z, out=a)


def backward(
    a_prev: np.ndarray, delta: np.ndarray, W: np.ndarray, dW: np.ndarray, db: np.ndarray,
    act_prev: Activation | None = None, delta_prev: np.ndarray | None = None,
    tmp: np.ndarray | None = None,
) -> None:
    """dW = a_prev.T @ delta;  db = sum over rows of delta;  and, given ``delta_prev`` (m, n_in),
    delta_prev = (delta @ W.T) * f'(z_prev), f' of ``act_prev`` computed from a_prev.

    With ``tmp`` (shaped like dW) the gradients are added to dW and db instead: a later chunk
    of the same batch."""
    if tmp is None:
        np.matmul(a_prev.T, delta, out=dW)
        np.sum(delta, axis=0, out=db)
    else:
        np.matmul(a_prev.T, delta, out=tmp)
        dW += tmp
        db += delta.sum(axis=0)
    if delta_prev is not None:
        np.matmul(delta, W.T, out=delta_prev)
        act_prev.backprop(a_prev, delta_prev, out=delta_prev)


def forward_py(h: list, cols: list, b: list, f) -> tuple[list, list]:
    """``forward`` for one sample on Python floats: h (n_in,), W by columns (cols[j][i] =
    W[i, j]), b (n_out,), f the activation's ``scalar``. Returns z, a (n_out,)."""
    z = [sum(map(mul, h, col)) + bj for col, bj in zip(cols, b)]
    return z, [f(v) for v in z]


def backward_py(h: list, delta: list, cols: list, df) -> tuple[list, list | None]:
    """``backward`` for one sample on Python floats: dW by columns (dW[j][i] = h_i delta_j;
    db = delta) and delta_prev (n_in,), f' = ``df(h)`` (the previous activation's
    ``scalar_derivative``: None where f' = 1). Pass cols=None for the first layer (no delta_prev).
    """
    dW = [[hi * dj for hi in h] for dj in delta]
    if cols is None:
        return dW, None
    back = [sum(map(mul, delta, row)) for row in zip(*cols)]
    return dW, (back if df is None else [g * df(ak) for g, ak in zip(back, h)])
