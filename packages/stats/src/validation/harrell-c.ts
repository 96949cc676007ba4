/**
 * Harrell's C of a frozen score for survival outcomes: the binned concordance partial of the Cox
 * module, exact when the score is reported on its declared grid (see `ScoreGrid`). Aliases so that
 * validation code reads naturally.
 */
export {
  concordanceFromPartial as harrellCFromPartial,
  concordanceLocalPartial as harrellCLocalPartial,
} from '../cox/concordance.js';
