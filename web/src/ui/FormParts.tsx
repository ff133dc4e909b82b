import { Alert } from './Alert';
import { Button } from './Button';
import { describeError } from './errors';

/**
 * What a refused form says above its fields: the API's messages that no field shows, or the
 * error in words when it named no field; with `checkFields`, that sentence when a field is
 * marked. Nothing when there is no error, or when every message stands at its field.
 */
export function RefusalAlert({ error, byField, other, checkFields }: { error: unknown; byField: Record<string, string>; other: string[]; checkFields?: string }) {
  const marked = Object.keys(byField).length > 0;
  return (
    <>
      {error != null && (other.length > 0 || !marked) && <Alert>{other.length ? other.join(' ') : describeError(error)}</Alert>}
      {checkFields && marked && <Alert>{checkFields}</Alert>}
    </>
  );
}

/** A form's two buttons: submit (pending while it runs) and a quiet one that leaves, e.g. a dialog's close. */
export function SubmitOrClose({ submit, isPending, close, onClose, className = 'page-actions' }: { submit: string; isPending?: boolean; close: string; onClose: () => void; className?: string }) {
  return (
    <div className={className}>
      <Button type="submit" isPending={isPending}>
        {submit}
      </Button>
      <Button variant="quiet" onPress={onClose}>
        {close}
      </Button>
    </div>
  );
}
