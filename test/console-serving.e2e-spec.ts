import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { configureApp } from '../src/app.module';
import { ConsoleController } from '../src/console/console.controller';
import { ConsoleFiles } from '../src/console/console-files';
import { createTestApp, TestApp } from './support/app';
import { BUILD_TIMEOUT_MS, CONSOLE_DIR, ensureConsoleBuilt } from './support/console-build';

describe('The console is served under /app', () => {
  let t: TestApp;
  beforeAll(async () => {
    ensureConsoleBuilt();
    t = await createTestApp();
    // Room for building the console when dist/web is missing or stale (a fresh clone in CI).
  }, BUILD_TIMEOUT_MS);
  afterAll(() => t.close());

  it('serves index.html, not cached, with a content security policy, for /app and every client route', async () => {
    for (const url of ['/app', '/app/', '/app/login', '/app/flags/5f0c6c1e-0000-4000-8000-000000000000', '/app/patients?q=ana']) {
      const res = await t.http.get(url).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.text).toContain('<div id="root"></div>');
      expect(res.text).toMatch(/src="\/app\/assets\/index-[\w-]+\.js"/);
    }
  });

  it('serves hashed assets for a year, immutable, and 404s an asset that is not there', async () => {
    const js = readdirSync(path.join(CONSOLE_DIR, 'assets')).find((f) => f.endsWith('.js'))!;
    const res = await t.http.get(`/app/assets/${js}`).expect(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const missing = await t.http.get('/app/assets/index-gone1234.js').expect(404);
    expect(missing.headers['cache-control']).toBe('no-store');
  });

  it('never serves a file outside the build', async () => {
    for (const url of ['/app/..%2Fpackage.json', '/app/assets/..%2F..%2F..%2Fpackage.json', '/app/%2e%2e/%2e%2e/package.json']) {
      const res = await t.http.get(url);
      expect(res.text).not.toContain('"devDependencies"');
    }
    await t.http.get('/app/.vite/manifest.json').expect(404);
  });

  it('leaves the API as it was: /v1 answers JSON, /health is up', async () => {
    const res = await t.http.get('/v1/flags').expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    await t.http.get('/v1/no-such-route').expect(404);
    await t.http.get('/health').expect(200);
  });
});

describe('Without a built console', () => {
  let app: INestApplication;
  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ConsoleController],
      providers: [{ provide: ConsoleFiles, useValue: new ConsoleFiles(path.join(CONSOLE_DIR, 'not-built-here')) }],
    }).compile();
    // The controller alone: configureApp needs the whole AppModule (config, metrics, logger).
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });
  afterAll(() => app.close());

  it('answers /app with a 503 page that says to run npm run build', async () => {
    for (const url of ['/app', '/app/login', '/app/assets/index-abc.js']) {
      const res = await request(app.getHttpServer()).get(url).expect(503);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('The console is not built');
      expect(res.text).toContain('npm run build');
    }
  });
});
