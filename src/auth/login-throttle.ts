import { Inject, Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RateLimitStore } from '../rate-limits/rate-limit.store';
import { TooManyRequests } from '../rate-limits/too-many-requests';

const HOUR = 3600_000;
// Emails are personal data: buckets hold a keyed hash of them (HMAC with the service's secret,
// the same on every instance), not the address, and not a plain hash anyone could match to a list.
const digest = (key: string, s: string) => createHmac('sha256', key).update(`login bucket\n${s}`).digest('base64url').slice(0, 32);

/**
 * Failed sign-ins, counted in the shared rate_limits table (every instance sees the same counts):
 * - per account and client address: after `freeFailures` each failure doubles a delay (1 s, 2 s,
 *   4 s … up to `delayMaxMs`) before that address may try that account again. The owner, from
 *   another address, is not slowed; a success from the address clears it.
 * - per client address across accounts, and per account across addresses: an hourly cap on
 *   failures, against spraying one password over many accounts or many addresses over one.
 * Unknown emails count exactly like known ones, so the answers say nothing about which exist.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly store: RateLimitStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Refuses (429) before the password is even checked when a limit is reached. */
  async check(email: string, address: string): Promise<void> {
    const l = this.config.login;
    const pair = await this.store.closedFor(this.pair(email, address));
    if (pair > 0) throw new TooManyRequests('Too many failed logins for this account from your address', pair);
    const addr = await this.store.closedFor(this.address(address), l.failuresPerAddressPerHour);
    if (addr > 0) throw new TooManyRequests('Too many failed logins from your address', addr);
    const acct = await this.store.closedFor(this.account(email), l.failuresPerAccountPerHour);
    if (acct > 0) throw new TooManyRequests('Too many failed logins for this account', acct);
  }

  async failed(email: string, address: string): Promise<void> {
    const l = this.config.login;
    await this.store.fail(this.pair(email, address), { free: l.freeFailures, baseMs: l.delayBaseMs, maxMs: l.delayMaxMs, windowMs: 24 * HOUR });
    await this.store.hit(this.address(address), { limit: l.failuresPerAddressPerHour, windowMs: HOUR });
    await this.store.hit(this.account(email), { limit: l.failuresPerAccountPerHour, windowMs: HOUR });
  }

  async succeeded(email: string, address: string): Promise<void> {
    await this.store.reset(this.pair(email, address));
  }

  private pair(email: string, address: string): string {
    return `login-pair:${digest(this.config.jwtSecret, `${normalise(email)}\n${address}`)}`;
  }
  private address(address: string): string {
    return `login-address:${address}`;
  }
  private account(email: string): string {
    return `login-account:${digest(this.config.jwtSecret, normalise(email))}`;
  }
}

export const normalise = (email: string) => email.trim().toLowerCase();
