export { sha256Hex } from './digest.js';
export {
  ELEMENT_TYPES,
  elementTypeCode,
  elementTypeName,
  type FeedElementType,
  type OnnxElementType,
} from './element-types.js';
export { checkFeeds, checkOutputs, type OnnxFeed, type OnnxOutput, type OnnxTypedArray } from './feeds.js';
export {
  ALLOWED_DOMAINS,
  inspectOnnxModel,
  type OnnxModelInfo,
  type OnnxTensorInfo,
  onnxParameterCount,
} from './inspect.js';
export { DEFAULT_ONNX_LIMITS, type OnnxLimits, onnxLimits } from './limits.js';
export { OnnxSession, openOnnxSession, processMemoryMiB, runOnnx } from './session.js';
