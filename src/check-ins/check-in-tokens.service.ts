import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { CheckIn } from './check-in.entity';
import { CheckInsRepository } from './check-ins.repository';

export const hashToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** A token as issued: 256 random bits, base64url. */
export const isTokenShaped = (token: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(token);

export type TokenLookup =
  | { state: 'open'; checkIn: CheckIn }
  | { state: 'unknown' }
  | { state: 'answered' | 'expired' | 'closed'; checkIn: CheckIn };

/** Where a check-in stands for someone holding its link at `now`. */
export function tokenStateOf(checkIn: Pick<CheckIn, 'status' | 'expiresAt'>, now: Date): 'open' | 'answered' | 'expired' | 'closed' {
  if (checkIn.status === 'answered') return 'answered';
  if (checkIn.status === 'expired' || checkIn.expiresAt <= now) return 'expired';
  if (checkIn.status === 'cancelled' || checkIn.status === 'failed') return 'closed';
  return 'open';
}

/**
 * Decides what a check-in link is worth: issues a fresh token per message (only its hash is
 * kept) and tells, from a token, whether its check-in can still be answered.
 */
@Injectable()
export class CheckInTokens {
  constructor(
    private readonly repo: CheckInsRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A new link for a message about this check-in; only its hash is kept. 256 random bits. */
  async issue(manager: EntityManager, checkIn: Pick<CheckIn, 'id' | 'clinicId'>): Promise<{ token: string; link: string }> {
    const token = randomBytes(32).toString('base64url');
    await this.repo.insertToken(manager, hashToken(token), checkIn, this.clock.now());
    return { token, link: `${this.config.publicBaseUrl}/c/${token}` };
  }

  /** `issue` for many check-ins at once (one INSERT); the links in the same order. */
  async issueMany(manager: EntityManager, checkIns: Array<Pick<CheckIn, 'id' | 'clinicId'>>): Promise<Array<{ token: string; link: string }>> {
    const issued = checkIns.map((c) => ({ checkIn: c, token: randomBytes(32).toString('base64url') }));
    await this.repo.insertTokens(
      manager,
      issued.map(({ checkIn, token }) => ({ tokenHash: hashToken(token), clinicId: checkIn.clinicId, checkInId: checkIn.id })),
      this.clock.now(),
    );
    return issued.map(({ token }) => ({ token, link: `${this.config.publicBaseUrl}/c/${token}` }));
  }

  /** Reading a link changes nothing: mail scanners open links too. `lock`: the check-in is locked for the answer about to be stored. */
  async lookup(token: string, manager: EntityManager, lock: boolean): Promise<TokenLookup> {
    if (!isTokenShaped(token)) return { state: 'unknown' };
    const checkInId = await this.repo.checkInIdOfToken(manager, hashToken(token));
    if (!checkInId) return { state: 'unknown' };
    const checkIn = await this.repo.findById(manager, checkInId, lock);
    if (!checkIn) return { state: 'unknown' };
    return { state: tokenStateOf(checkIn, this.clock.now()), checkIn };
  }
}
