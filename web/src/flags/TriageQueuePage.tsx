import { useStaff } from '../ui/staff';
import { useDocumentTitle } from '../ui/title';

// Placeholder for the triage queue (issue 11, practitioner pages).
export default function TriageQueuePage() {
  useDocumentTitle('Triage queue');
  const staff = useStaff();
  return (
    <>
      <h1>Triage queue</h1>
      <p className="muted">Signed in as {staff.name}. The queue of open cases is coming to this page.</p>
    </>
  );
}
