import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNodeConfig } from '../config.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-dicom-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const base = { hub: { url: 'https://hub.example.org' }, dataDir: './data' };

describe('node config dicom section', () => {
  it('fills defaults under dataDir and builds the de-identification options', () => {
    const c = parseNodeConfig(
      {
        ...base,
        dicom: { listener: { aeTitle: 'FEDHUB', port: 11112, allowedCallingAeTitles: ['PACS01 '] } },
      },
      dir,
    );
    const d = c.resolvedDicom;
    expect(d?.storeDir).toBe(join(dir, 'data', 'dicom-store'));
    expect(d?.keyFile).toBe(join(dir, 'data', 'dicom-project.key'));
    expect(d?.doseRegistryDir).toBe(join(dir, 'data', 'dose-registry'));
    expect(d?.deidOptions.retainLongitudinal).toBe('modified');
    expect(d?.listener).toMatchObject({ host: '127.0.0.1', allowedCallingAeTitles: ['PACS01'] });
    expect(d?.listener?.acceptedSopClasses).toContain('1.2.840.10008.5.1.4.1.1.481.3');
    expect(parseNodeConfig(base, dir).resolvedDicom).toBeUndefined();
  });

  it('reads DICOMweb secrets from files into an Authorization header', () => {
    writeFileSync(join(dir, 'pw'), 'p@ss\n');
    writeFileSync(join(dir, 'tok'), 'abc.def\n');
    const c = parseNodeConfig(
      {
        ...base,
        dicom: {
          dicomweb: [
            {
              name: 'a',
              url: 'https://pacs/dicom-web/',
              auth: { type: 'basic', username: 'u', passwordFile: 'pw' },
            },
            { name: 'b', url: 'https://pacs2/dw', auth: { type: 'bearer', tokenFile: 'tok' } },
          ],
        },
      },
      dir,
    );
    expect(c.resolvedDicom?.dicomweb).toEqual([
      {
        name: 'a',
        url: 'https://pacs/dicom-web',
        timeoutMs: 120000,
        authorization: `Basic ${Buffer.from('u:p@ss').toString('base64')}`,
      },
      { name: 'b', url: 'https://pacs2/dw', timeoutMs: 120000, authorization: 'Bearer abc.def' },
    ]);
  });

  it('names what is wrong', () => {
    const bad = (dicom: unknown) => () => parseNodeConfig({ ...base, dicom }, dir, 'node.yaml');
    expect(bad({ listener: { aeTitle: 'A\\B', port: 104, allowedCallingAeTitles: ['X'] } })).toThrow(
      /node.yaml: dicom.listener.aeTitle/,
    );
    expect(bad({ listener: { aeTitle: 'A', port: 104, allowedCallingAeTitles: [] } })).toThrow(
      /dicom.listener.allowedCallingAeTitles/,
    );
    expect(bad({ deidentification: { options: ['retain-everything'] } })).toThrow(
      /dicom.deidentification.options/,
    );
    expect(
      bad({
        dicomweb: [{ name: 'a', url: 'http://pacs.example.org/dw', auth: { type: 'bearer', token: 't' } }],
      }),
    ).toThrow(/in clear/);
    expect(bad({ dicomweb: [{ name: 'a', url: 'https://u:p@pacs/dw' }] })).toThrow(/credentials under auth/);
    // the node token would travel in clear to a hub elsewhere over http://
    expect(() =>
      parseNodeConfig({ ...base, hub: { url: 'http://hub.example.org' } }, dir, 'node.yaml'),
    ).toThrow(/hub.url: http:\/\/ to a host other than this machine/);
    expect(
      parseNodeConfig(
        { ...base, hub: { url: 'http://hub.example.org', allowInsecureHttp: true } },
        dir,
        'n.yaml',
      ).hub.url,
    ).toBe('http://hub.example.org');
    expect(
      bad({
        dicomweb: [
          { name: 'a', url: 'https://pacs/dw' },
          { name: 'a', url: 'https://pacs/dw2' },
        ],
      }),
    ).toThrow(/"a" is declared twice/);
    expect(
      bad({ dicomweb: [{ name: 'a', url: 'https://pacs/dw', auth: { type: 'basic', username: 'u' } }] }),
    ).toThrow(/secret is missing/);
  });
});
