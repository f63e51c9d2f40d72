import { ReactNode, useEffect, useState } from 'react';
import { currentCatalog, loadCatalog } from '../lib/catalog';
import { Loading } from './States';

/** Renders the pages once the catalog has settled, so that every step is drawn with its kind's icon and title from the first paint. */
export function CatalogReady({ children }: { children: ReactNode }) {
  const [settled, setSettled] = useState(currentCatalog() !== undefined);
  useEffect(() => {
    if (!settled) void loadCatalog().then(() => setSettled(true));
  }, [settled]);
  return settled ? children : <Loading label="Loading…" />;
}
