/**
 * The `--params` option of `run`, `simulate` and `model`: inline JSON or `@file.json`. A module of its own
 * so that `fedhub simulate` reads it without importing the `run` command's modules (the SDK, the result
 * formatting) before its files start loading.
 */
import { FedhubError, type Json } from '@fedhub/protocol';

/** Parses --params: inline JSON, or @file. */
export async function parseParams(text: string): Promise<Json> {
  let source = text;
  if (text.startsWith('@')) {
    const { readFile } = await import('node:fs/promises');
    source = await readFile(text.slice(1), 'utf8');
  }
  try {
    return JSON.parse(source) as Json;
  } catch (err) {
    throw new FedhubError('FH_ERR_BAD_PARAMS', `--params is not valid JSON: ${(err as Error).message}`);
  }
}
