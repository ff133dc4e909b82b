import { passwordProblem } from './password-policy';

describe('passwordProblem', () => {
  it.each([
    ['short-one', 'at least 12 characters'],
    ['x'.repeat(129), 'at most 128 characters'],
    ['iloveyou', 'at least 12'],
    ['password1234', 'most commonly used'],
    ['!!Superman2024', 'most commonly used'],
    ['aaaaaaaaaaaaaa', 'repetitive or sequential'],
    ['121212121212', 'repetitive or sequential'],
    ['123456789012', 'repetitive or sequential'],
    ['qwertyuiopasdf', 'repetitive or sequential'],
    ['zyxwvutsrqponm', 'repetitive or sequential'],
  ])('refuses %j (%s)', (pw, why) => {
    expect(passwordProblem(pw)).toContain(why);
  });

  it('refuses the person\'s own email or name, and the service name', () => {
    expect(passwordProblem('maria.lopez@clinic.example', ['maria.lopez@clinic.example'])).toContain('name, email');
    expect(passwordProblem('Aftercare-2026!', [])).toContain('name, email');
    expect(passwordProblem('Maria Lopez 1990', ['Maria Lopez'])).toContain('name, email');
  });

  it('accepts long passphrases without composition rules, counting characters not bytes', () => {
    expect(passwordProblem('correct-horse-battery-staple')).toBeNull();
    expect(passwordProblem('all lower case words here')).toBeNull();
    expect(passwordProblem('ñandú pingüino')).toBeNull();
    expect(passwordProblem('🙂'.repeat(3) + 'tres-palabras')).toBeNull();
    expect(passwordProblem('a-quiet-river-bends-'.repeat(6) + 'eightchr')).toBeNull();
  });
});
