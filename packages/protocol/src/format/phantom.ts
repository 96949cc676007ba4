/**
 * CTDI phantoms as medical physicists write them: the 16 cm (head) and 32 cm (body) PMMA phantoms of
 * IEC 60601-2-44. Results carry the codes `head16` / `body32`; people read the diameter.
 */
const PHANTOMS: Readonly<Record<string, string>> = { head16: '16 cm', body32: '32 cm' };

/**
 * @example
 * phantomName('head16') // "16 cm"
 * phantomName('body32') // "32 cm"
 */
export function phantomName(code: string): string {
  return PHANTOMS[code] ?? code;
}
