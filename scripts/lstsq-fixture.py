"""Least squares for minimize over tensors (issue 16): X, y and numpy's lstsq solution.

Run from the repository folder: python3 scripts/lstsq-fixture.py > test/fixtures/lstsq.json
"""
import json

import numpy as np

rng = np.random.default_rng(16)
X = np.hstack([np.ones((20, 1)), rng.random((20, 2))])
y = X @ np.array([[1.5], [-2.0], [0.5]]) + 0.1 * rng.standard_normal((20, 1))
w, residuals, rank, _ = np.linalg.lstsq(X, y, rcond=None)
print(
    json.dumps(
        {
            "X": X.tolist(),
            "y": y.tolist(),
            "w": w.tolist(),
            # sum((X w - y)^2) at the solution
            "loss": float(residuals[0]),
        }
    )
)
