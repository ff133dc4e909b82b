import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A local HTTP server in front of an S3-compatible store (s3rver) that checks each request's
 * AWS Signature Version 4 the way S3 does, computed here by hand from the request as it arrived
 * (canonical request, string to sign, derived key): a request signed with other credentials, or
 * whose body does not match its signed payload hash, is refused 403 SignatureDoesNotMatch.
 * s3rver itself does not check V4 signatures, so without this the signing would go untested.
 * Checked requests go on to the store without their Authorization header.
 */
export class S3SigningCheck {
  readonly checked: Array<{ method: string; path: string; ok: boolean; why?: string }> = [];
  private server!: http.Server;
  port = 0;

  constructor(
    private readonly upstream: { host: string; port: number },
    private readonly credentials: { accessKeyId: string; secretAccessKey: string; region: string },
  ) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  /** Why the request's signature is wrong, or null when it is right. */
  verify(req: http.IncomingMessage, body: Buffer): string | null {
    const auth = req.headers.authorization ?? '';
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) return 'no SigV4 Authorization header';
    const [, accessKeyId, date, region, signedHeaders, signature] = m;
    if (accessKeyId !== this.credentials.accessKeyId) return 'unknown access key';
    if (region !== this.credentials.region) return 'wrong region';
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    if (!amzDate.startsWith(date)) return 'x-amz-date does not match the credential scope';
    const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
    if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== createHash('sha256').update(body).digest('hex')) return 'the body does not match x-amz-content-sha256';
    const names = signedHeaders.split(';');
    if (!names.includes('host') || !names.includes('x-amz-date')) return 'host and x-amz-date must be signed';
    const [rawPath, rawQuery = ''] = (req.url ?? '/').split('?');
    const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
    const query = rawQuery
      ? rawQuery
          .split('&')
          .filter(Boolean)
          .map((kv) => {
            const i = kv.indexOf('=');
            const k = decodeURIComponent(i < 0 ? kv : kv.slice(0, i));
            const v = i < 0 ? '' : decodeURIComponent(kv.slice(i + 1).replace(/\+/g, '%20'));
            return [enc(k), enc(v)] as const;
          })
          .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
          .map(([k, v]) => `${k}=${v}`)
          .join('&')
      : '';
    const headerValue = (name: string) => {
      const v = req.headers[name];
      return (Array.isArray(v) ? v.join(',') : (v ?? '')).trim().replace(/\s+/g, ' ');
    };
    const canonical = [req.method, rawPath, query, names.map((n) => `${n}:${headerValue(n)}\n`).join(''), signedHeaders, payloadHash].join('\n');
    const scope = `${date}/${region}/s3/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
    const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
    const key = hmac(hmac(hmac(hmac('AWS4' + this.credentials.secretAccessKey, date), region), 's3'), 'aws4_request');
    const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
    return expected === signature ? null : 'signature does not match';
  }

  private handle(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    const why = this.verify(req, body);
    this.checked.push({ method: req.method ?? '', path: req.url ?? '', ok: !why, ...(why ? { why } : {}) });
    if (why) {
      res.writeHead(403, { 'Content-Type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>${why}</Message></Error>`);
      return;
    }
    const headers = { ...req.headers };
    delete headers.authorization;
    headers.host = `${this.upstream.host}:${this.upstream.port}`;
    const up = http.request({ host: this.upstream.host, port: this.upstream.port, method: req.method, path: req.url, headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', (err) => {
      res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(String(err));
    });
    up.end(body);
  }
}
