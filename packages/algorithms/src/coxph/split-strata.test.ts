import { describe, expect, it } from 'vitest';
import { splitStrata } from './coxph.js';

describe('splitStrata accepts strata() as R does', () => {
  it('after the covariates, first, alone, and with several variables', () => {
    expect(splitStrata('Surv(t, d) ~ age + strata(centre)')).toEqual({
      formula: 'Surv(t, d) ~ age',
      strata: 'centre',
      columns: ['centre'],
    });
    expect(splitStrata('Surv(t, d) ~ strata(centre) + age + sex')).toEqual({
      formula: 'Surv(t, d) ~ age + sex',
      strata: 'centre',
      columns: ['centre'],
    });
    expect(splitStrata('Surv(t, d) ~ strata(centre)').formula).toBe('Surv(t, d) ~ 1');
    expect(splitStrata('Surv(t, d) ~ age + strata(centre, sex)')).toEqual({
      formula: 'Surv(t, d) ~ age',
      strata: 'centre, sex',
      columns: ['centre', 'sex'],
    });
    expect(splitStrata('Surv(t, d) ~ strata(centre) + age + strata(sex)').columns).toEqual(['centre', 'sex']);
    expect(splitStrata('Surv(t, d) ~ age').strata).toBeNull();
  });
});
