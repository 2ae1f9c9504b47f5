#!/usr/bin/env python3
"""Write test/fixtures/optim.json: reference numbers for minimize and root, computed here without
dezero-grad (plain Python floats, numpy as DeZero uses it, mpmath for the exact minima and roots).

Run: python3 scripts/optim-fixture.py   (numpy, mpmath; deterministic)

- gd: DeZero step 28 (steps/step28.py) on Rosenbrock 100*(x1 - x0^2)^2 + (x0 - 1)^2 from (0, 2),
  lr 0.001, the gradient written out by hand; the point after k updates for a few k.
- momentum, adam: dezero/optimizers.py's MomentumSGD (lr 0.001, momentum 0.9) and Adam (alpha
  0.001) transcribed on numpy arrays, the same Rosenbrock run; the point after k updates.
- newton: step 29 (x^4 - 2x^2 from 2, x -= gx / gx2 with gx = 4x^3 - 4x and gx2 = 12x^2 - 4).
- minima: the stationary points of Himmelblau's function to 30 digits (mpmath.findroot on the
  gradient from the published approximations), Goldstein-Price's 3 at (0, -1), Matyas' and the
  sphere's 0 at the origin.
- roots: sqrt(2), the Dottie number (cos x = x), ln 3 and the system x^2 + y^2 = 4, x = y.
"""
import json
import math
import os

import mpmath as mp
import numpy as np

mp.mp.dps = 30
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'optim.json')
CHECKPOINTS = [0, 1, 2, 999, 1000, 9999, 10000]


def rosenbrock_grad(x0, x1):
    # d/dx0 = -400 x0 (x1 - x0^2) + 2 (x0 - 1), d/dx1 = 200 (x1 - x0^2)
    t = x1 - x0 ** 2
    return -400 * x0 * t + 2 * (x0 - 1), 200 * t


def gd():
    x0, x1 = 0.0, 2.0
    out = {}
    for k in range(max(CHECKPOINTS) + 1):
        if k in CHECKPOINTS:
            out[k] = [x0, x1]
        g0, g1 = rosenbrock_grad(x0, x1)
        x0 -= 0.001 * g0
        x1 -= 0.001 * g1
    return out


class MomentumSGD:  # dezero/optimizers.py
    def __init__(self, lr=0.001, momentum=0.9):
        self.lr, self.momentum, self.v = lr, momentum, None

    def update(self, param, grad):
        if self.v is None:
            self.v = np.zeros_like(param)
        self.v *= self.momentum
        self.v -= self.lr * grad
        param += self.v


class Adam:  # dezero/optimizers.py
    def __init__(self, alpha=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.t, self.alpha, self.beta1, self.beta2, self.eps = 0, alpha, beta1, beta2, eps
        self.m = self.v = None

    def update(self, param, grad):
        self.t += 1
        if self.m is None:
            self.m, self.v = np.zeros_like(param), np.zeros_like(param)
        fix1 = 1. - math.pow(self.beta1, self.t)
        fix2 = 1. - math.pow(self.beta2, self.t)
        lr = self.alpha * math.sqrt(fix2) / fix1
        self.m += (1 - self.beta1) * (grad - self.m)
        self.v += (1 - self.beta2) * (grad * grad - self.v)
        param -= lr * self.m / (np.sqrt(self.v) + self.eps)


def run(optimizer, ks):
    x = np.array([0.0, 2.0])
    out = {}
    for k in range(max(ks) + 1):
        if k in ks:
            out[k] = [float(x[0]), float(x[1])]
        optimizer.update(x, np.array(rosenbrock_grad(x[0], x[1])))
    return out


def newton():
    x, out = 2.0, []
    for _ in range(10):
        out.append(x)
        x -= (4 * x ** 3 - 4 * x) / (12 * x ** 2 - 4)
    return out


def himmelblau_minima():
    def grad(x, y):
        return [4 * x * (x * x + y - 11) + 2 * (x + y * y - 7), 2 * (x * x + y - 11) + 4 * y * (x + y * y - 7)]

    guesses = [(3, 2), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    return [[float(v) for v in mp.findroot(grad, g)] for g in guesses]


def roots():
    return {
        'sqrt2': float(mp.sqrt(2)),
        'dottie': float(mp.findroot(lambda x: mp.cos(x) - x, 0.7)),
        'ln3': float(mp.log(3)),
    }


fixture = {
    'gd': gd(),
    'momentum': run(MomentumSGD(), [1, 2, 1000]),
    'adam': run(Adam(), [1, 2, 1000]),
    'newton': newton(),
    'himmelblau': himmelblau_minima(),
    'roots': roots(),
}
with open(OUT, 'w') as f:
    json.dump(fixture, f, indent=1)
    f.write('\n')
print(f'wrote {os.path.relpath(OUT)}')
