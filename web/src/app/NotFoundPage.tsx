import { Link } from 'react-router';
import { useDocumentTitle } from '../ui/title';

export function NotFoundPage() {
  useDocumentTitle('Page not found');
  return (
    <main id="main" className="narrow">
      <h1>Page not found</h1>
      <p>There is no page at this address in the Aftercare console. The link may be mistyped or out of date.</p>
      <p>
        <Link to="/">Go to the triage queue</Link>
      </p>
    </main>
  );
}
