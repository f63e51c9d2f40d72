import { useEffect } from 'react';

/** "Runs · Hookflow". */
export function useDocumentTitle(title: string | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} · Hookflow` : 'Hookflow';
  }, [title]);
}
