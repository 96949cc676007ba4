import { gunzipSync } from 'node:zlib';
import { RadiomicsError, RadiomicsErrorCode } from './errors.js';
import type { Volume } from './volume.js';

/** Parsed NIfTI-1 header fields that matter for radiomics (lengths in mm after xyzt_units scaling). */
export interface NiftiHeader {
  readonly littleEndian: boolean;
  readonly dims: readonly [number, number, number];
  readonly datatype: number;
  readonly bitpix: number;
  readonly pixdim: readonly [number, number, number];
  readonly voxOffset: number;
  readonly sclSlope: number;
  readonly sclInter: number;
  readonly qformCode: number;
  readonly sformCode: number;
  /** 4x4 voxel-to-world affine (row-major, 3 rows given), from sform if set, else qform, else pixdim. */
  readonly affine: readonly (readonly number[])[];
}

/** Result of reading a NIfTI-1 file: header plus the image as a Volume (scaled values). */
export interface NiftiImage {
  readonly header: NiftiHeader;
  readonly volume: Volume;
}

const datatypeReaders: Record<
  number,
  { size: number; read: (v: DataView, o: number, le: boolean) => number }
> = {
  2: { size: 1, read: (v, o) => v.getUint8(o) },
  4: { size: 2, read: (v, o, le) => v.getInt16(o, le) },
  8: { size: 4, read: (v, o, le) => v.getInt32(o, le) },
  16: { size: 4, read: (v, o, le) => v.getFloat32(o, le) },
  64: { size: 8, read: (v, o, le) => v.getFloat64(o, le) },
  256: { size: 1, read: (v, o) => v.getInt8(o) },
  512: { size: 2, read: (v, o, le) => v.getUint16(o, le) },
  768: { size: 4, read: (v, o, le) => v.getUint32(o, le) },
};

function qformAffine(v: DataView, le: boolean, pix: readonly number[], qfac: number): number[][] {
  const b = v.getFloat32(256, le);
  const c = v.getFloat32(260, le);
  const d = v.getFloat32(264, le);
  const a = Math.sqrt(Math.max(0, 1 - b * b - c * c - d * d));
  const r = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
  const off = [v.getFloat32(268, le), v.getFloat32(272, le), v.getFloat32(276, le)];
  const s = [pix[0] ?? 1, pix[1] ?? 1, (pix[2] ?? 1) * qfac];
  return r.map((row, i) => [
    (row[0] ?? 0) * (s[0] ?? 1),
    (row[1] ?? 0) * (s[1] ?? 1),
    (row[2] ?? 0) * (s[2] ?? 1),
    off[i] ?? 0,
  ]);
}

/**
 * Reads a NIfTI-1 single file (.nii, or gzip-compressed .nii.gz detected by magic bytes).
 * Values are scaled by scl_slope/scl_inter when slope is non-zero. Only 3D (or 4D with one volume) images.
 */
export function readNifti(bytes: Uint8Array): NiftiImage {
  const raw = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  if (raw.length < 348) {
    throw new RadiomicsError(
      RadiomicsErrorCode.niftiTruncated,
      `NIfTI: ${raw.length} bytes, the header needs 348`,
    );
  }
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  let le = true;
  if (v.getInt32(0, true) !== 348) {
    if (v.getInt32(0, false) !== 348) {
      throw new RadiomicsError(
        RadiomicsErrorCode.niftiBadHeader,
        'NIfTI: sizeof_hdr is not 348 (not NIfTI-1)',
      );
    }
    le = false;
  }
  const magic = String.fromCharCode(raw[344] ?? 0, raw[345] ?? 0, raw[346] ?? 0);
  if (magic !== 'n+1' && magic !== 'ni1') {
    throw new RadiomicsError(RadiomicsErrorCode.niftiBadHeader, `NIfTI: bad magic "${magic}" at byte 344`);
  }
  const ndim = v.getInt16(40, le);
  const dim = [1, 2, 3].map((i) => (i <= ndim ? v.getInt16(40 + 2 * i, le) : 1));
  const extra = ndim >= 4 ? v.getInt16(48, le) : 1;
  if (ndim < 1 || ndim > 7 || dim.some((d) => d < 1) || extra > 1) {
    throw new RadiomicsError(
      RadiomicsErrorCode.niftiBadHeader,
      `NIfTI: unsupported dims (ndim ${ndim}, ${dim})`,
    );
  }
  const datatype = v.getInt16(70, le);
  const reader = datatypeReaders[datatype];
  if (!reader) {
    throw new RadiomicsError(RadiomicsErrorCode.niftiDatatype, `NIfTI: unsupported datatype ${datatype}`);
  }
  const qfacRaw = v.getFloat32(76, le);
  const units = v.getUint8(123) & 7;
  const unitScale = units === 1 ? 1000 : units === 3 ? 0.001 : 1;
  const pix = [1, 2, 3].map((i) => Math.abs(v.getFloat32(76 + 4 * i, le)) * unitScale);
  const voxOffset = Math.max(352, Math.round(v.getFloat32(108, le)));
  const slopeRaw = v.getFloat32(112, le);
  const sclSlope = Number.isFinite(slopeRaw) && slopeRaw !== 0 ? slopeRaw : 1;
  const interRaw = v.getFloat32(116, le);
  const sclInter = Number.isFinite(interRaw) && slopeRaw !== 0 ? interRaw : 0;
  const qformCode = v.getInt16(252, le);
  const sformCode = v.getInt16(254, le);
  let affine: number[][];
  if (sformCode > 0) {
    affine = [0, 1, 2].map((r) =>
      [0, 1, 2, 3].map((c) => v.getFloat32(280 + 16 * r + 4 * c, le) * unitScale),
    );
  } else if (qformCode > 0) {
    affine = qformAffine(v, le, pix, qfacRaw < 0 ? -1 : 1).map((row) => row.map((x) => x * unitScale));
  } else {
    affine = [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => (c === r ? (pix[r] ?? 1) : 0)));
  }
  const n = (dim[0] ?? 1) * (dim[1] ?? 1) * (dim[2] ?? 1);
  if (voxOffset + n * reader.size > raw.length) {
    throw new RadiomicsError(
      RadiomicsErrorCode.niftiTruncated,
      `NIfTI: data needs ${n * reader.size} bytes from offset ${voxOffset}, file has ${raw.length}`,
    );
  }
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = reader.read(v, voxOffset + i * reader.size, le) * sclSlope + sclInter;
  const dims = [dim[0] ?? 1, dim[1] ?? 1, dim[2] ?? 1] as const;
  const spacing = [pix[0] ?? 1, pix[1] ?? 1, pix[2] ?? 1] as const;
  const origin = [affine[0]?.[3] ?? 0, affine[1]?.[3] ?? 0, affine[2]?.[3] ?? 0] as const;
  return {
    header: {
      littleEndian: le,
      dims,
      datatype,
      bitpix: v.getInt16(72, le),
      pixdim: spacing,
      voxOffset,
      sclSlope,
      sclInter,
      qformCode,
      sformCode,
      affine,
    },
    volume: { dims, spacing, origin, data },
  };
}
