#!/bin/sh
# Checks the test ONNX builder's models with the reference implementation's checker (python `onnx`,
# Debian python3-onnx): writes each model with the compiled builder, then runs onnx.checker (full check,
# shape inference included). Run after `npx tsc -b`: sh packages/inference/scripts/check-builder-with-onnx.sh
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
node --input-type=module -e "
import { writeFileSync } from 'node:fs';
import * as b from '$(pwd)/packages/inference/dist/test-support/index.js';
writeFileSync('$dir/logistic32.onnx', b.logisticRegressionModel({ coefficients: [0.5, -1, 2], intercept: 0.1 }));
writeFileSync('$dir/logistic64.onnx', b.logisticRegressionModel({ coefficients: [0.5, -1, 2], intercept: 0.1, type: 'float64' }));
writeFileSync('$dir/mean-filter.onnx', b.meanFilterDetectorModel(8, 8));
writeFileSync('$dir/threshold.onnx', b.thresholdSegmenterModel(0.5));
"
/usr/bin/python3 - "$dir" <<'PY'
import glob, sys
import onnx
for f in sorted(glob.glob(sys.argv[1] + '/*.onnx')):
    m = onnx.load(f)
    onnx.checker.check_model(m, full_check=True)
    print('ok', f.rsplit('/', 1)[1], [i.name for i in m.graph.input], '->', [o.name for o in m.graph.output])
PY
