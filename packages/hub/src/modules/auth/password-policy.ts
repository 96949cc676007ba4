/**
 * Password policy beyond length (issue 15, item 12): no password from the 10,000 most common ones, nor
 * one of them with digits or symbols around it (`Password2024!`), nor a short run repeated
 * (`abcabcabcabc`), nor the user's own name. The length rule (12 to 1024) is in the request schemas.
 */
import { FedhubError } from '@fedhub/protocol';
import { COMMON_PASSWORDS_TEXT } from './common-passwords.js';

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(COMMON_PASSWORDS_TEXT.split('\n'));
  return common;
}

/** Why `password` is too easy to guess, or undefined when it passes. */
export function weakPasswordReason(password: string, username?: string): string | undefined {
  const lower = password.toLowerCase();
  const list = commonPasswords();
  if (list.has(lower)) return 'it is one of the 10,000 most common passwords';
  const core = lower.replace(/^[^a-z]+|[^a-z]+$/g, '');
  if (core.length >= 4 && list.has(core)) return `it is the common password "${core}" with characters added`;
  const words = lower.split(/[^a-z0-9]+/).filter(Boolean);
  if (words.length > 1 && words.every((w) => list.has(w) && w.length <= 4))
    return 'it is made of very common short words';
  if (/^(.{1,4})\1+$/.test(lower)) return 'it repeats a short sequence';
  if (username && username.length >= 3 && lower.includes(username.toLowerCase()))
    return 'it contains the user name';
  return undefined;
}

/** Throws 400 FH_ERR_VALIDATION naming `field` when the password is too easy to guess. */
export function requireStrongPassword(password: string, field: string, username?: string): void {
  const reason = weakPasswordReason(password, username);
  if (reason)
    throw new FedhubError('FH_ERR_VALIDATION', `${field}: the password is too easy to guess: ${reason}`, {
      fields: [{ path: field, message: `too easy to guess: ${reason}` }],
    });
}
