export * from './art30-record.js';
export * from './http.js';
export * from './hub-client.js';
export * from './node-client.js';
