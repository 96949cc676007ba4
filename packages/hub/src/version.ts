/** The hub's version, reported in the OpenAPI document. */
export const HUB_VERSION = '0.1.0';
