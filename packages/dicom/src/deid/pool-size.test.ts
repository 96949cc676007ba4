import { describe, expect, it } from 'vitest';
import { BYTES_PER_WORKER, FILES_PER_WORKER, poolSizeFor } from './pool.js';

const MiB = 1024 * 1024;

describe('poolSizeFor', () => {
  it('starts a worker per share of work, up to the idle cores', () => {
    // 600 CT slices, 303 MB: two workers' worth of work
    const ct = { files: 600, bytes: 303 * MiB };
    expect(poolSizeFor({ ...ct, cores: 2, load: 0 })).toBe(2);
    expect(poolSizeFor({ ...ct, cores: 16, load: 0 })).toBe(2);
    expect(poolSizeFor({ files: 6000, bytes: 3000 * MiB, cores: 16, load: 0 })).toBe(8);
    expect(poolSizeFor({ files: 6000, bytes: 3000 * MiB, cores: 16, load: 0, max: 4 })).toBe(4);
  });

  it('starts one worker when the cores are busy: another would only add its start-up and JIT warm-up', () => {
    expect(poolSizeFor({ files: 600, bytes: 303 * MiB, cores: 2, load: 20 })).toBe(1);
    expect(poolSizeFor({ files: 600, bytes: 303 * MiB, cores: 2, load: 1.2 })).toBe(1);
    expect(poolSizeFor({ files: 6000, bytes: 3000 * MiB, cores: 16, load: 13.5 })).toBe(2);
  });

  it('small folders get one worker; many small files count as work too', () => {
    expect(poolSizeFor({ files: 1, bytes: 500_000, cores: 8 })).toBe(1);
    expect(poolSizeFor({ files: 50, bytes: BYTES_PER_WORKER * 3, cores: 8 })).toBe(3);
    expect(poolSizeFor({ files: 2, bytes: BYTES_PER_WORKER * 3, cores: 8 })).toBe(2); // never more than files
    expect(poolSizeFor({ files: FILES_PER_WORKER * 3, bytes: 10 * MiB, cores: 8 })).toBe(3);
    expect(poolSizeFor({ files: 0, bytes: 0, cores: 8 })).toBe(1);
  });
});
