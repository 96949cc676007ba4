/** An image series and one ROI (RT structure set or SEG) read from DICOM files, ready for computeFeatures. */
import { RadiomicsError, RadiomicsErrorCode } from '../errors.js';
import type { Mask, Volume } from '../volume.js';
import { type ImageSeries, readImageSeries } from './ct-series.js';
import type { DicomDataset } from './parse.js';
import { findRoi, isRtStruct, rasteriseRoi, readRtStruct } from './rtstruct.js';
import { isSeg, readSeg } from './seg.js';

export interface DicomRoiOptions {
  /** ROI name or number (RT structure set) or segment label or number (SEG). */
  readonly roi?: string;
  /** Fractional SEG threshold (default 0.5). */
  readonly threshold?: number;
  /** Image series to use when the files hold several. */
  readonly seriesInstanceUid?: string;
  /** Tolerance (mm) along the slice normal for matching contours and frames to slices. */
  readonly planeTolerance?: number;
}

export interface DicomRoi {
  readonly image: Volume;
  readonly mask: Mask;
  readonly series: ImageSeries;
  /** 'RTSTRUCT' or 'SEG'. */
  readonly source: 'RTSTRUCT' | 'SEG';
  /** Name of the ROI or segment used. */
  readonly roiName: string;
}

/** Reads the image series among `images` and the ROI from `maskFile` (an RT structure set or a SEG). */
export function readDicomRoi(
  images: readonly DicomDataset[],
  maskFile: DicomDataset,
  opts: DicomRoiOptions = {},
): DicomRoi {
  const series = readImageSeries(images, opts.seriesInstanceUid);
  const tol = opts.planeTolerance === undefined ? {} : { planeTolerance: opts.planeTolerance };
  if (isRtStruct(maskFile)) {
    const rs = readRtStruct(maskFile);
    if (opts.roi === undefined && rs.rois.length !== 1)
      throw new RadiomicsError(
        RadiomicsErrorCode.roiNotFound,
        `${maskFile.where}: ${rs.rois.length} ROIs (${rs.rois.map((r) => `${r.number} "${r.name}"`).join(', ')}): name one`,
      );
    const roi = opts.roi === undefined ? (rs.rois[0] as (typeof rs.rois)[number]) : findRoi(rs, opts.roi);
    const mask = rasteriseRoi(roi, series, tol);
    return { image: series.volume, mask, series, source: 'RTSTRUCT', roiName: roi.name };
  }
  if (isSeg(maskFile)) {
    const mask = readSeg(maskFile, series, {
      ...tol,
      ...(opts.roi === undefined ? {} : { segment: opts.roi }),
      ...(opts.threshold === undefined ? {} : { threshold: opts.threshold }),
    });
    return { image: series.volume, mask, series, source: 'SEG', roiName: opts.roi ?? '' };
  }
  throw new RadiomicsError(
    RadiomicsErrorCode.dicomUnreadable,
    `${maskFile.where}: neither an RT Structure Set nor a Segmentation`,
  );
}
