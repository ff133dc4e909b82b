import { useState } from 'react';
import { Button } from '../ui/Button';

/** A secret shown once: the value in a labelled, selectable box and a button that copies it. */
export function CopyValue({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };
  return (
    <div className="copy-value">
      <span className="field-label" id={`copy-${label.replace(/\W+/g, '-')}`}>
        {label}
      </span>
      <output className="secret" aria-labelledby={`copy-${label.replace(/\W+/g, '-')}`} data-testid="secret">
        {value}
      </output>
      <div className="copy-row">
        <Button variant="secondary" onPress={() => void copy()}>
          Copy
        </Button>
        <span role="status" className="muted">
          {copied === 'yes' ? 'Copied.' : copied === 'no' ? 'The browser did not allow copying: select the text and copy it.' : ''}
        </span>
      </div>
    </div>
  );
}
