import { BadRequestException, ConflictException, ForbiddenException, HttpException, HttpStatus, Inject, Injectable, Logger, NotFoundException, OnModuleDestroy, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { isUUID } from 'class-validator';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ClinicsService } from '../clinics/clinics.service';
import { StaffUser } from '../clinics/staff-user.entity';
import { StaffRole } from '../common/roles';
import { Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { actorOf, Principal } from '../common/principal';
import { ApiKey } from './api-key.entity';
import { AuthRepository } from './auth.repository';
import { CredentialCache } from './credential-cache';
import { LoginThrottle, normalise } from './login-throttle';
import { passwordProblem } from '../common/password-policy';
import { hashPassword, verifyPassword } from '../common/passwords';
import { hashSessionId, newSecret, TOUCH_EVERY_MS } from './sessions';

export interface SessionView {
  staff: { id: string; clinicId: string; clinicName: string; email: string; name: string; role: StaffRole; mustChangePassword: boolean };
  csrfToken: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * How many of one email's accounts (one per clinic) a sign-in without a clinic tries, and so how
 * many scrypt hashes every such sign-in computes, account or not. A person with more accounts
 * than this signs in to the others by naming the clinic (`clinicId`, or the console's clinic link).
 */
export const ACCOUNTS_TRIED_PER_SIGN_IN = 3;

/** 409: the email and password open accounts at several clinics; the caller names one. */
export class ClinicChoiceRequired extends ConflictException {
  readonly details: { clinics: Array<{ id: string; name: string }> };
  constructor(clinics: Array<{ id: string; name: string }>) {
    super('This email and password open accounts at more than one clinic: choose the clinic (clinicId) and sign in again');
    this.details = { clinics };
  }
}

/** Decides who is calling: sign-in (tokens and browser sessions), password changes, API keys, and whether a credential still holds. */
@Injectable()
export class AuthService implements OnModuleDestroy {
  private readonly logger = new Logger('Auth');
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: AuthRepository,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly clinics: ClinicsService,
    private readonly throttle: LoginThrottle,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly credentials: CredentialCache,
  ) {}

  /**
   * What a credential check needs of the staff member's account, from the short per-instance cache
   * (CREDENTIAL_TTL_MS: the bound on a revocation made by another instance) or one indexed read.
   */
  private credentialOf(staffId: string) {
    return this.credentials.get(staffId, () => this.clinics.credentialOf(staffId));
  }

  async login(email: string, password: string, address: string, clinicId?: string | null): Promise<{ accessToken: string; expiresIn: number; mustChangePassword: boolean }> {
    const user = await this.verifyCredentials(email, password, address, clinicId);
    const now = this.clock.now();
    const expiresIn = this.config.accessTokenTtlSeconds;
    const accessToken = await this.jwt.signAsync(
      // iat from the Clock, so expiry follows the service's time (and the tests' clock); ver ties the token to the credentials.
      { sub: user.id, clinicId: user.clinicId, role: user.role, ver: user.tokenVersion, iat: Math.floor(now.getTime() / 1000) },
      { expiresIn },
    );
    await this.db.transaction((tx) => this.recordSignIn(tx, user, now));
    return { accessToken, expiresIn, mustChangePassword: user.mustChangePassword };
  }

  /** Signs in for a browser: a new session row (its id's hash) and its CSRF token, audited. */
  async createSession(email: string, password: string, address: string, clinicId?: string | null): Promise<{ sessionId: string; view: SessionView }> {
    const user = await this.verifyCredentials(email, password, address, clinicId);
    const now = this.clock.now();
    const sessionId = newSecret();
    const csrfToken = newSecret();
    await this.db.transaction(async (manager) => {
      const row = await this.repo.insertSession(manager, { tokenHash: hashSessionId(sessionId), staffId: user.id, clinicId: user.clinicId, csrfToken, createdAt: now, lastSeenAt: now, endedAt: null, endReason: null });
      await this.recordSignIn(manager, user, now, { via: 'session', sessionId: row.id });
    });
    return { sessionId, view: await this.sessionView(user.clinicId, user.id, csrfToken) };
  }

  /** The sign-in stamped on the staff member and its `staff.logged_in` event, in the caller's transaction. */
  private async recordSignIn(tx: EntityManager, user: Pick<StaffUser, 'id' | 'clinicId'>, now: Date, data?: Record<string, unknown>): Promise<void> {
    await this.clinics.stampSignIn(tx, user.clinicId, user.id, now);
    await this.audit.record(tx, {
      clinicId: user.clinicId,
      actor: { type: 'staff', id: user.id },
      action: 'staff.logged_in',
      entityType: 'staff_user',
      entityId: user.id,
      ...(data ? { data } : {}),
    });
  }

  /** What GET /v1/auth/session answers: who is signed in, in which clinic, and the CSRF token. */
  async sessionView(clinicId: string, staffId: string, csrfToken: string): Promise<SessionView> {
    const row = await this.clinics.signedInStaff(clinicId, staffId);
    if (!row) throw new UnauthorizedException('No signed-in session');
    return {
      staff: { id: row.id, clinicId: row.clinic_id, clinicName: row.clinic_name, email: row.email, name: row.name, role: row.role, mustChangePassword: row.must_change_password },
      csrfToken,
    };
  }

  /**
   * The staff member behind a session cookie. An ended, unknown or idle session is 401 (an idle one
   * is ended then); last_seen_at slides forward at most once a minute.
   */
  async principalForSession(sessionId: string): Promise<Principal> {
    const now = this.clock.now();
    const tokenHash = hashSessionId(sessionId);
    const load = () => this.repo.sessionByTokenHash(tokenHash);
    // The row from the credential cache (at most CREDENTIAL_TTL_MS old; a sign-out or account
    // change on this instance drops it at once).
    let session = await this.credentials.session(tokenHash, load);
    const idleMs = this.config.sessionIdleMinutes * 60_000;
    // Idle by a cached row: another instance may have slid it since, so ask the database before ending it.
    if (session && !session.endedAt && now.getTime() - session.lastSeenAt.getTime() >= idleMs) session = await this.credentials.session(tokenHash, load, { fresh: true });
    if (!session || session.endedAt) throw new UnauthorizedException('Your session has ended; sign in again');
    if (now.getTime() - session.lastSeenAt.getTime() >= idleMs) {
      await this.repo.endSession(session.clinicId, session.id, now, 'idle');
      this.credentials.endSession(session.id);
      throw new UnauthorizedException('Your session has expired after being idle; sign in again');
    }
    const user = await this.credentialOf(session.staffId);
    if (!user || !user.active || user.clinicId !== session.clinicId) throw new UnauthorizedException('This account is no longer active');
    if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
      await this.repo.touchSession(session.clinicId, session.id, now);
      this.credentials.touched(tokenHash, now);
    }
    return { kind: 'staff', id: user.id, clinicId: user.clinicId, role: user.role, mustChangePassword: user.mustChangePassword, session: { id: session.id, csrfToken: session.csrfToken } };
  }

  /** Signs out: the session ends server-side (the cookie alone no longer opens anything). */
  async endSession(principal: Principal): Promise<void> {
    if (!principal.session) throw new UnauthorizedException('No browser session to end (this credential is not a session cookie)');
    const now = this.clock.now();
    this.credentials.endSession(principal.session.id);
    await this.db.transaction(async (manager) => {
      await this.repo.endSession(principal.clinicId, principal.session!.id, now, 'signed out', manager);
      await this.audit.record(manager, { clinicId: principal.clinicId, actor: actorOf(principal), action: 'staff.logged_out', entityType: 'staff_user', entityId: principal.id, data: { sessionId: principal.session!.id } });
    });
  }

  /**
   * The signed-in staff member's own password, the current one required (a wrong one counts as a
   * failed sign-in). Their other sessions end and their bearer tokens stop working; the session
   * this was done in stays.
   */
  async changePassword(principal: Principal, currentPassword: string, newPassword: string, address: string): Promise<void> {
    if (principal.kind !== 'staff') throw new ForbiddenException('Only staff members have a password');
    const me = await this.clinics.findStaff(principal.clinicId, principal.id);
    if (!me) throw new UnauthorizedException('This account is no longer active');
    const weak = passwordProblem(newPassword, [me.email, me.name]);
    if (weak) throw new BadRequestException(weak.replace(/^password/, 'newPassword'));
    if (newPassword === currentPassword) throw new BadRequestException('newPassword must differ from the current password');
    try {
      // This account's own password: the same email may have accounts (other passwords) at other clinics.
      await this.verifyCredentials(me.email, currentPassword, address, me.clinicId);
    } catch (err) {
      if (err instanceof UnauthorizedException) throw new BadRequestException('currentPassword is wrong');
      throw err;
    }
    const hash = await hashPassword(newPassword);
    const now = this.clock.now();
    this.credentials.revoke(me.id);
    await this.db.transaction(async (manager) => {
      await this.clinics.setOwnPassword(manager, me.clinicId, me.id, hash);
      await this.repo.endSessions(manager, me.clinicId, me.id, now, 'password changed', principal.session?.id);
      await this.audit.record(manager, {
        clinicId: me.clinicId,
        actor: actorOf(principal),
        action: 'staff.password_changed',
        entityType: 'staff_user',
        entityId: me.id,
        data: { fields: ['password', ...(me.mustChangePassword ? ['mustChangePassword'] : [])] },
        changes: me.mustChangePassword ? { mustChangePassword: { from: true, to: false } } : undefined,
      });
    });
  }

  /**
   * The staff account with this email and password, or 401 (the same message and the same scrypt
   * work whether the email has no account, one, or several), or 429 when the throttle says so.
   *
   * A staff email is unique per clinic, so one person may hold accounts at several clinics, each
   * with its own password. Without `clinicId` the newest ACCOUNTS_TRIED_PER_SIGN_IN active
   * accounts with the email are tried, always exactly that many hashes (dummy ones fill the rest),
   * in parallel: neither the answer nor the work says how many accounts exist. With `clinicId`
   * exactly one hash is checked. When the password opens accounts at two or more clinics the
   * answer is 409 naming them (the caller proved the password for each) and nobody is signed in:
   * the caller asks again with the clinic chosen.
   */
  async verifyCredentials(email: string, password: string, address: string, clinicId?: string | null): Promise<StaffUser> {
    const key = normalise(email);
    await this.throttle.check(key, address);
    const tries = clinicId ? 1 : ACCOUNTS_TRIED_PER_SIGN_IN;
    const accounts = await this.clinics.signInCandidates(key, tries, clinicId || null);
    const hashes = accounts.map((a) => a.password_hash);
    // Fewer accounts than tries (none at all for an unknown email): dummy hashes of the same cost.
    while (hashes.length < tries) hashes.push(await this.dummyHash());
    const results = await Promise.all(hashes.map((h) => verifyPassword(password, h)));
    const matched = accounts.filter((_, i) => results[i]);
    if (!matched.length) {
      await this.throttle.failed(key, address);
      // Failed attempts on real accounts are part of each clinic's record; unknown emails are not (no
      // clinic to file them under). Written after the answer, not before it: the 401 waits for the
      // same work (throttle, hashes) whether the email has accounts or not.
      if (accounts.length) this.recordFailedSignIns(accounts);
      throw new UnauthorizedException('Email or password is wrong');
    }
    await this.throttle.succeeded(key, address);
    if (matched.length > 1) {
      throw new ClinicChoiceRequired(await this.clinics.clinicNames(matched.map((a) => a.clinic_id)));
    }
    const user = await this.clinics.findStaff(matched[0].clinic_id, matched[0].id);
    if (!user) throw new UnauthorizedException('Email or password is wrong');
    return user;
  }

  private readonly failedSignInAudits = new Set<Promise<void>>();
  private recordFailedSignIns(accounts: Array<{ id: string; clinic_id: string }>): void {
    const write = this.db
      .transaction(async (manager) => {
        // Chains locked in clinic-id order, whatever order the accounts were tried in: two of these never deadlock.
        for (const a of [...accounts].sort((x, y) => (x.clinic_id < y.clinic_id ? -1 : x.clinic_id > y.clinic_id ? 1 : 0))) {
          await this.audit.record(manager, { clinicId: a.clinic_id, actor: { type: 'staff', id: a.id }, action: 'staff.login_failed', entityType: 'staff_user', entityId: a.id, data: { reason: 'wrong password' } });
        }
      })
      .catch((err: unknown) => this.logger.warn(`Could not record a failed sign-in: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => this.failedSignInAudits.delete(write));
    this.failedSignInAudits.add(write);
  }

  /** Resolves once every failed sign-in answered so far is in the audit log (tests; shutdown waits for it). */
  async failedSignInsRecorded(): Promise<void> {
    await Promise.all([...this.failedSignInAudits]);
  }

  async onModuleDestroy(): Promise<void> {
    await this.failedSignInsRecorded();
  }

  private dummy?: Promise<string>;
  private dummyHash(): Promise<string> {
    this.dummy ??= hashPassword(randomBytes(24).toString('base64url'));
    return this.dummy;
  }

  async principalForJwt(token: string): Promise<Principal> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    let payload: Record<string, unknown>;
    try {
      payload = await this.jwt.verifyAsync(token, { clockTimestamp: now });
    } catch {
      throw new UnauthorizedException('The access token is invalid or has expired');
    }
    // A token without these would match any row (an undefined id drops out of a where clause) or never expire.
    const { sub, exp, iat } = payload ?? {};
    if (typeof sub !== 'string' || !isUUID(sub) || typeof exp !== 'number' || typeof iat !== 'number') {
      throw new UnauthorizedException('The access token is invalid: it must name its subject (sub) and carry exp and iat');
    }
    // Checked on every call so that deactivating a user or changing a role takes effect: at once on
    // this instance, within CREDENTIAL_TTL_MS on the others (the row is cached that long).
    const user = await this.credentialOf(sub);
    if (!user || !user.active) throw new UnauthorizedException('This account is no longer active');
    // Tokens from before a role, password or activity change carry an older version (none: version 0).
    const ver = payload.ver ?? 0;
    if (ver !== user.tokenVersion) throw new UnauthorizedException('The access token was revoked (the account changed since it was issued); sign in again');
    return { kind: 'staff', id: user.id, clinicId: user.clinicId, role: user.role, mustChangePassword: user.mustChangePassword };
  }

  async principalForApiKey(key: string): Promise<Principal> {
    const row = await this.repo.activeApiKeyByHash(sha256(key));
    if (!row) throw new UnauthorizedException('The API key is invalid or has been revoked');
    return { kind: 'integration', id: row.id, clinicId: row.clinicId, role: 'integration' };
  }

  /** The key is shown once; only its hash is stored. */
  async createApiKey(principal: Principal, name: string): Promise<{ id: string; name: string; key: string; prefix: string; createdAt: Date }> {
    const key = `ak_${randomBytes(32).toString('base64url')}`;
    const prefix = key.slice(0, 10);
    return this.db.transaction(async (manager) => {
      if (await this.repo.activeApiKeyNamed(manager, principal.clinicId, name)) {
        throw new HttpException(`An active API key named "${name}" already exists for this clinic`, HttpStatus.CONFLICT);
      }
      const row = await this.repo.insertApiKey(manager, {
        clinicId: principal.clinicId,
        name,
        keyPrefix: prefix,
        keyHash: sha256(key),
        createdBy: principal.kind === 'staff' ? principal.id : null,
        createdAt: this.clock.now(),
      });
      await this.audit.record(manager, {
        clinicId: principal.clinicId,
        actor: actorOf(principal),
        action: 'api_key.created',
        entityType: 'api_key',
        entityId: row.id,
        data: { name },
      });
      return { id: row.id, name: row.name, key, prefix, createdAt: row.createdAt };
    });
  }

  async revokeApiKey(principal: Principal, id: string): Promise<ApiKey> {
    return this.db.transaction(async (manager) => {
      const key = await this.repo.apiKeyForUpdate(manager, principal.clinicId, id);
      if (!key) throw new NotFoundException('API key not found');
      if (key.revokedAt) throw new HttpException('The API key is already revoked', HttpStatus.CONFLICT);
      key.revokedAt = this.clock.now();
      await this.repo.saveApiKey(manager, key);
      await this.audit.record(manager, { clinicId: principal.clinicId, actor: actorOf(principal), action: 'api_key.revoked', entityType: 'api_key', entityId: id, data: { name: key.name } });
      return key;
    });
  }

  async listApiKeys(clinicId: string): Promise<ApiKey[]> {
    return this.repo.apiKeys(clinicId);
  }
}
