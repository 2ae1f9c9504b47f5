"""Writes the value-file fixtures of test/tensor-data.test.ts with numpy (the independent writer
of each format) and, in expected.json, what each holds: its shape and elements as numpy reads them.

    python3 scripts/make-tensor-fixtures.py
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'tensor')
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20261202)
expected = {}


def npy(name, arr, version=None):
    path = os.path.join(OUT, name)
    with open(path, 'wb') as f:
        np.lib.format.write_array(f, arr, version=version, allow_pickle=arr.dtype == object)
    return path


def record(name, arr):
    back = np.load(os.path.join(OUT, name)) if name.endswith('.npy') else arr
    expected[name] = {'shape': list(back.shape), 'data': [float(v) for v in np.asarray(back, dtype=np.float64).ravel(order='C')]}


w = rng.standard_normal((2, 3))
npy('f8.npy', w)
record('f8.npy', w)
npy('f4.npy', rng.standard_normal(5).astype(np.float32))
record('f4.npy', None)
npy('i8.npy', rng.integers(-(2**40), 2**40, size=(3, 2), dtype=np.int64))
record('i8.npy', None)
npy('i4-scalar.npy', np.array(-7, dtype=np.int32))
record('i4-scalar.npy', None)
npy('bool.npy', np.array([[True, False], [False, True]]))
record('bool.npy', None)
npy('v2.npy', rng.standard_normal((2, 2, 2)), version=(2, 0))
record('v2.npy', None)
npy('v3.npy', rng.standard_normal(4), version=(3, 0))
record('v3.npy', None)
# refused: Fortran order, Python objects, big-endian, complex
npy('fortran.npy', np.asfortranarray(rng.standard_normal((3, 2))))
npy('object.npy', np.array([1, 'a'], dtype=object))
npy('big-endian.npy', rng.standard_normal(3).astype('>f8'))
npy('complex.npy', np.array([1 + 2j]))

m = rng.standard_normal((3, 4))
np.savetxt(os.path.join(OUT, 'matrix.csv'), m, delimiter=',', fmt='%.17g')
expected['matrix.csv'] = {'shape': [3, 4], 'data': [float(v) for v in np.loadtxt(os.path.join(OUT, 'matrix.csv'), delimiter=',').ravel()]}
row = rng.standard_normal(3)
np.savetxt(os.path.join(OUT, 'row.csv'), row[None, :], delimiter=', ', fmt='%.17g')
expected['row.csv'] = {'shape': [3], 'data': [float(v) for v in np.loadtxt(os.path.join(OUT, 'row.csv'), delimiter=',').ravel()]}

nested = rng.standard_normal((2, 3, 2))
with open(os.path.join(OUT, 'nested.json'), 'w') as f:
    json.dump(nested.tolist(), f)
expected['nested.json'] = {'shape': [2, 3, 2], 'data': [float(v) for v in nested.ravel()]}

with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump(expected, f, indent=1)
    f.write('\n')
