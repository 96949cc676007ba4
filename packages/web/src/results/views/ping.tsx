/** The `ping` result: which nodes answered. */
import type { PingResult } from '@fedhub/protocol';

export function PingView({ r }: { r: PingResult }) {
  return (
    <p data-testid="ping">
      {r.nodes.length} node(s) answered: {r.nodes.join(', ')}
    </p>
  );
}
