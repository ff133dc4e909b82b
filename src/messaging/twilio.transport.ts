import twilio from 'twilio';
import type { FailureKind } from './delivery-failure';
import type { MessageStatus } from './message.entity';
import { errorSummary } from './redact';
import { DeliveryError, DeliveryReport, MessageTransport, OutboundEnvelope, TransportReceipt } from './transports';

import type RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';

/**
 * The SDK's own HTTP client, pointed at TWILIO_API_URL when one is set: every request the
 * SDK builds goes to that Twilio-compatible endpoint with its path and auth unchanged.
 */
export class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super({ timeout: 15_000 });
  }
  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    const url = new URL(opts.uri);
    const target = new URL(this.baseUrl);
    url.protocol = target.protocol;
    url.host = target.host;
    url.pathname = target.pathname.replace(/\/+$/, '') + url.pathname;
    return super.request<TData>({ ...opts, uri: url.toString() });
  }
}

/** Twilio error codes and HTTP statuses after which the same request may succeed later. */
const TRANSIENT_CODES = new Set([20429, 20500, 20503, 30001, 30003, 30008]);

/** What Twilio's error codes mean, provider-free (codes not listed: transient or permanent as the answer said). */
const FAILURE_KINDS: Record<string, FailureKind> = {
  '20429': 'transient', // too many requests
  '30001': 'transient', // queue overflow
  '30003': 'transient', // unreachable handset
  '30008': 'transient', // unknown error at the carrier
  '21610': 'opted_out', // the recipient replied STOP to this sender
  '21211': 'invalid_contact', // not a valid phone number
  '21614': 'invalid_contact', // not a mobile number
  '30005': 'invalid_contact', // unknown destination handset
  '30006': 'invalid_contact', // landline or unreachable carrier
  '30007': 'spam_filtered', // carrier filtered the message
};

/** What a Twilio error code means; `transient` is what the answer itself said (HTTP 429/5xx, no answer). */
export function twilioFailureKind(code: string | null, transient: boolean): FailureKind {
  if (code && Object.hasOwn(FAILURE_KINDS, code)) return FAILURE_KINDS[code];
  return transient ? 'transient' : 'permanent';
}

/** Twilio's MessageStatus names, as our statuses. */
const STATUSES: Record<string, MessageStatus> = {
  queued: 'queued',
  accepted: 'queued',
  scheduled: 'queued',
  sending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
};

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
    if (!from) throw new DeliveryError('No SMS sender: set the clinic\'s smsFrom or TWILIO_FROM', 'permanent', 'no-sender');
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
        const code = x.code ? String(x.code) : `http-${x.status}`;
        // Twilio's text names the number: only a masked summary leaves the adapter.
        throw new DeliveryError(errorSummary(x.message) || `Twilio HTTP ${x.status}`, twilioFailureKind(code, transient), code);
      }
      // No HTTP answer at all (connection refused, timeout): worth another try.
      throw new DeliveryError(errorSummary(x.message) || 'Twilio request failed', 'transient', 'network');
    }
  }

  /**
   * A status callback's form fields (MessageSid, MessageStatus, ErrorCode) as a provider-free
   * report; null for a status we do not track. `messageId` is our id from the callback URL.
   */
  static readStatusCallback(body: Record<string, string>, messageId?: string): DeliveryReport | null {
    if (typeof body.MessageSid !== 'string' || !body.MessageSid || typeof body.MessageStatus !== 'string') return null;
    const name = body.MessageStatus.toLowerCase();
    if (!Object.hasOwn(STATUSES, name)) return null;
    const status = STATUSES[name];
    const code = body.ErrorCode || null;
    // A callback's error code is the carrier's final word: only the codes known as transient are.
    const failure = (status === 'undelivered' || status === 'failed') && code ? { kind: twilioFailureKind(code, false), code } : null;
    return { provider: 'twilio', providerId: body.MessageSid, status, errorCode: code, failure, messageId };
  }
}
