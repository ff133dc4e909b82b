import { checkPassword as isCommonPassword } from 'dumb-passwords';
import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';

/** NIST SP 800-63B: long enough, not absurdly long (scrypt cost), not a known-common one; no composition rules. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * Why a new password is refused, or null. `context` are words an attacker would try first
 * (the person's email, name, the service's name).
 */
export function passwordProblem(password: string, context: string[] = []): string | null {
  if (typeof password !== 'string') return 'password must be a string';
  // Length in characters as a person counts them (code points), as the guideline asks.
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `password must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `password must be at most ${PASSWORD_MAX_LENGTH} characters`;
  const lower = password.toLowerCase();
  // The list holds the 10,000 most common passwords; padding one with digits or symbols does not make it new.
  const core = lower.replace(/[^a-z]+$/, '').replace(/^[^a-z]+/, '');
  if (isCommonPassword(lower) || (core.length >= 4 && isCommonPassword(core))) {
    return 'password is one of the most commonly used passwords; choose another';
  }
  if (new Set(lower).size < 4 || isSequence(lower)) return 'password is too repetitive or sequential (e.g. "aaaa…", "1234…"); choose another';
  const words = ['aftercare', ...context.flatMap((c) => [c.toLowerCase(), c.split('@')[0].toLowerCase(), ...c.toLowerCase().split(/[@\s.]+/)])].filter((w) => w.length >= 4);
  const stripped = lower.replace(/[^a-z0-9]/g, '');
  if (words.some((w) => stripped === w.replace(/[^a-z0-9]/g, '') || lower.replace(/[^a-z]/g, '') === w.replace(/[^a-z]/g, ''))) {
    return 'password must not be your name, email or the service\'s name; choose another';
  }
  return null;
}

const RUNS = ['0123456789', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'qwertyuiopasdfghjklzxcvbnm'];

/** A run along the alphabet, the digits or the keyboard (either way, wrapping round): "123456789012" is no password. */
function isSequence(s: string): boolean {
  return RUNS.some((run) => {
    const cycle = run.repeat(Math.ceil(s.length / run.length) + 1);
    const back = [...cycle].reverse().join('');
    return cycle.includes(s) || back.includes(s);
  });
}

/**
 * A new password on a DTO: the policy above, with the object's `email` and `name` as context.
 * The message is the policy's own reason, named after the property.
 */
export function IsNewPassword(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isNewPassword',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown, args?: ValidationArguments) => passwordProblem(value as string, contextOf(args?.object)) === null,
        defaultMessage: (args?: ValidationArguments) =>
          (passwordProblem(args?.value as string, contextOf(args?.object)) ?? 'password is not acceptable').replace(/^password/, args?.property ?? 'password'),
      },
    });
}

function contextOf(o: unknown): string[] {
  const r = (o ?? {}) as Record<string, unknown>;
  return [r.email, r.name].filter((v): v is string => typeof v === 'string');
}
