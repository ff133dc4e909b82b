import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';

export interface TwilioMessageRequest {
  accountSid: string;
  authorization: string | undefined;
  params: Record<string, string>;
  sid: string;
}

export const TEST_ACCOUNT_SID = 'AC' + '0123456789abcdef'.repeat(2);
export const TEST_AUTH_TOKEN = 'test-auth-token-0123456789';

/**
 * A local server speaking Twilio's Messages API (POST …/Accounts/{sid}/Messages.json), so the
 * real twilio SDK sends its real requests here. Tests can queue error answers.
 */
export class TwilioApiServer {
  readonly requests: TwilioMessageRequest[] = [];
  /** Answers for the next requests, in order: an HTTP status and a Twilio error code. */
  readonly failures: Array<{ status: number; code: number; message?: string }> = [];
  /**
   * A flaky provider (npm run chaos): each request answered 5xx with probability `errorRate`, or
   * never answered (held `hangMs`, then the connection cut) with probability `timeoutRate`.
   * Neither is recorded in `requests`: the provider did not take the message.
   */
  flaky = { errorRate: 0, timeoutRate: 0, hangMs: 20_000 };
  /** Requests answered 5xx and left unanswered by the flaky mode. */
  readonly flakyCounts = { errors: 0, timeouts: 0 };
  /** MMS media served at Twilio's media URLs (GET …/Messages/MM…/Media/ME…, basic auth like the API). */
  private readonly media = new Map<string, { bytes: Buffer; contentType: string }>();
  /** Every media fetch: its path and whether its credentials were the account's. */
  readonly mediaRequests: Array<{ path: string; authorized: boolean }> = [];
  /** HTTP statuses for the next authorized media fetches, in order (e.g. 503: Twilio's media store hiccups). */
  readonly mediaFailures: number[] = [];
  /** How long each media fetch is held before it is answered (a slow media store). */
  mediaDelayMs = 0;
  private server!: http.Server;
  port = 0;

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      // A client killed mid-request (the chaos run's kill -9) resets the socket: not this server's fault.
      req.on('error', () => undefined);
      res.on('error', () => undefined);
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Serves `bytes` as one MMS media item; returns the MediaUrl Twilio would post. */
  addMedia(bytes: Buffer, contentType = 'image/jpeg'): string {
    const path = `/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Messages/MM${randomBytes(16).toString('hex')}/Media/ME${randomBytes(16).toString('hex')}`;
    this.media.set(path, { bytes, contentType });
    return this.url + path;
  }

  to(phone: string): TwilioMessageRequest[] {
    return this.requests.filter((r) => r.params.To === phone);
  }

  private handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    if (req.method === 'GET' && /\/Media\/ME[0-9a-f]{32}$/.test(req.url ?? '')) {
      if (this.mediaDelayMs > 0) return void setTimeout(() => this.serveMedia(req, res), this.mediaDelayMs);
      return this.serveMedia(req, res);
    }
    const match = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/.exec(req.url ?? '');
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.method !== 'POST' || !match) return send(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    const expected = 'Basic ' + Buffer.from(`${TEST_ACCOUNT_SID}:${TEST_AUTH_TOKEN}`).toString('base64');
    if (req.headers.authorization !== expected || match[1] !== TEST_ACCOUNT_SID) {
      return send(401, { code: 20003, message: 'Authenticate', status: 401 });
    }
    const params = Object.fromEntries(new URLSearchParams(body));
    const roll = Math.random();
    if (roll < this.flaky.timeoutRate) {
      this.flakyCounts.timeouts++;
      setTimeout(() => req.socket.destroy(), this.flaky.hangMs).unref();
      return;
    }
    if (roll < this.flaky.timeoutRate + this.flaky.errorRate) {
      this.flakyCounts.errors++;
      const status = roll < this.flaky.timeoutRate + this.flaky.errorRate / 2 ? 500 : 503;
      return send(status, { code: 20500, message: 'Internal Server Error', status });
    }
    const failure = this.failures.shift();
    if (failure) {
      return send(failure.status, { code: failure.code, message: failure.message ?? `Error ${failure.code}`, more_info: `https://www.twilio.com/docs/errors/${failure.code}`, status: failure.status });
    }
    if (!params.To || !params.Body || !(params.From || params.MessagingServiceSid)) {
      return send(400, { code: 21604, message: "A 'To' phone number is required.", status: 400 });
    }
    const sid = 'SM' + randomBytes(16).toString('hex');
    this.requests.push({ accountSid: match[1], authorization: req.headers.authorization, params, sid });
    send(201, {
      sid,
      account_sid: match[1],
      to: params.To,
      from: params.From ?? null,
      messaging_service_sid: params.MessagingServiceSid ?? null,
      body: params.Body,
      status: 'queued',
      num_segments: '1',
      direction: 'outbound-api',
      api_version: '2010-04-01',
      date_created: new Date().toUTCString(),
      uri: `/2010-04-01/Accounts/${match[1]}/Messages/${sid}.json`,
    });
  }

  private serveMedia(req: http.IncomingMessage, res: http.ServerResponse): void {
    const expected = 'Basic ' + Buffer.from(`${TEST_ACCOUNT_SID}:${TEST_AUTH_TOKEN}`).toString('base64');
    const authorized = req.headers.authorization === expected;
    this.mediaRequests.push({ path: req.url ?? '', authorized });
    if (!authorized) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ code: 20003, message: 'Authenticate', status: 401 }));
      return;
    }
    const failure = this.mediaFailures.shift();
    if (failure) {
      res.writeHead(failure, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ code: 20500, message: 'Service unavailable', status: failure }));
      return;
    }
    const item = this.media.get(req.url ?? '');
    if (!item) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ code: 20404, message: 'The requested resource was not found', status: 404 }));
      return;
    }
    res.writeHead(200, { 'Content-Type': item.contentType, 'Content-Length': String(item.bytes.length) });
    res.end(item.bytes);
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // The SDK keeps connections alive; without this the worker waits for them to time out.
    this.server.closeAllConnections();
    await closed;
  }
}
