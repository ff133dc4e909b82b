import { LoginThrottle } from './login-throttle';

describe('LoginThrottle', () => {
  it('blocks an account after the limit within the window, and lets it go after', () => {
    const th = new LoginThrottle(3, 1000);
    for (const t of [0, 10, 20]) th.fail('a', t);
    expect(th.isBlocked('a', 30)).toBe(true);
    expect(th.isBlocked('b', 30)).toBe(false);
    expect(th.isBlocked('a', 1011)).toBe(false);
  });
  it('forgets an account on success', () => {
    const th = new LoginThrottle(1, 1000);
    th.fail('a', 0);
    th.succeed('a');
    expect(th.isBlocked('a', 1)).toBe(false);
  });
  it('does not grow without bound on guessed emails', () => {
    const th = new LoginThrottle(10, 1000, 100);
    for (let i = 0; i < 1000; i++) th.fail(`guess-${i}`, i * 20);
    expect(th.size).toBeLessThanOrEqual(101);
  });
});
