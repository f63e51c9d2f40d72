/** The Hookflow mark: two steps and the edge between them. */
export function BrandMark() {
  return (
    <span className="brand__mark" aria-hidden="true">
      <svg viewBox="0 0 32 32">
        <path d="M9 10h5v5H9zM18 17h5v5h-5zM14 12.5h3.5a2 2 0 0 1 2 2V17" />
      </svg>
    </span>
  );
}
