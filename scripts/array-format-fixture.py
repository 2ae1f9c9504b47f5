#!/usr/bin/env python3
"""Write test/fixtures/array-format.json: numpy's own text for arrays, the oracle of src/report/array.ts.

Run: python3 scripts/array-format-fixture.py   (numpy; deterministic: a fixed seed)

Each case is {shape, data, text, lineWidth?}: `text` is numpy's
`array2string(a, separator=', ', threshold=1000, edgeitems=3, max_line_width=75, formatter=...)`,
with a formatter that writes each element as JavaScript's `String(x)` does for the values chosen here
(integers without `.0`, quarters and other short decimals as Python's repr, which agrees for them).
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'array-format.json')
rng = np.random.default_rng(20261202)


def js(x):
    x = float(x)
    return str(int(x)) if x.is_integer() else repr(x)


def case(a, width=75):
    a = np.asarray(a, dtype=np.float64)
    text = np.array2string(a, separator=', ', threshold=1000, edgeitems=3, max_line_width=width,
                           formatter={'all': js})
    out = {'shape': list(a.shape), 'data': a.ravel().tolist(), 'text': text}
    if width != 75:
        out['lineWidth'] = width
    return out


cases = [
    case(np.float64(2.5).reshape(())),
    case([1.0]),
    case(np.arange(4).reshape(2, 2)),
    case([[1], [2], [3]]),
    case(np.arange(8).reshape(2, 2, 2)),
    case(np.arange(24).reshape(2, 3, 4)),
    case(np.arange(16).reshape(2, 2, 2, 2)),
    case(np.arange(2000)),
    case(np.arange(2000).reshape(40, 50)),
    case(np.arange(3000).reshape(10, 10, 30)),
    case(np.arange(1001)),
    case(np.arange(1000)),
    case(np.arange(40) * 1.5),
    case(np.arange(1, 41) * -0.25, width=30),
    case(np.arange(300).reshape(3, 100) / 4),
    case(np.arange(7), width=5),
]
# Random shapes and values: small integers, quarters, negative numbers, long decimals.
for k in range(40):
    ndim = int(rng.integers(1, 5))
    shape = tuple(int(rng.integers(1, 6 if ndim > 2 else 14)) for _ in range(ndim))
    kind = k % 3
    if kind == 0:
        a = rng.integers(-1000, 1000, size=shape).astype(np.float64)
    elif kind == 1:
        a = rng.integers(-4000, 4000, size=shape) / 4
    else:
        a = np.round(rng.normal(size=shape) * 10 ** rng.integers(0, 4), 3)
    cases.append(case(a, width=int(rng.choice([75, 40, 120]))))
# Above the threshold with random shapes.
for shape in [(1001,), (2, 501), (11, 11, 11), (3, 400), (500, 3)]:
    cases.append(case(rng.integers(-99, 99, size=shape)))

with open(OUT, 'w') as f:
    json.dump(cases, f, separators=(',', ':'))
    f.write('\n')
print(f'wrote {len(cases)} cases to {os.path.relpath(OUT)}')
