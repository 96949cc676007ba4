#!/usr/bin/python3
"""Independent reference for the DICOM reader and contour rasteriser of @fedhub/radiomics.

Writes, with pydicom (not dcmjs), a small CT series on an in-plane rotated grid (slices in shuffled file
order, instance numbers scrambled), an RT structure set whose ROIs have holes and several contours per
slice, and a binary SEG whose frames are placed by plane position only; then rasterises the contours with
numpy + matplotlib.path (even-odd rule: XOR of point-in-polygon over a slice's contours) and records the
expected voxel indices and CT values.

Run with Debian's python3-pydicom, python3-numpy and python3-matplotlib:
    /usr/bin/python3 packages/radiomics/scripts/make-dicom-fixtures.py
Output: packages/radiomics/src/dicom/fixtures/ (committed).
"""
import json
import os

import numpy as np
import pydicom
from matplotlib.path import Path
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian

OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'dicom', 'fixtures')
os.makedirs(OUT, exist_ok=True)

NX, NY, NZ = 40, 32, 12
DX, DY, DZ = 0.7, 0.8, 2.5  # column spacing, row spacing, slice spacing (mm)
ANGLE = np.deg2rad(30.0)
ROW = np.array([np.cos(ANGLE), np.sin(ANGLE), 0.0])  # direction of increasing column index
COL = np.array([-np.sin(ANGLE), np.cos(ANGLE), 0.0])  # direction of increasing row index
NORMAL = np.cross(ROW, COL)
P0 = np.array([-12.3, 40.1, -101.25])
FRAME_UID = '2.25.1111111111111111111111111111111'
STUDY_UID = '2.25.2222222222222222222222222222222'
SERIES_UID = '2.25.3333333333333333333333333333333'


def uid(n):
    return f'2.25.{9000000000000 + n}'


def hu(i, j, k):
    return np.round(300 * np.sin(i / 3.0) + 200 * np.cos(j / 4.0) + 15 * k - 100)


def position(k):
    return P0 + k * DZ * NORMAL


def save(ds, name, sop_class):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    ds.SOPClassUID = sop_class
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.save_as(os.path.join(OUT, name), write_like_original=False)


# --- CT series -----------------------------------------------------------------------------------------
ii, jj = np.meshgrid(np.arange(NX), np.arange(NY))  # [row j, column i]
order = [7, 2, 11, 0, 5, 9, 1, 10, 3, 8, 6, 4]  # file order deliberately not the slice order
ct_values = np.zeros((NZ, NY, NX))
for n, k in enumerate(order):
    values = hu(ii, jj, k)
    ct_values[k] = values
    ds = Dataset()
    ds.SOPInstanceUID = uid(100 + k)
    ds.Modality = 'CT'
    ds.PatientID = 'FIXTURE'
    ds.StudyInstanceUID = STUDY_UID
    ds.SeriesInstanceUID = SERIES_UID
    ds.FrameOfReferenceUID = FRAME_UID
    ds.InstanceNumber = (k * 5) % NZ + 1  # scrambled: readers must sort by position
    ds.ImagePositionPatient = [f'{v:.4f}' for v in position(k)]
    ds.ImageOrientationPatient = [f'{v:.6f}' for v in np.concatenate([ROW, COL])]
    ds.PixelSpacing = [DY, DX]
    ds.SliceThickness = 3.0  # differs from the 2.5 mm spacing on purpose
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = 'MONOCHROME2'
    ds.Rows, ds.Columns = NY, NX
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.RescaleSlope = 2
    ds.RescaleIntercept = -1000
    stored = ((values + 1000) / 2).astype(np.uint16)  # the expected HU below are what the file holds
    ds.PixelData = stored.astype('<u2').tobytes()
    save(ds, f'ct-{n:02d}.dcm', '1.2.840.10008.5.1.4.1.1.2')
    ct_values[k] = stored * 2.0 - 1000


# --- contours (in voxel-index coordinates u = column, v = row, then to patient coordinates) --------------
def ellipse(cu, cv, ru, rv, npts, phase=0.123):
    t = np.linspace(0, 2 * np.pi, npts, endpoint=False) + phase
    return np.stack([cu + ru * np.cos(t), cv + rv * np.sin(t)], axis=1)


def star(cu, cv, r_out, r_in, tips):
    t = np.arange(2 * tips) * np.pi / tips + 0.05
    r = np.where(np.arange(2 * tips) % 2 == 0, r_out, r_in)
    return np.stack([cu + r * np.cos(t), cv + r * np.sin(t)], axis=1)


def to_patient(poly, k, dz_offset):
    return [position(k) + u * DX * ROW + v * DY * COL + dz_offset * NORMAL for u, v in poly]


rois = {
    'GTV': {},  # slice -> list of polygons (u, v)
    'Ring star': {},
}
for k in range(2, 10):
    s = 1.0 - abs(k - 5.5) / 6.0
    polys = [ellipse(19.3, 15.6, 13.1 * s, 10.2 * s, 24)]
    if 4 <= k <= 7:
        polys.append(ellipse(20.1, 14.9, 4.3, 3.1, 16))  # a hole
    if k in (5, 6):
        polys.append(ellipse(21.0, 15.2, 1.6, 1.2, 10))  # an island inside the hole
        polys.append(ellipse(35.2, 4.7, 2.4, 2.9, 12))  # a separate second contour
    rois['GTV'][k] = polys
for k in (1, 3):
    rois['Ring star'][k] = [star(12.4, 20.3, 9.7, 4.1, 5)]

expected = {}
centres = np.stack([ii.ravel(), jj.ravel()], axis=1).astype(float)
for name, slices in rois.items():
    mask = np.zeros((NZ, NY, NX), dtype=bool)
    for k, polys in slices.items():
        inside = np.zeros(NX * NY, dtype=bool)
        for poly in polys:
            # Rasterise from the patient coordinates written to the file, projected back on the image plane.
            pts = np.array(to_patient(poly, k, 0.0))
            u = (pts - P0) @ ROW / DX
            v = (pts - P0) @ COL / DY
            inside ^= Path(np.stack([u, v], axis=1)).contains_points(centres)
        mask[k] = inside.reshape(NY, NX)
    idx = np.flatnonzero(mask.ravel())  # index = x + NX * (y + NY * z)
    expected[name] = {
        'voxels': idx.tolist(),
        'sumHu': float(ct_values.ravel()[idx].sum()),
    }

rs = Dataset()
rs.SOPInstanceUID = uid(1)
rs.Modality = 'RTSTRUCT'
rs.PatientID = 'FIXTURE'
rs.StudyInstanceUID = STUDY_UID
rs.SeriesInstanceUID = uid(2)
rs.StructureSetLabel = 'FIXTURE'
ref = Dataset()
ref.FrameOfReferenceUID = FRAME_UID
rs.ReferencedFrameOfReferenceSequence = Sequence([ref])
ssroi, roic = [], []
for number, (name, slices) in enumerate(rois.items(), start=1):
    r = Dataset()
    r.ROINumber = number
    r.ReferencedFrameOfReferenceUID = FRAME_UID
    r.ROIName = name
    r.ROIGenerationAlgorithm = 'MANUAL'
    ssroi.append(r)
    c = Dataset()
    c.ReferencedROINumber = number
    contours = []
    for k, polys in slices.items():
        for p, poly in enumerate(polys):
            cd = Dataset()
            cd.ContourGeometricType = 'CLOSED_PLANAR'
            # within the plane-matching tolerance: contours written 0.2 mm off their slice plane
            pts = to_patient(poly, k, 0.2 if p == 0 else -0.1)
            cd.NumberOfContourPoints = len(pts)
            cd.ContourData = [f'{x:.5f}' for pt in pts for x in pt]
            contours.append(cd)
    c.ContourSequence = Sequence(contours)
    roic.append(c)
rs.StructureSetROISequence = Sequence(ssroi)
rs.ROIContourSequence = Sequence(roic)
save(rs, 'rtstruct.dcm', '1.2.840.10008.5.1.4.1.1.481.3')

# --- binary SEG of the GTV, frames in reverse slice order, placed by plane position only ----------------
gtv = np.zeros(NZ * NY * NX, dtype=bool)
gtv[expected['GTV']['voxels']] = True
gtv = gtv.reshape(NZ, NY, NX)
frames = [k for k in range(NZ - 1, -1, -1) if gtv[k].any()]
seg = Dataset()
seg.SOPInstanceUID = uid(3)
seg.Modality = 'SEG'
seg.PatientID = 'FIXTURE'
seg.StudyInstanceUID = STUDY_UID
seg.SeriesInstanceUID = uid(4)
seg.FrameOfReferenceUID = FRAME_UID
seg.SamplesPerPixel = 1
seg.PhotometricInterpretation = 'MONOCHROME2'
seg.Rows, seg.Columns = NY, NX
seg.NumberOfFrames = len(frames)
seg.BitsAllocated, seg.BitsStored, seg.HighBit, seg.PixelRepresentation = 1, 1, 0, 0
seg.SegmentationType = 'BINARY'
segments = []
for number, label in ((1, 'Other'), (2, 'GTV')):
    s = Dataset()
    s.SegmentNumber = number
    s.SegmentLabel = label
    s.SegmentAlgorithmType = 'MANUAL'
    segments.append(s)
seg.SegmentSequence = Sequence(segments)
shared = Dataset()
po = Dataset()
po.ImageOrientationPatient = [f'{v:.6f}' for v in np.concatenate([ROW, COL])]
shared.PlaneOrientationSequence = Sequence([po])
seg.SharedFunctionalGroupsSequence = Sequence([shared])
per_frame = []
bits = []
for k in frames:
    f = Dataset()
    si = Dataset()
    si.ReferencedSegmentNumber = 2
    f.SegmentIdentificationSequence = Sequence([si])
    pp = Dataset()
    pp.ImagePositionPatient = [f'{v:.4f}' for v in position(k)]
    f.PlanePositionSequence = Sequence([pp])
    per_frame.append(f)
    bits.append(gtv[k].ravel())
seg.PerFrameFunctionalGroupsSequence = Sequence(per_frame)
seg.PixelData = np.packbits(np.concatenate(bits), bitorder='little').tobytes()
save(seg, 'seg-binary.dcm', '1.2.840.10008.5.1.4.1.1.66.4')

with open(os.path.join(OUT, 'expected.json'), 'w') as fh:
    json.dump(
        {
            'generator': 'scripts/make-dicom-fixtures.py (pydicom %s, numpy %s, matplotlib.path)'
            % (pydicom.__version__, np.__version__),
            'dims': [NX, NY, NZ],
            'spacing': [DX, DY, DZ],
            'rois': expected,
        },
        fh,
    )
print({k: len(v['voxels']) for k, v in expected.items()})
