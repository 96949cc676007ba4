import { describe, expect, it } from 'vitest';
import { insecureCredentialUrl, isLoopbackHost } from './transport-security.js';

describe('credentials only over https outside loopback', () => {
  it('refuses http:// to another host unless explicitly allowed', () => {
    expect(insecureCredentialUrl('https://hub.example.org')).toBeUndefined();
    expect(insecureCredentialUrl('http://127.0.0.1:7600')).toBeUndefined();
    expect(insecureCredentialUrl('http://localhost:7600')).toBeUndefined();
    expect(insecureCredentialUrl('http://[::1]:7600')).toBeUndefined();
    expect(insecureCredentialUrl('http://hub.example.org')).toMatch(/in clear/);
    expect(insecureCredentialUrl('http://10.0.0.5/dicom-web')).toMatch(/in clear/);
    expect(insecureCredentialUrl('http://127.evil.example')).toMatch(/in clear/);
    expect(insecureCredentialUrl('http://hub.example.org', true)).toBeUndefined();
    expect(insecureCredentialUrl('ftp://hub.example.org')).toMatch(/scheme/);
    expect(isLoopbackHost('127.1.2.3')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
  });
});
