import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { FedhubError } from '@fedhub/protocol';

/**
 * Every regular file under `paths` (files are taken as given, folders walked recursively), sorted by path so an
 * import sees files in the same order on every run. Hidden entries (`.name`) inside folders are skipped: they are
 * editor or OS droppings, never DICOM exports. Throws `FH_ERR_VALIDATION` naming a path that does not exist.
 */
export async function listInputFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(p);
    } catch (err) {
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `${p} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
    if (st.isDirectory()) out.push(...(await walk(p)));
    else if (st.isFile()) out.push(p);
    else throw new FedhubError('FH_ERR_VALIDATION', `${p} is neither a file nor a folder`);
  }
  return out;
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && !relative(dir, join(e.parentPath, e.name)).split(/[\\/]/).some(isHidden))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function isHidden(segment: string): boolean {
  return segment.startsWith('.');
}
