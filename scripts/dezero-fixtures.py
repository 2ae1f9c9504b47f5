"""The expected numbers of DeZero's steps 37-44 (Deep Learning from Scratch 3, stage 4), computed
by the book's own DeZero on numpy, for test/dezero-stage4.test.ts.

usage: python3 scripts/dezero-fixtures.py DEZERO_DIR > test/fixtures/dezero-stage4.json

DEZERO_DIR holds the book's `dezero` package (github.com/oreilly-japan/deep-learning-from-scratch-3).
Each step is the book's code as written (steps/step37.py ... step44.py), with the printed values
kept; step 41 draws its random matrices from np.random.seed(0) so the values can be compared.
"""
import json
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
# dezero's package imports its dataset and plotting helpers, which need matplotlib and PIL; none of
# the steps here plot or load images, so empty stand-ins suffice where those are not installed.
for name in ("matplotlib", "matplotlib.pyplot", "PIL", "PIL.Image"):
    try:
        __import__(name)
    except ImportError:
        import types

        stub = types.ModuleType(name)
        stub.BILINEAR = 2  # transforms.py reads it as a default argument
        sys.modules[name] = stub
from dezero import Variable  # noqa: E402
import dezero.functions as F  # noqa: E402
import dezero.layers as L  # noqa: E402


def arr(v):
    v = v.data if isinstance(v, Variable) else v
    return np.asarray(v, dtype=np.float64).tolist()


out = {}

# step 37: sum of a broadcast-free add
x = Variable(np.array([[1, 2, 3], [4, 5, 6]]))
c = Variable(np.array([[10, 20, 30], [40, 50, 60]]))
t = x + c
y = F.sum(t)
y.backward(retain_grad=True)
out["step37"] = {"y": arr(y), "t_grad": arr(t.grad), "x_grad": arr(x.grad), "c_grad": arr(c.grad)}

# step 38: reshape and transpose
x = Variable(np.array([[0, 1, 2], [3, 4, 5]]))
y = F.reshape(x, (6,))
y.backward(retain_grad=True)
r = {"reshape_y": arr(y), "reshape_x_grad": arr(x.grad)}
x = Variable(np.array([[1, 2, 3], [4, 5, 6]]))
y = F.transpose(x)
y.backward()
r.update({"transpose_y": arr(y), "transpose_x_grad": arr(x.grad)})
out["step38"] = r

# step 39: sum, all and along an axis
r = {}
x = Variable(np.array([1, 2, 3, 4, 5, 6]))
y = F.sum(x)
y.backward()
r.update({"sum1_y": arr(y), "sum1_x_grad": arr(x.grad)})
x = Variable(np.array([[1, 2, 3], [4, 5, 6]]))
y = F.sum(x)
y.backward()
r.update({"sum2_y": arr(y), "sum2_x_grad": arr(x.grad)})
x = Variable(np.array([[1, 2, 3], [4, 5, 6]]))
y = F.sum(x, axis=0)
y.backward()
r.update({"axis0_y": arr(y), "axis0_x_grad": arr(x.grad)})
out["step39"] = r

# step 40: broadcasting and sum_to in backward
x0 = Variable(np.array([1, 2, 3]))
x1 = Variable(np.array([10]))
y = x0 + x1
y.backward()
out["step40"] = {"y": arr(y), "x0_grad": arr(x0.grad), "x1_grad": arr(x1.grad)}

# step 41: matmul's gradients (the book's random matrices, drawn from seed 0)
np.random.seed(0)
x = Variable(np.random.randn(2, 3))
w = Variable(np.random.randn(3, 4))
y = F.matmul(x, w)
y.backward()
out["step41"] = {"x": arr(x), "w": arr(w), "y": arr(y), "x_grad": arr(x.grad), "w_grad": arr(w.grad)}

# step 42: linear regression
np.random.seed(0)
x = np.random.rand(100, 1)
y = 5 + 2 * x + np.random.rand(100, 1)
r = {"x": arr(x), "y": arr(y), "losses": []}
x, y = Variable(x), Variable(y)
W = Variable(np.zeros((1, 1)))
b = Variable(np.zeros(1))


def mean_squared_error(x0, x1):
    diff = x0 - x1
    return F.sum(diff ** 2) / len(diff)


for i in range(100):
    y_pred = F.matmul(x, W) + b
    loss = mean_squared_error(y, y_pred)
    W.cleargrad()
    b.cleargrad()
    loss.backward()
    W.data -= 0.1 * W.grad.data
    b.data -= 0.1 * b.grad.data
    r["losses"].append(float(loss.data))
r.update({"W": arr(W), "b": arr(b)})
out["step42"] = r

# step 43: a two-layer network, sigmoid between
np.random.seed(0)
x = np.random.rand(100, 1)
y = np.sin(2 * np.pi * x) + np.random.rand(100, 1)
I, H, O = 1, 10, 1
W1 = Variable(0.01 * np.random.randn(I, H))
b1 = Variable(np.zeros(H))
W2 = Variable(0.01 * np.random.randn(H, O))
b2 = Variable(np.zeros(O))
r = {"x": arr(x), "y": arr(y), "W1": arr(W1), "b1": arr(b1), "W2": arr(W2), "b2": arr(b2), "losses": []}
for i in range(10000):
    y_pred = F.linear(F.sigmoid(F.linear(x, W1, b1)), W2, b2)
    loss = F.mean_squared_error(y, y_pred)
    for p in (W1, b1, W2, b2):
        p.cleargrad()
    loss.backward()
    for p in (W1, b1, W2, b2):
        p.data -= 0.2 * p.grad.data
    if i % 1000 == 0:
        r["losses"].append(float(loss.data))
r["final_loss"] = float(F.mean_squared_error(y, F.linear(F.sigmoid(F.linear(x, W1, b1)), W2, b2)).data)
out["step43"] = r

# step 44: the same network with Linear layers (their weights drawn at the first call). The book's
# layers keep float32 parameters (Linear's default dtype), which drift from a float64 run by 1e-3
# over 10,000 steps; float64 layers draw the same weights and run the book's algorithm in the
# engine's precision.
np.random.seed(0)
x = np.random.rand(100, 1)
y = np.sin(2 * np.pi * x) + np.random.rand(100, 1)
l1 = L.Linear(10, dtype=np.float64)
l2 = L.Linear(1, dtype=np.float64)


def predict(x):
    return l2(F.sigmoid(l1(x)))


predict(x)  # draws W of both layers, as the book's first iteration does
r = {"W1": arr(l1.W), "b1": arr(l1.b), "W2": arr(l2.W), "b2": arr(l2.b), "losses": []}
for i in range(10000):
    loss = F.mean_squared_error(y, predict(x))
    l1.cleargrads()
    l2.cleargrads()
    loss.backward()
    for layer in (l1, l2):
        for p in layer.params():
            p.data -= 0.2 * p.grad.data
    if i % 1000 == 0:
        r["losses"].append(float(loss.data))
out["step44"] = r

json.dump(out, sys.stdout, indent=None, separators=(",", ":"))
sys.stdout.write("\n")
