import { describe, expect, it } from 'vitest';
import { weakPasswordReason } from './password-policy.js';

describe('password policy', () => {
  it('refuses common passwords, decorated or repeated, and the user name', () => {
    for (const p of [
      'password1234',
      'Password2024!',
      'qwertyuiop123',
      '123qweasdzxc',
      '!!!iloveyou!!!',
      'abcabcabcabc',
    ])
      expect(weakPasswordReason(p), p).toBeDefined();
    expect(weakPasswordReason('dr-jansen-2024!', 'jansen')).toMatch(/user name/);
    expect(weakPasswordReason('monkeydragon1234')).toBeUndefined();
    for (const p of ['a long enough password', 'correct horse battery staple', 'Vg7#pQ2!mZ9@xL4$'])
      expect(weakPasswordReason(p), p).toBeUndefined();
  });
});
