import twilio from 'twilio';
import { errorSummary } from './redact';
import { DeliveryError, MessageTransport, OutboundEnvelope, TransportReceipt } from './transports';

type RequestClientType = InstanceType<typeof twilio.RequestClient>;
type RequestOpts = Parameters<RequestClientType['request']>[0];

/**
 * The SDK's own HTTP client, pointed at TWILIO_API_URL when one is set: every request the
 * SDK builds goes to that Twilio-compatible endpoint with its path and auth unchanged.
 */
export class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super({ timeout: 15_000 });
  }
  override request<T>(opts: RequestOpts & { data?: T }): Promise<any> {
    const url = new URL(opts.uri);
    const target = new URL(this.baseUrl);
    url.protocol = target.protocol;
    url.host = target.host;
    url.pathname = target.pathname.replace(/\/+$/, '') + url.pathname;
    return super.request<T>({ ...opts, uri: url.toString() } as never);
  }
}

/** Twilio error codes and HTTP statuses after which the same request may succeed later. */
const TRANSIENT_CODES = new Set([20429, 20500, 20503, 30001, 30003, 30008]);

export class TwilioSmsTransport implements MessageTransport {
  readonly name = 'twilio' as const;
  private readonly client: ReturnType<typeof twilio>;

  constructor(
    opts: { accountSid: string; authToken: string; apiUrl?: string },
    private readonly defaultFrom: string | undefined,
    private readonly statusCallbackUrl: string,
  ) {
    this.client = twilio(opts.accountSid, opts.authToken, {
      httpClient: opts.apiUrl ? new BaseUrlRequestClient(opts.apiUrl) : undefined,
    });
  }

  async send(e: OutboundEnvelope): Promise<TransportReceipt> {
    const from = e.from ?? this.defaultFrom;
    if (!from) throw new DeliveryError('No SMS sender: set the clinic\'s smsFrom or TWILIO_FROM', false, 'no-sender');
    try {
      const msg = await this.client.messages.create({
        to: e.to,
        body: e.text,
        ...(from.startsWith('MG') ? { messagingServiceSid: from } : { from }),
        // Our id in the callback URL: a callback can arrive before we have stored Twilio's SID.
        statusCallback: `${this.statusCallbackUrl}?m=${e.id}`,
        // Twilio accepts 1 to 36000 seconds.
        ...(e.validitySeconds ? { validityPeriod: Math.min(36000, Math.max(1, e.validitySeconds)) } : {}),
      });
      return { providerId: msg.sid, status: msg.status === 'failed' ? 'failed' : 'sent' };
    } catch (err) {
      const x = err as { status?: number; code?: number; message?: string };
      if (typeof x.status === 'number') {
        const transient = x.status === 429 || x.status >= 500 || (x.code !== undefined && TRANSIENT_CODES.has(x.code));
        // Twilio's text names the number: only a masked summary leaves the adapter.
        throw new DeliveryError(errorSummary(x.message) || `Twilio HTTP ${x.status}`, transient, x.code ? String(x.code) : `http-${x.status}`);
      }
      // No HTTP answer at all (connection refused, timeout): worth another try.
      throw new DeliveryError(errorSummary(x.message) || 'Twilio request failed', true, 'network');
    }
  }
}
