import { Button as AriaButton, type ButtonProps as AriaButtonProps } from 'react-aria-components';

export interface ButtonProps extends AriaButtonProps {
  variant?: 'primary' | 'secondary' | 'quiet';
}

/** React Aria's button (keyboard, press and pending states handled), in the console's styles. */
export function Button({ variant = 'primary', className, ...props }: ButtonProps) {
  return <AriaButton {...props} className={`button button-${variant}${className ? ` ${className}` : ''}`} />;
}
