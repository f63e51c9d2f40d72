import { EmptyState } from '../components/States';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { Link } from '../lib/router';

export function NotFoundPage() {
  useDocumentTitle('Not found');
  return (
    <EmptyState title="Nothing here" action={<Link to="/workflows">Go to the workflows</Link>}>
      This page does not exist in the console.
    </EmptyState>
  );
}
