import { useDocumentTitle } from '../ui/title';

// Placeholder for who is on call now and the week's rota (issue 11, practitioner pages).
export default function OnCallPage() {
  useDocumentTitle('On call');
  return (
    <>
      <h1>On call</h1>
      <p className="muted">Who is on call now and this week’s rota are coming to this page.</p>
    </>
  );
}
