export * from './http.js';
export * from './hub-client.js';
export * from './node-client.js';
