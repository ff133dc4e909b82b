import { useState, type FormEvent, type ReactNode } from 'react';
import { Dialog, DialogTrigger, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { describeError } from '../ui/errors';
import { SubmitOrClose } from '../ui/FormParts';
import { Select } from '../ui/Select';

/**
 * A button that opens a modal form (React Aria: focus kept inside, Escape closes, focus goes back).
 * `submit` runs the action; its error is shown in the API's words and the dialog stays open.
 * `hidden` hides the button, but a dialog already open stays open: when a colleague acts first
 * (the page refetches on their change), the person keeps what they typed and, on sending, reads
 * the API's 409 in words ("already resolved by Dr X at 10:42") instead of losing the dialog.
 */
export function ActionDialog({
  label,
  title,
  submitLabel,
  variant = 'secondary',
  submit,
  children,
  isDisabled,
  hidden,
}: {
  label: string;
  title: string;
  submitLabel: string;
  variant?: 'primary' | 'secondary' | 'quiet';
  submit: (form: FormData) => Promise<unknown>;
  children: ReactNode;
  isDisabled?: boolean;
  hidden?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  if (hidden && !open) return null;

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setPending(true);
    setError(null);
    try {
      await submit(new FormData(e.currentTarget));
      setOpen(false);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setPending(false);
    }
  };

  return (
    <DialogTrigger isOpen={open} onOpenChange={(o) => { setOpen(o); if (o) setError(null); }}>
      <Button variant={variant} isDisabled={isDisabled}>
        {label}
      </Button>
      <ModalOverlay className="modal-overlay" isDismissable>
        <Modal className="modal">
          <Dialog aria-label={title}>
            {({ close }) => (
              <form onSubmit={onSubmit}>
                <Heading slot="title">{title}</Heading>
                {error && <Alert>{error}</Alert>}
                {children}
                <SubmitOrClose className="modal-buttons" submit={submitLabel} isPending={pending} close="Cancel" onClose={close} />
              </form>
            )}
          </Dialog>
        </Modal>
      </ModalOverlay>
    </DialogTrigger>
  );
}

/** A labelled textarea or input inside a dialog form. */
export function Field({ name, label, textarea, type = 'text', required, min, max, description }: {
  name: string;
  label: string;
  textarea?: boolean;
  type?: string;
  required?: boolean;
  min?: number;
  max?: number;
  description?: string;
}) {
  const id = `field-${name}`;
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {textarea ? (
        <textarea id={id} name={name} className="field-input" required={required} aria-describedby={description ? `${id}-d` : undefined} />
      ) : (
        <input id={id} name={name} type={type} className="field-input" required={required} min={min} max={max} aria-describedby={description ? `${id}-d` : undefined} />
      )}
      {description && (
        <span id={`${id}-d`} className="field-description">
          {description}
        </span>
      )}
    </div>
  );
}

/** A required choice in a dialog form (React Aria's select; FormData reads it by name). */
export function Choice({ name, label, options, required = true }: { name: string; label: string; options: Array<{ id: string; label: string }>; required?: boolean }) {
  return <Select name={name} label={label} options={options} isRequired={required} />;
}
