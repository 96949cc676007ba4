import { CT_DOSE_DATASET, ctDoseColumns } from '@fedhub/dicom';
import { describe, expect, it } from 'vitest';
import { DOSE_REGISTRY_COLUMNS, registryCsv, registryDictionaryColumns } from './registry-rows.js';
import { DOSE_REGISTRY_DATASET } from './registry-store.js';

describe('the dose registry writes the one ct_dose dataset', () => {
  it('its file columns, in order, are the ct_dose dictionary’s', () => {
    expect([...DOSE_REGISTRY_COLUMNS]).toEqual(ctDoseColumns().map((c) => c.name));
    expect(registryDictionaryColumns()).toEqual(ctDoseColumns());
    expect(DOSE_REGISTRY_DATASET).toBe(CT_DOSE_DATASET);
  });

  it('writes the header in that order', () => {
    expect(registryCsv([]).trim()).toBe(
      ctDoseColumns()
        .map((c) => c.name)
        .join(','),
    );
  });
});
