import { useDocumentTitle } from '../ui/title';

// Placeholder for finding a patient and recording care (issue 11, practitioner pages).
export default function PatientsPage() {
  useDocumentTitle('Patients');
  return (
    <>
      <h1>Patients</h1>
      <p className="muted">Finding a patient and recording care are coming to this page.</p>
    </>
  );
}
