"""Write the session files of ``tests/test_session_compat.py`` and their next losses.

Run with the nnviz whose files must stay readable (for example a ``git archive`` of main):
    PYTHONPATH=<that checkout> python tests/data/sessions/make_sessions.py tests/data/sessions
"""

import json
import os
import sys
from pathlib import Path

import numpy as np

from nnviz.experiment import PRESETS, TrainingConfig, build
from nnviz.session import save_session

out = Path(sys.argv[1]).resolve()
out.mkdir(parents=True, exist_ok=True)
os.chdir(out)
regression, classes = Path("regression.csv"), Path("classes.csv")
regression.write_text("x1,x2,y\n" + "".join(
    f"{a:.3f},{b:.3f},{2 * a - b + 0.5:.3f}\n"
    for a, b in np.random.default_rng(3).uniform(-3, 3, size=(40, 2))))
classes.write_text("a,b,c,label\n" + "".join(
    f"{a:.3f},{b:.3f},{c:.3f},{'yes' if a + b > c else 'no'}\n"
    for a, b, c in np.random.default_rng(4).normal(size=(50, 3))))
CASES = {  # name: (configuration, steps, switch to Adam with L2 for 40 more steps)
    "single-neuron-sample-kernel": (PRESETS["single-neuron"], 537, False),
    "csv-adam-shuffle": (TrainingConfig(
        dataset="csv", csv_path=str(regression), hidden=(5,), batch_size=4, order="shuffle",
        optimizer="adam", lr=0.01), 301, False),
    "csv-momentum-sequential-switched": (TrainingConfig(
        dataset="csv", csv_path=str(classes), hidden=(6, 3), batch_size=7, optimizer="momentum",
        lr=0.05, order="sequential", max_epochs=50.0), 250, True),
}
expected = {}
for name, (config, steps, switch) in CASES.items():
    exp = build(config)
    exp.trainer.run(steps)
    if switch:
        exp.trainer.set_optimizer("adam", lr=0.003, beta1=0.8)
        exp.trainer.set_regularization(l2=0.01)
        exp.trainer.run(40)
    save_session(f"{name}.nnviz", exp)
    expected[name] = [exp.trainer.step() for _ in range(20)]
regression.unlink()
classes.unlink()
Path("expected.json").write_text(json.dumps(expected, indent=1) + "\n")
