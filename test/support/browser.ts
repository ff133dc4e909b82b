import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from './app';
import { BUILD_TIMEOUT_MS, ensureConsoleBuilt } from './console-build';

/** Debian's Chromium; .ci/run installs it (apt-get install chromium) when it is missing. */
export const CHROMIUM = '/usr/bin/chromium';
/** Where the tests write screenshots (named in the README). */
export const SCREENSHOTS = path.resolve(__dirname, '../screenshots');
export const PHONE = { width: 375, height: 812 };
export const DESKTOP = { width: 1280, height: 800 };

const chromiumMissing = !existsSync(CHROMIUM);
const inCi = process.env.CI === 'true' || process.env.CI === '1';

/**
 * `describe` for tests in a real browser. Without Chromium they are skipped with a message on a
 * developer's machine; in CI (CI=true) they run and fail, so a missing browser is never a green run.
 */
export function describeInBrowser(name: string, fn: () => void): void {
  if (chromiumMissing && !inCi) {
    describe.skip(`${name} [skipped: ${CHROMIUM} is missing; install it with: apt-get install -y chromium]`, fn);
    // eslint-disable-next-line no-console
    console.warn(`Browser tests "${name}" skipped: ${CHROMIUM} is missing (apt-get update && apt-get install -y chromium).`);
    return;
  }
  describe(name, fn);
}

/** Headless Chromium with the flags this machine needs (no sandbox as root, no calls out). */
export async function launchBrowser(): Promise<Browser> {
  if (chromiumMissing) throw new Error(`${CHROMIUM} is missing and CI=true: .ci/run installs it with apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The real service (createTestApp) listening on 127.0.0.1 with the built console, its
 * PUBLIC_BASE_URL being that address, so the browser's Origin passes the CSRF check and the
 * cookies are not Secure-only over plain HTTP. Returns the app and the origin to browse.
 */
export async function startConsoleApp(opts: Omit<Parameters<typeof createTestApp>[0], 'publicBaseUrl'> = {}): Promise<{ t: TestApp; origin: string }> {
  ensureConsoleBuilt();
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const t = await createTestApp({ ...opts, publicBaseUrl: origin });
  await t.app.listen(port, '127.0.0.1');
  return { t, origin };
}

/** A page in a fresh context (its own cookies) at a phone's or a desktop's width. */
export async function newPage(browser: Browser, baseURL: string, viewport: { width: number; height: number } = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport, locale: 'en-GB', timezoneId: 'Europe/Madrid' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err.stack ?? err)));
  errorsOf.set(page, errors);
  return page;
}

const errorsOf = new WeakMap<Page, string[]>();

/** Uncaught errors the page's JavaScript threw so far: a test expects none. */
export function pageErrors(page: Page): string[] {
  return errorsOf.get(page) ?? [];
}

const cspOf = new WeakMap<Page, string[]>();

/**
 * Starts collecting what the browser reports about the page's Content-Security-Policy (its
 * console messages and securitypolicyviolation events), for `cspViolations`. A browserSuite
 * hook: `browserSuite(opts, { onPage: watchCsp })`.
 */
export async function watchCsp(page: Page): Promise<void> {
  const violations: string[] = [];
  cspOf.set(page, violations);
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  await page.addInitScript('document.addEventListener("securitypolicyviolation", (e) => console.error("Refused to (CSP event) " + e.violatedDirective + " " + e.blockedURI));');
}

/** The CSP violations a watched page (`watchCsp`) reported so far, as they come: a test expects none. */
export function cspViolations(page: Page): string[] {
  const violations = cspOf.get(page);
  if (!violations) throw new Error('cspViolations: the page is not watched (watchCsp)');
  return violations;
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * Runs axe-core on the page as it is now and fails on any serious or critical violation (WCAG
 * 2.x A and AA rules and axe's best practices), listing each with the elements it found.
 */
export async function axe(page: Page): Promise<void> {
  // evaluate() is not subject to the page's Content-Security-Policy (a script tag would be).
  // Expressions as strings: the tests compile without the DOM's types.
  if (!(await page.evaluate<boolean>('typeof window.axe !== "undefined"'))) await page.evaluate(AXE_SOURCE);
  // Not checked: React Aria's hidden live announcer, whose message may point at a button the
  // page has since removed (a pending "Sign in" announced just before the page changed).
  const violations = await page.evaluate<AxeViolation[]>(
    'window.axe.run({ exclude: [["[data-live-announcer]"]] }, { resultTypes: ["violations"] }).then((r) => r.violations)',
  );
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (serious.length) {
    const lines = serious.map(
      (v) => `- ${v.impact} ${v.id}: ${v.help} (${v.helpUrl})\n${v.nodes.map((n) => `    at ${JSON.stringify(n.target)}: ${n.failureSummary ?? ''}`).join('\n')}`,
    );
    throw new Error(`axe-core found ${serious.length} serious or critical violation(s) on ${page.url()}:\n${lines.join('\n')}`);
  }
}

/** A full-page screenshot written to test/screenshots/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
  return file;
}

/** The focused element's outline, to check that keyboard focus is visible. */
export async function focusOutline(page: Page): Promise<{ tag: string; label: string; outline: string; width: number }> {
  return page.evaluate(`(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {
      tag: el.tagName.toLowerCase(),
      label: el.getAttribute('aria-label') ?? (el.textContent.trim() || el.name || ''),
      outline: style.outlineStyle,
      width: parseFloat(style.outlineWidth),
    };
  })()`);
}

/**
 * The set-up every console browser test shares, for inside `describeInBrowser`: the real service
 * with the built console (started in beforeAll, with room to build it), one Chromium, and
 * `open()` for a page in a fresh context; after each test every opened page is checked for
 * uncaught errors and closed. Read `suite.t` and `suite.origin` from a test or a later beforeAll.
 * `hooks.onPage` runs on every page `open()` makes, before it is returned (to listen to it, say).
 */
export function browserSuite(opts: Parameters<typeof startConsoleApp>[0] = {}, hooks: { onPage?: (page: Page) => void | Promise<void> } = {}) {
  const pages: Page[] = [];
  const suite = {
    t: undefined as unknown as TestApp,
    browser: undefined as unknown as Browser,
    origin: '',
    /** A page in a fresh context (its own cookies) at a phone's or a desktop's width; `hooks.onPage` has seen it. */
    async open(viewport: { width: number; height: number } = DESKTOP): Promise<Page> {
      const page = await newPage(suite.browser, suite.origin, viewport);
      pages.push(page);
      await hooks.onPage?.(page);
      return page;
    },
  };
  beforeAll(async () => {
    ({ t: suite.t, origin: suite.origin } = await startConsoleApp(opts));
    suite.browser = await launchBrowser();
  }, BUILD_TIMEOUT_MS);
  afterEach(async () => {
    for (const page of pages.splice(0)) {
      expect(pageErrors(page)).toEqual([]);
      await page.context().close();
    }
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.t?.close();
  });
  return suite;
}

/**
 * Fills in and sends the sign-in form at /app/login, asking to go on to `path` (with or without
 * its /app prefix; the queue by default), without waiting for where it lands: a staff member
 * with a temporary password lands on the password page, which has no navigation.
 */
export async function submitSignIn(page: Page, who: { email: string; password: string }, path = '/app/queue'): Promise<void> {
  await page.goto(`/app/login?next=${encodeURIComponent(path.replace(/^\/app/, ''))}`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs a staff member in at /app/login and lands on `path` (the queue by default), the console's navigation shown. */
export async function signIn(page: Page, who: { email: string; password: string }, path = '/app/queue'): Promise<void> {
  await submitSignIn(page, who, path);
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}
