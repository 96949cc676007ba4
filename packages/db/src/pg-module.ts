import { createRequire } from 'node:module';
import type pg from 'pg';

const require = createRequire(import.meta.url);
let loaded: typeof pg | undefined;

/**
 * The `pg` driver, loaded on first use: a hub on SQLite (and every command that only opens SQLite) does not
 * pay for loading it. `pg` is CommonJS, so it loads synchronously and `openDatabase` stays synchronous.
 */
export function pgModule(): typeof pg {
  loaded ??= require('pg') as typeof pg;
  return loaded;
}
