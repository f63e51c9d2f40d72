/** The foot of a paginated list. */
export function LoadMore({ hasMore, loading, onClick, count, noun }: { hasMore: boolean; loading: boolean; onClick: () => void; count: number; noun: string }) {
  return (
    <div className="load-more">
      <span className="muted">
        {count} {noun} shown{hasMore ? '' : ' — that is all'}
      </span>
      {hasMore && (
        <button type="button" className="button" onClick={onClick} disabled={loading}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}
