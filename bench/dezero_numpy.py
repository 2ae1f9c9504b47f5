"""DeZero's algorithm on numpy (book steps 1-18): Variables holding arrays, Function objects,
backward in generation order with a seen set and gradient accumulation. The baseline for
`npm run bench`.

usage: python3 dezero_numpy.py EXPR_ID N REPS   ->  one line of JSON: {"ns_per_point": [...], "check": ...}
EXPR_ID 1: square(exp(square(x)))      2: tanh(x*y) + sin(x) / (1 + y^2)
"""
import heapq
import json
import sys
import time

import numpy as np


class Variable:
    def __init__(self, data):
        self.data = data
        self.grad = None
        self.creator = None
        self.generation = 0

    def set_creator(self, func):
        self.creator = func
        self.generation = func.generation + 1

    def backward(self):
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        funcs = []
        seen = set()
        counter = 0

        def add_func(f):
            nonlocal counter
            if f not in seen:
                seen.add(f)
                counter += 1
                heapq.heappush(funcs, (-f.generation, -counter, f))

        add_func(self.creator)
        while funcs:
            _, _, f = heapq.heappop(funcs)
            gys = [output.grad for output in f.outputs]
            gxs = f.backward(*gys)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for x, gx in zip(f.inputs, gxs):
                if x.grad is None:
                    x.grad = gx
                else:
                    x.grad = x.grad + gx
                if x.creator is not None:
                    add_func(x.creator)
            for y in f.outputs:  # retain_grad=False
                y.grad = None


def as_array(x):
    return np.asarray(x, dtype=np.float64) if np.isscalar(x) else x


def as_variable(x):
    return x if isinstance(x, Variable) else Variable(as_array(x))


class Function:
    def __call__(self, *inputs):
        inputs = [as_variable(x) for x in inputs]
        xs = [x.data for x in inputs]
        ys = self.forward(*xs)
        if not isinstance(ys, tuple):
            ys = (ys,)
        outputs = [Variable(as_array(y)) for y in ys]
        self.generation = max(x.generation for x in inputs)
        for output in outputs:
            output.set_creator(self)
        self.inputs = inputs
        self.outputs = outputs
        return outputs if len(outputs) > 1 else outputs[0]

    def __lt__(self, other):
        return False


class Add(Function):
    def forward(self, x0, x1):
        return x0 + x1

    def backward(self, gy):
        return gy, gy


class Mul(Function):
    def forward(self, x0, x1):
        return x0 * x1

    def backward(self, gy):
        x0, x1 = self.inputs[0].data, self.inputs[1].data
        return gy * x1, gy * x0


class Div(Function):
    def forward(self, x0, x1):
        return x0 / x1

    def backward(self, gy):
        x0, x1 = self.inputs[0].data, self.inputs[1].data
        return gy / x1, gy * (-x0 / x1 ** 2)


class Pow(Function):
    def __init__(self, c):
        self.c = c

    def forward(self, x):
        return x ** self.c

    def backward(self, gy):
        x = self.inputs[0].data
        return self.c * x ** (self.c - 1) * gy


class Square(Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        x = self.inputs[0].data
        return 2 * x * gy


class Exp(Function):
    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        return np.exp(self.inputs[0].data) * gy


class Sin(Function):
    def forward(self, x):
        return np.sin(x)

    def backward(self, gy):
        return gy * np.cos(self.inputs[0].data)


class Tanh(Function):
    def forward(self, x):
        return np.tanh(x)

    def backward(self, gy):
        y = self.outputs[0].data
        return gy * (1 - y * y)


def expression(expr_id, x, y):
    if expr_id == 1:
        return Square()(Exp()(Square()(x)))
    # tanh(x*y) + sin(x) / (1 + y^2)
    return Add()(Tanh()(Mul()(x, y)), Div()(Sin()(x), Add()(1.0, Pow(2.0)(y))))


def inputs(n):
    i = np.arange(n, dtype=np.float64)
    return -1 + 2 * i / n, 0.5 + i / n  # the same points as the C and JavaScript sides


def main():
    expr_id, n, reps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    xs, ys = inputs(n)
    times = []
    check = 0.0
    for _ in range(reps):
        t0 = time.perf_counter()
        x, y = Variable(xs), Variable(ys)
        out = expression(expr_id, x, y)
        out.backward()
        t1 = time.perf_counter()
        times.append((t1 - t0) * 1e9 / n)
        check = float(out.data[n // 3] + x.grad[n // 3] + (y.grad[n // 3] if y.grad is not None else 0))
        del x, y, out
    print(json.dumps({"ns_per_point": times, "check": check}))


if __name__ == "__main__":
    main()
