import { describe, expect, it } from 'vitest';
import { settingsHash } from './compute.js';
import { ibsiConfigC, ibsiConfigE, validateConfig } from './config.js';

describe('validateConfig', () => {
  it('accepts the IBSI presets', () => {
    expect(validateConfig(ibsiConfigC)).toBe(ibsiConfigC);
  });

  it('names the bad field', () => {
    expect(() => validateConfig({ ...ibsiConfigC, discretisation: { method: 'fbn', bins: 0 } })).toThrow(
      /discretisation.bins/,
    );
    expect(() => validateConfig({ ...ibsiConfigC, resampleSpacing: [2, -1, 2] })).toThrow(
      /resampleSpacing\[1\]/,
    );
    expect(() => validateConfig({ ...ibsiConfigC, resegmentRange: [400, -1000] })).toThrow(/resegmentRange/);
  });

  it('gives different settings hashes to different configurations, equal ones to equal', () => {
    expect(settingsHash(ibsiConfigC)).toMatch(/^[0-9a-f]{12}$/);
    expect(settingsHash({ ...ibsiConfigC })).toBe(settingsHash(ibsiConfigC));
    expect(settingsHash(ibsiConfigE)).not.toBe(settingsHash(ibsiConfigC));
  });
});
