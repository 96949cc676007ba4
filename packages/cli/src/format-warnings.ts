/**
 * The coded warnings a result carries (FH_WARN_*), as R prints its `Warning message:` lines.
 */

/** Lines for a result's `warnings` array; none when it has none. */
export function formatWarnings(result: unknown): string[] {
  const ws = (result as { warnings?: unknown } | null)?.warnings;
  if (!Array.isArray(ws) || ws.length === 0) return [];
  return [
    '',
    ...ws.map((w) => {
      const { code, message } = w as { code?: string; message?: string };
      return `Warning (${code ?? 'FH_WARN'}): ${message ?? ''}`;
    }),
  ];
}
