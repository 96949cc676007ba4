#!/usr/bin/env python3
"""Reference Dice, HD95 and surface Dice for validate-imaging's seg-metrics test, with scipy.

Follows MONAI's conventions (compute_dice, compute_hausdorff_distance(percentile=95), compute_surface_dice):
surface = mask ^ binary_erosion(mask) (default cross structure, border_value 0); distances from
distance_transform_edt(~edges, sampling=spacing); HD95 = max of the two directed np.percentile(., 95);
surface Dice = (both directions' distances <= tau) / (both surfaces' sizes).

Run:  python3 packages/algorithms/scripts/seg-metrics-reference.py \
        > packages/algorithms/src/validate-imaging/fixtures/seg-metrics.json
(apt-get install python3-scipy). Masks are written as strings of 0/1, x fastest, then y, then z.
"""
import json

import numpy as np
from scipy import ndimage

TOLERANCES = [1.0, 2.0, 3.0]


def metrics(pred, ref, spacing):
    # arrays indexed [z, y, x]; spacing given as [x, y, z]
    sampling = [spacing[2], spacing[1], spacing[0]]
    ep = pred ^ ndimage.binary_erosion(pred)
    er = ref ^ ndimage.binary_erosion(ref)
    dice = 2 * np.sum(pred & ref) / (np.sum(pred) + np.sum(ref))
    d_pr = ndimage.distance_transform_edt(~er, sampling=sampling)[ep]
    d_rp = ndimage.distance_transform_edt(~ep, sampling=sampling)[er]
    hd95 = max(np.percentile(d_pr, 95), np.percentile(d_rp, 95))
    sd = [float((np.sum(d_pr <= t) + np.sum(d_rp <= t)) / (len(d_pr) + len(d_rp))) for t in TOLERANCES]
    return {"dice": float(dice), "hd95": float(hd95), "surfaceDice": sd}


def encode(m):
    return "".join("1" if v else "0" for v in m.ravel(order="C"))


def case(name, pred, ref, spacing):
    nz, ny, nx = pred.shape
    return {
        "name": name,
        "dims": [nx, ny, nz],
        "spacing": spacing,
        "pred": encode(pred),
        "ref": encode(ref),
        **metrics(pred, ref, spacing),
    }


def ellipsoid(shape, centre, radii, spacing):
    z, y, x = np.indices(shape)
    return (
        ((x - centre[0]) * spacing[0] / radii[0]) ** 2
        + ((y - centre[1]) * spacing[1] / radii[1]) ** 2
        + ((z - centre[2]) * spacing[2] / radii[2]) ** 2
    ) <= 1.0


def main():
    rng = np.random.default_rng(20261207)
    cases = []
    shape = (10, 16, 18)  # z, y, x
    sp = [0.8, 1.1, 2.5]
    cases.append(case("ellipsoids, shifted, anisotropic", ellipsoid(shape, [8, 7, 4.5], [5, 4, 9], sp),
                      ellipsoid(shape, [9.5, 8, 5], [5.5, 4.5, 8], sp), sp))
    a = np.zeros(shape, bool)
    a[2:8, 3:12, 4:15] = True
    b = np.zeros(shape, bool)
    b[3:9, 5:13, 2:13] = True
    cases.append(case("boxes, overlapping", a, b, sp))
    # smoothed random blobs
    for i in range(3):
        spacing = [float(s) for s in rng.choice([0.7, 1.0, 1.5, 3.0], 3)]
        f = ndimage.gaussian_filter(rng.normal(size=(9, 14, 15)), 1.5)
        g = ndimage.gaussian_filter(rng.normal(size=(9, 14, 15)), 1.5)
        p = f > np.quantile(f, 0.7)
        r = (f + 0.6 * g) > np.quantile(f + 0.6 * g, 0.72)
        cases.append(case(f"random blobs {i + 1}", p, r, spacing))
    # touching the grid border (the border counts as surface)
    c = np.zeros((6, 8, 8), bool)
    c[:, 2:6, 0:5] = True
    d = np.zeros((6, 8, 8), bool)
    d[1:, 3:7, 1:6] = True
    cases.append(case("masks on the grid border", c, d, [1.0, 1.0, 2.0]))
    print(json.dumps({"tolerances": TOLERANCES, "cases": cases}, indent=1))


main()
