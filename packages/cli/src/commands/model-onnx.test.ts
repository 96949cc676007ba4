import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HubClient } from '@fedhub/sdk';
import { describe, expect, it } from 'vitest';
import { registerOnnx } from './model-onnx.js';

describe('fedhub model register --onnx, local files', () => {
  // the client is never reached: the file is read and checked before anything is sent
  const client = {} as HubClient;
  it('names a missing file in a validation error, not an internal one', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'fh-onnx-')), 'tox.onnx');
    await expect(
      registerOnnx(client, { onnx: missing, name: 'tox', version: '1', card: 'card.yaml' }),
    ).rejects.toMatchObject({
      code: 'FH_ERR_VALIDATION',
      message: expect.stringContaining(`${missing}: no such file`),
    });
  });
  it('says a folder is not an ONNX file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fh-onnx-'));
    await expect(
      registerOnnx(client, { onnx: dir, name: 'tox', version: '1', card: 'card.yaml' }),
    ).rejects.toMatchObject({ code: 'FH_ERR_VALIDATION', message: expect.stringContaining('is a folder') });
  });
});
