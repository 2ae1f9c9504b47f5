"""DeZero's stage-4 algorithm on numpy (book steps 37-41): Variables holding whole arrays, the
Function objects of bench/dezero_numpy.py plus Sum and MatMul. The baseline for the tensor line of
`npm run bench`.

usage: python3 tensor_numpy.py CASE REPS  ->  one line of JSON: {"ms": [...], "check": ...}
CASE 1: sum(tanh(X*Y) + sin(X) / (1 + Y^2)), X and Y 1000x1000, value and both gradients
CASE 2: sum(matmul(A, B)), A and B 256x256, value and both gradients
"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dezero_numpy import Add, Div, Function, Mul, Pow, Sin, Tanh, Variable  # noqa: E402


class Sum(Function):
    def forward(self, x):
        self.x_shape = x.shape
        return x.sum()

    def backward(self, gy):
        return np.broadcast_to(gy, self.x_shape)


class MatMul(Function):
    def forward(self, x, W):
        return x.dot(W)

    def backward(self, gy):
        x, W = self.inputs[0].data, self.inputs[1].data
        return gy.dot(W.T), x.T.dot(gy)


def main():
    case, reps = int(sys.argv[1]), int(sys.argv[2])
    if case == 1:
        i = np.arange(1_000_000, dtype=np.float64).reshape(1000, 1000)
        xs, ys = -1 + 2 * i / 1e6, 0.5 + i / 1e6
    else:
        i = np.arange(256 * 256, dtype=np.float64).reshape(256, 256)
        xs, ys = np.sin(i), np.cos(i)
    times = []
    check = 0.0
    for _ in range(reps):
        t0 = time.perf_counter()
        x, y = Variable(xs), Variable(ys)
        if case == 1:
            out = Sum()(Add()(Tanh()(Mul()(x, y)), Div()(Sin()(x), Add()(1.0, Pow(2.0)(y)))))
        else:
            out = Sum()(MatMul()(x, y))
        out.backward()
        times.append((time.perf_counter() - t0) * 1e3)
        check = float(out.data + x.grad.flat[12345 % x.grad.size] + y.grad.flat[777])
        del x, y, out
    print(json.dumps({"ms": times, "check": check}))


if __name__ == "__main__":
    main()
