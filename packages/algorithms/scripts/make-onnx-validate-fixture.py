#!/usr/bin/env python3
"""Reference numbers for `validate` with an ONNX model (packages/node/src/onnx-validate.test.ts).

Writes packages/algorithms/fixtures/onnx-validate/:
  cohort.csv      three centres' records (some predictors missing), deterministic
  logistic.onnx   a logistic model (MatMul + Add + Sigmoid, float64) built with the `onnx` python package
  reference.json  the pooled metrics computed here on the same predictions (complete cases):
                  AUC (Mann-Whitney on the scores rounded to the grid) with DeLong's variance, Brier score,
                  calibration slope and calibration-in-the-large (statsmodels GLM, binomial), decision-curve
                  net benefit, and the records left out per centre.
Run: /usr/bin/python3 packages/algorithms/scripts/make-onnx-validate-fixture.py  (Debian: python3-onnx,
python3-statsmodels). CI uses the committed outputs only.
"""
import json
import os

import numpy as np
import onnx
import statsmodels.api as sm
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'onnx-validate')
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20261207)

COEF = np.array([0.03, 0.06, 0.4])  # age, dose_gy, male: the model under validation
INTERCEPT = -5.0
GRID = 0.001
THRESHOLDS = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]

rows = []
for centre, n, missing_age, missing_dose in (('A', 350, 7, 0), ('B', 420, 0, 2), ('C', 300, 0, 0)):
    age = np.round(rng.normal(62, 11, n), 1)
    dose = np.round(rng.uniform(20, 74, n), 2)
    male = rng.integers(0, 2, n)
    eta = -5.3 + 0.035 * age + 0.05 * dose + 0.3 * male + (0.3 if centre == 'B' else 0.0)
    y = rng.binomial(1, 1 / (1 + np.exp(-eta)))
    for i in range(n):
        rows.append({
            'centre': centre,
            'age': '' if i < missing_age else f'{age[i]:.1f}',
            'dose_gy': '' if i < missing_dose else f'{dose[i]:.2f}',
            'male': int(male[i]),
            'y': int(y[i]),
        })

with open(os.path.join(OUT, 'cohort.csv'), 'w') as f:
    f.write('centre,age,dose_gy,male,y\n')
    for r in rows:
        f.write(f"{r['centre']},{r['age']},{r['dose_gy']},{r['male']},{r['y']}\n")

# the model, built independently of fedhub's TypeScript builder
graph = helper.make_graph(
    [
        helper.make_node('MatMul', ['features', 'W'], ['xw']),
        helper.make_node('Add', ['xw', 'b'], ['eta']),
        helper.make_node('Sigmoid', ['eta'], ['probability']),
    ],
    'logistic',
    [helper.make_tensor_value_info('features', TensorProto.DOUBLE, ['N', 3])],
    [helper.make_tensor_value_info('probability', TensorProto.DOUBLE, ['N', 1])],
    [numpy_helper.from_array(COEF.reshape(3, 1), 'W'), numpy_helper.from_array(np.array([INTERCEPT]), 'b')],
)
model = helper.make_model(graph, producer_name='make-onnx-validate-fixture', opset_imports=[helper.make_opsetid('', 17)])
model.ir_version = 8
onnx.checker.check_model(model, full_check=True)
onnx.save(model, os.path.join(OUT, 'logistic.onnx'))

complete = [r for r in rows if r['age'] != '' and r['dose_gy'] != '']
X = np.array([[float(r['age']), float(r['dose_gy']), r['male']] for r in complete])
y = np.array([r['y'] for r in complete], dtype=float)
p = 1 / (1 + np.exp(-(X @ COEF + INTERCEPT)))
s = np.round(p / GRID) * GRID

pos, neg = s[y == 1], s[y == 0]
# DeLong structural components on the rounded scores
v10 = np.array([np.mean((x > neg) + 0.5 * (x == neg)) for x in pos])
v01 = np.array([np.mean((pos > x) + 0.5 * (pos == x)) for x in neg])
auc = float(np.mean(v10))
var = float(np.var(v10, ddof=1) / len(pos) + np.var(v01, ddof=1) / len(neg))

lp = np.log(p / (1 - p))
slope_fit = sm.GLM(y, sm.add_constant(lp), family=sm.families.Binomial()).fit(tol=1e-12)
large_fit = sm.GLM(y, np.ones((len(y), 1)), family=sm.families.Binomial(), offset=lp).fit(tol=1e-12)

n = len(y)
net = []
for t in THRESHOLDS:
    treat = s >= t - 1e-12
    tp = float(np.sum(treat & (y == 1)))
    fp = float(np.sum(treat & (y == 0)))
    net.append({'threshold': t, 'netBenefit': tp / n - fp / n * t / (1 - t),
                'treatAll': float(np.mean(y)) - (1 - float(np.mean(y))) * t / (1 - t)})

ref = {
    'coefficients': COEF.tolist(),
    'intercept': INTERCEPT,
    'grid': GRID,
    'n': n,
    'events': int(y.sum()),
    'auc': auc,
    'aucVariance': var,
    'brier': float(np.mean((p - y) ** 2)),
    'calibrationSlope': float(slope_fit.params[1]),
    'calibrationSlopeIntercept': float(slope_fit.params[0]),
    'calibrationInLarge': float(large_fit.params[0]),
    'netBenefit': net,
    'excluded': {'A': 7, 'B': 2, 'C': 0},
    'software': {'numpy': np.__version__, 'statsmodels': sm.__version__ if hasattr(sm, '__version__') else 'n/a',
                 'onnx': onnx.__version__},
}
with open(os.path.join(OUT, 'reference.json'), 'w') as f:
    json.dump(ref, f, indent=2)
print(json.dumps({k: ref[k] for k in ('n', 'events', 'auc', 'brier', 'calibrationSlope', 'calibrationInLarge')}))
