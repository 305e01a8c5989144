"""snapshot.fit: a regression's targets against predictions, in the data's own units."""

from __future__ import annotations

import numpy as np

from nnviz.experiment import PRESETS, build
from nnviz.snapshot import STATS_ROWS, fit_points, take_snapshot


def test_fit_is_each_training_rows_prediction_in_data_units():
    exp = build(PRESETS["function-fit"].replace(test_ratio=0.2))
    exp.trainer.run(5)
    fit = take_snapshot(exp).fit
    ds, prep = exp.dataset, exp.prepared
    rows = prep.train_index[:STATS_ROWS]
    np.testing.assert_allclose(fit.train_true, ds.Y[rows, 0], rtol=1e-12, atol=1e-12)
    # an independent forward pass, written out: a = relu(a W + b), identity output
    a = prep.to_network(ds.X[rows])
    for layer, (W, b) in enumerate(zip(exp.net.weights, exp.net.biases)):
        a = a @ W + b
        if layer < len(exp.net.weights) - 1:
            a = np.maximum(a, 0.0)
    np.testing.assert_allclose(fit.train_predicted, prep.to_data_units(a)[:, 0], rtol=1e-9)
    test_rows = prep.test_index[:STATS_ROWS]
    assert len(fit.test_true) == len(test_rows) > 0
    np.testing.assert_allclose(fit.test_true, ds.Y[test_rows, 0], rtol=1e-12, atol=1e-12)


def test_fit_is_for_regression_only_and_kept_small():
    assert take_snapshot(build(PRESETS["xor"])).fit is None
    exp = build(PRESETS["function-fit"])  # 10,000 training rows
    fit = fit_points(exp)
    assert len(fit.train_true) == STATS_ROWS and len(fit.test_true) == 0
    assert take_snapshot(exp, with_activity=False).fit is None
