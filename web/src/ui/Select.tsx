import { Button, Label, ListBox, ListBoxItem, Popover, Select as AriaSelect, SelectValue } from 'react-aria-components';

export interface SelectOption {
  id: string;
  label: string;
}

/** React Aria's select (keyboard, screen reader and touch handled) in the console's styles. */
export function Select({
  label,
  options,
  value,
  onChange,
  isRequired,
  name,
}: {
  label: string;
  options: SelectOption[];
  /** Controlled when given; else the form reads it by `name`. */
  value?: string | null;
  onChange?: (id: string) => void;
  isRequired?: boolean;
  name?: string;
}) {
  return (
    <AriaSelect
      className="field select"
      {...(value !== undefined ? { selectedKey: value } : {})}
      onSelectionChange={(key) => key != null && onChange?.(String(key))}
      name={name}
      isRequired={isRequired}
      placeholder="Choose…"
    >
      <Label className="field-label">{label}</Label>
      <Button className="field-input select-button">
        <SelectValue />
        <span aria-hidden="true"> ▾</span>
      </Button>
      <Popover className="select-popover">
        <ListBox className="select-list">
          {options.map((o) => (
            <ListBoxItem key={o.id} id={o.id} className="select-item" textValue={o.label}>
              {o.label}
            </ListBoxItem>
          ))}
        </ListBox>
      </Popover>
    </AriaSelect>
  );
}
