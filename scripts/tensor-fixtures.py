"""Expected values of the engine's tensor ops, computed with numpy, for test/tensor-ops.test.ts.

usage: python3 scripts/tensor-fixtures.py > test/fixtures/tensor-ops.json

Also numpy's broadcast shape for every pair of small shapes (test/tensor-property.test.ts).

Each case: the op's name as the test calls it, its inputs (nested lists; dims 1-based as mathjs),
and numpy's value. Inputs come from np.random.seed(1) so that no value is chosen to be easy.
"""
import json
import sys

import numpy as np

np.random.seed(1)
A = np.round(np.random.randn(2, 3), 3)
B = np.round(np.random.randn(3, 4), 3)
v3 = np.round(np.random.randn(3), 3)
w3 = np.round(np.random.randn(3), 3)
row = np.round(np.random.randn(1, 3), 3)
col = np.round(np.random.randn(2, 1), 3)
S = np.round(np.random.randn(3, 3), 3) + 3 * np.eye(3)
P = np.round(np.random.rand(2, 3) + 0.5, 3)


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def logsumexp(x):
    m = x.max(axis=-1, keepdims=True)
    return (np.log(np.exp(x - m).sum(axis=-1, keepdims=True)) + m).squeeze(-1)


cases = [
    ("add", [A, v3], A + v3),
    ("add", [col, row], col + row),
    ("add", [2.5, A], 2.5 + A),
    ("sub", [row, A], row - A),
    ("mul", [A, col], A * col),
    ("div", [A, P], A / P),
    ("pow", [P, 3], P**3),
    ("pow", [2, A], 2.0**A),
    ("sin", [A], np.sin(A)),
    ("exp", [A], np.exp(A)),
    ("tanh", [A], np.tanh(A)),
    ("log", [P], np.log(P)),
    ("sqrt", [P], np.sqrt(P)),
    ("sigmoid", [A], 1 / (1 + np.exp(-A))),
    ("max", [A, col], np.maximum(A, col)),
    ("sum", [A], A.sum()),
    ("sum", [A, 1], A.sum(axis=0)),
    ("sum", [A, 2], A.sum(axis=1)),
    ("mean", [A], A.mean()),
    ("mean", [A, 2], A.mean(axis=1)),
    ("prod", [P], P.prod()),
    ("prod", [P, 1], P.prod(axis=0)),
    ("max", [A], A.max()),
    ("min", [A], A.min()),
    ("det", [2.5], 2.5),
    ("trace", [2.5], 2.5),
    ("reshape", [A, [3, 2]], A.reshape(3, 2)),
    ("reshape", [A, [6]], A.reshape(6)),
    ("transpose", [A], A.T),
    ("transpose", [v3], v3),
    ("matmul", [A, B], A @ B),
    ("matmul", [A, v3], A @ v3),
    ("matmul", [v3, B], v3 @ B),
    ("matmul", [v3, w3], v3 @ w3),
    ("matmul", [2, A], 2 * A),
    ("dot", [v3, w3], np.dot(v3, w3)),
    ("norm", [v3], np.linalg.norm(v3)),
    ("trace", [S], np.trace(S)),
    ("det", [S], np.linalg.det(S)),
    ("inv", [S], np.linalg.inv(S)),
    ("softmax", [A], softmax(A)),
    ("softmax", [v3], softmax(v3)),
    ("logsumexp", [A], logsumexp(A)),
    ("logsumexp", [v3], logsumexp(v3)),
    ("concat", [A, A], np.concatenate([A, A], axis=1)),
    ("concat", [A, row, 1], np.concatenate([A, row], axis=0)),
    ("stack", [v3, w3], np.stack([v3, w3])),
    ("index", [A, 1, [0, 2]], A[1, [0, 2]]),
    ("index", [A, [1, 0], 2], A[[1, 0], 2]),
    ("index", [A, [0, 1], [2, 2, 0]], A[np.ix_([0, 1], [2, 2, 0])]),
    ("size", [A], np.array(A.shape, dtype=float)),
]


def plain(v):
    return np.asarray(v, dtype=np.float64).tolist() if not isinstance(v, (int, float)) else float(v)


# numpy's broadcasting rule on every pair of shapes of rank 0 to 3 with sizes 1 to 3: the result
# shape, or null where numpy refuses.
shapes = [()]
for rank in (1, 2, 3):
    shapes += [s for s in np.ndindex(*([3] * rank))]
shapes = sorted({tuple(d + 1 for d in s) if s else () for s in shapes}, key=lambda s: (len(s), s))
broadcast = []
for a in shapes:
    for b in shapes:
        try:
            out = list(np.broadcast_shapes(a, b))
        except ValueError:
            out = None
        broadcast.append([list(a), list(b), out])

json.dump(
    {
        "cases": [{"op": op, "inputs": [plain(x) for x in xs], "expected": plain(y)} for op, xs, y in cases],
        "broadcast": broadcast,
    },
    sys.stdout,
    separators=(",", ":"),
)
sys.stdout.write("\n")
