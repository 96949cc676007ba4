import { HubRequestError } from '@fedhub/sdk';
import { describe, expect, it } from 'vitest';
import { errorText } from './context.js';

describe('errorText', () => {
  it('names the fields of a request the schema refused, without JSON paths', () => {
    const e = new HubRequestError(400, {
      code: 'FH_ERR_VALIDATION',
      message: 'invalid request: body.password: Too small: expected string to have >=12 characters',
      details: {
        fields: [{ path: 'body.password', message: 'Too small: expected string to have >=12 characters' }],
      },
    });
    expect(errorText(e)).toBe('Please check password: Too small: expected string to have >=12 characters');
  });
  it('keeps the code of other refusals (a data officer looks it up)', () => {
    const e = new HubRequestError(403, {
      code: 'FH_ERR_OUTSIDE_STUDY',
      message: 'bmi is not a study variable',
    });
    expect(errorText(e)).toBe('FH_ERR_OUTSIDE_STUDY: bmi is not a study variable');
    expect(errorText(new Error('offline'))).toBe('offline');
  });
});
