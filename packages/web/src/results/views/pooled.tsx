/** Which nodes a pooled result came from (shared by the algorithm views). */

export function Pooled({ nodes }: { nodes: string[] }) {
  return (
    <p className="muted">
      Pooled over {nodes.length} nodes: {nodes.join(', ')}
    </p>
  );
}
