import { isRouteErrorResponse, useRouteError } from 'react-router';
import { Button } from '../ui/Button';
import { useDocumentTitle } from '../ui/title';

/** A page that failed to load or crashed. A chunk that no longer exists means a new version was deployed. */
export function RouteError() {
  const error = useRouteError();
  useDocumentTitle('Something went wrong');
  const missingChunk = error instanceof TypeError && /dynamically imported module|Importing a module script/i.test(error.message);
  return (
    <main id="main" className="narrow">
      <h1>{missingChunk ? 'Aftercare has been updated' : 'Something went wrong'}</h1>
      <p role="alert">
        {missingChunk
          ? 'A new version of the console is available, or the connection dropped while this page was loading. Reload to continue.'
          : isRouteErrorResponse(error)
            ? `${error.status} ${error.statusText}`
            : 'This page stopped working. Reload it; if it happens again, tell your administrator what you were doing.'}
      </p>
      <Button onPress={() => window.location.reload()}>Reload</Button>
    </main>
  );
}
