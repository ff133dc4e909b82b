import { forbiddenKeyInParams, forbiddenKeyPath, jsonDepthExceeds } from './body-guards';
import { loggableUrl, scrubMessage } from './logging';
import { currentRequest, requestIdOf, runInRequest } from './request-context';

const buf = (s: string) => Buffer.from(s, 'utf8');

describe('jsonDepthExceeds', () => {
  it('counts arrays and objects, not brackets inside strings (escaped quotes included)', () => {
    expect(jsonDepthExceeds(buf('[[[1]]]'), 3)).toBe(false);
    expect(jsonDepthExceeds(buf('[[[[1]]]]'), 3)).toBe(true);
    expect(jsonDepthExceeds(buf('{"a":"[[[[[[\\"{{{{"}'), 2)).toBe(false);
    expect(jsonDepthExceeds(buf('{"a":{"b":[]},"c":{"d":[]}}'), 3)).toBe(false);
    expect(jsonDepthExceeds(buf('['.repeat(50_000)), 32)).toBe(true);
  });
});

describe('forbidden keys', () => {
  it('finds __proto__, constructor and prototype at any depth, and only as keys', () => {
    expect(forbiddenKeyPath(JSON.parse('{"a":1,"__proto__":{}}'))).toBe('__proto__');
    expect(forbiddenKeyPath({ a: [{ b: { prototype: 1 } }] })).toBe('a.0.b.prototype');
    expect(forbiddenKeyPath({ text: '__proto__ constructor prototype' })).toBeNull();
    expect(forbiddenKeyInParams('a=1&b[constructor]=2')).toBe('b[constructor]');
    expect(forbiddenKeyInParams('a.__proto__.x=1')).toBe('a.__proto__.x');
    expect(forbiddenKeyInParams('Body=__proto__&From=%2B1555')).toBeNull();
  });
});

describe('logging helpers', () => {
  it('masks tokens in paths and every query value', () => {
    expect(loggableUrl('/c/abc.def-123')).toBe('/c/[token]');
    expect(loggableUrl('/u/tok/extra?x=1')).toBe('/u/[token]/extra?x=…');
    expect(loggableUrl('/v1/flags?status=open&q=ana%40example.com')).toBe('/v1/flags?status=…&q=…');
  });

  it('masks E.164 numbers and email addresses in messages, and leaves ids and dates alone', () => {
    expect(scrubMessage("The 'To' number +15005550001 is not valid; mail ana.ruiz+x@example.co.uk")).toBe("The 'To' number [phone] is not valid; mail [email]");
    const plain = 'Check-in 550e8400-e29b-41d4-a716-446655440000 due 2026-03-02T08:00:00Z';
    expect(scrubMessage(plain)).toBe(plain);
  });
});

describe('request context', () => {
  it('keeps a sane X-Request-Id, replaces anything else, and is there only inside a request', async () => {
    expect(requestIdOf('abc-123_x.y:z')).toBe('abc-123_x.y:z');
    for (const bad of ['', 'has space', 'a\nb', 'x'.repeat(129), ['a'], undefined]) expect(requestIdOf(bad)).toMatch(/^[0-9a-f-]{36}$/);
    expect(currentRequest()).toBeUndefined();
    await runInRequest({ requestId: 'r1' }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      expect(currentRequest()).toEqual({ requestId: 'r1' });
    });
  });
});
