import {
  FieldError,
  Input,
  Label,
  Text,
  TextField as AriaTextField,
  type TextFieldProps as AriaTextFieldProps,
} from 'react-aria-components';

export interface TextFieldProps extends Omit<AriaTextFieldProps, 'children'> {
  label: string;
  description?: string;
}

/** A labelled input with its description and validation message tied to it for screen readers. */
export function TextField({ label, description, className, ...props }: TextFieldProps) {
  return (
    <AriaTextField {...props} className={`field${className ? ` ${className}` : ''}`}>
      <Label className="field-label">{label}</Label>
      <Input className="field-input" />
      {description && (
        <Text slot="description" className="field-description">
          {description}
        </Text>
      )}
      <FieldError className="field-error" />
    </AriaTextField>
  );
}
