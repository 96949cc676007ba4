import { describe, expect, it } from 'vitest';
import { loadHubConfig } from './config.js';

describe('loadHubConfig', () => {
  it('has the documented defaults and no credentials', () => {
    const c = loadHubConfig({});
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 7600,
      accessTokenTtlSec: 900,
      refreshTokenTtlSec: 30 * 86_400,
      leaseMs: 30_000,
      clockSkewMaxMs: 300_000,
      logLevel: 'info',
      corsOrigins: [],
    });
    expect(c.databaseUrl).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads FEDHUB_* variables, DATABASE_URL as a fallback, and lets overrides win', () => {
    const c = loadHubConfig(
      {
        FEDHUB_PORT: '0',
        FEDHUB_LEASE_MS: '1500',
        FEDHUB_CORS_ORIGINS: 'https://a.example, https://b.example',
        DATABASE_URL: 'postgres://x@y/z',
        FEDHUB_LOG_LEVEL: 'warn',
      },
      { logLevel: 'silent', host: undefined },
    );
    expect(c).toMatchObject({
      port: 0,
      leaseMs: 1500,
      databaseUrl: 'postgres://x@y/z',
      logLevel: 'silent',
      host: '127.0.0.1',
    });
    expect(c.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(
      loadHubConfig({ FEDHUB_DATABASE_URL: 'postgres://a/b', DATABASE_URL: 'postgres://c/d' }).databaseUrl,
    ).toBe('postgres://a/b');
  });

  it('names the variable of a bad setting', () => {
    expect(() => loadHubConfig({ FEDHUB_PORT: 'eighty' })).toThrow(/FEDHUB_PORT/);
    expect(() => loadHubConfig({}, { leaseMs: 5 })).toThrow(/leaseMs/);
    try {
      loadHubConfig({ FEDHUB_LOG_LEVEL: 'loud' });
    } catch (err) {
      expect((err as { code: string }).code).toBe('FH_ERR_VALIDATION');
    }
  });
});

describe('checkDictionaries', () => {
  it('is off unless FEDHUB_CHECK_DICTIONARIES is true or 1', () => {
    expect(loadHubConfig({}).checkDictionaries).toBe(false);
    expect(loadHubConfig({ FEDHUB_CHECK_DICTIONARIES: 'false' }).checkDictionaries).toBe(false);
    expect(loadHubConfig({ FEDHUB_CHECK_DICTIONARIES: 'true' }).checkDictionaries).toBe(true);
    expect(loadHubConfig({ FEDHUB_CHECK_DICTIONARIES: '1' }).checkDictionaries).toBe(true);
  });
});
