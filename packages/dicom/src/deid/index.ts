export * from './deidentify-buffer.js';
export * from './keys.js';
export * from './options.js';
