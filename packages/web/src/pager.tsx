/** Client-side paging for long lists (1,000 tasks or audit entries render 50 at a time). */
import { useState } from 'react';

/** The current page of `items` and a pager control. */
export function usePage<T>(items: readonly T[], pageSize = 50, label = 'Pages') {
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(items.length / pageSize));
  const p = Math.min(page, pages - 1);
  const slice = items.slice(p * pageSize, (p + 1) * pageSize);
  const control = (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={p === 0} onClick={() => setPage(p - 1)}>
        Previous
      </button>
      <span aria-live="polite">
        Page {p + 1} of {pages} ({items.length} items)
      </span>
      <button type="button" disabled={p >= pages - 1} onClick={() => setPage(p + 1)}>
        Next
      </button>
    </nav>
  );
  return { slice, control, setPage };
}
