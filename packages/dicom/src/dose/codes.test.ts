import { describe, expect, it } from 'vitest';
import { codeMatches } from './codes.js';

describe('codeMatches', () => {
  it('compares scheme designator and code value, never meaning', () => {
    expect(codeMatches({ scheme: 'DCM', value: '113819' }, [{ scheme: 'DCM', value: '113819' }])).toBe(true);
    expect(codeMatches({ scheme: 'DCM', value: '113819 ' }, [{ scheme: 'DCM', value: '113819' }])).toBe(true);
    expect(codeMatches({ scheme: '99GEMS', value: '113819' }, [{ scheme: 'DCM', value: '113819' }])).toBe(
      false,
    );
    expect(codeMatches(null, [{ scheme: 'DCM', value: '113819' }])).toBe(false);
  });
  it('treats SRT, SNM3 and 99SDM as one scheme and maps SRT to SCT equivalents', () => {
    expect(codeMatches({ scheme: 'SNM3', value: 'T-D3000' }, [{ scheme: 'SRT', value: 'T-D3000' }])).toBe(
      true,
    );
    expect(codeMatches({ scheme: 'SCT', value: '116152004' }, [{ scheme: 'SRT', value: 'P5-08001' }])).toBe(
      true,
    );
    expect(codeMatches({ scheme: 'SCT', value: '416775004' }, [{ scheme: 'SRT', value: 'R-FAB56' }])).toBe(
      true,
    );
    expect(codeMatches({ scheme: 'SCT', value: '818981001' }, [{ scheme: 'SCT', value: '113345001' }])).toBe(
      true,
    );
    expect(codeMatches({ scheme: 'SCT', value: 'T-D3000' }, [{ scheme: 'SRT', value: 'T-D3000' }])).toBe(
      false,
    );
    expect(codeMatches({ scheme: 'SCT', value: '416775004' }, [{ scheme: 'SRT', value: 'T-D3000' }])).toBe(
      false,
    );
  });
});
