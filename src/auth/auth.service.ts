import { HttpException, HttpStatus, Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { StaffUser } from '../clinics/staff-user.entity';
import { Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { actorOf, Principal } from '../common/principal';
import { ApiKey } from './api-key.entity';
import { LoginThrottle, normalise } from './login-throttle';
import { hashPassword, verifyPassword } from './passwords';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly throttle: LoginThrottle,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async login(email: string, password: string, address: string): Promise<{ accessToken: string; expiresIn: number }> {
    const user = await this.verifyCredentials(email, password, address);
    const now = this.clock.now().getTime();
    const expiresIn = this.config.accessTokenTtlSeconds;
    const accessToken = await this.jwt.signAsync(
      // iat from the Clock, so expiry follows the service's time (and the tests' clock).
      { sub: user.id, clinicId: user.clinicId, role: user.role, iat: Math.floor(now / 1000) },
      { expiresIn },
    );
    await this.db.transaction((m) =>
      this.audit.record(m, {
        clinicId: user.clinicId,
        actor: { type: 'staff', id: user.id },
        action: 'staff.logged_in',
        entityType: 'staff_user',
        entityId: user.id,
      }),
    );
    return { accessToken, expiresIn };
  }

  /**
   * The staff member with this email and password, or 401 (the same message and the same scrypt
   * work whether or not the email exists), or 429 when the throttle says so.
   */
  async verifyCredentials(email: string, password: string, address: string): Promise<StaffUser> {
    const key = normalise(email);
    await this.throttle.check(key, address);
    const user = await this.db
      .getRepository(StaffUser)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = :key', { key })
      .getOne();
    // Unknown emails are checked against a dummy hash: the answer takes as long either way.
    const matches = await verifyPassword(password, user?.passwordHash ?? (await this.dummyHash()));
    const ok = !!user && user.active && matches;
    if (!ok || !user) {
      await this.throttle.failed(key, address);
      if (user) {
        // Failed attempts on a real account are part of the record; unknown emails are not (no clinic to file them under).
        await this.db.transaction((m) =>
          this.audit.record(m, { clinicId: user.clinicId, actor: { type: 'staff', id: user.id }, action: 'staff.login_failed', entityType: 'staff_user', entityId: user.id, data: { reason: user.active ? 'wrong password' : 'inactive account' } }),
        );
      }
      throw new UnauthorizedException('Email or password is wrong');
    }
    await this.throttle.succeeded(key, address);
    return user;
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
    if (typeof sub !== 'string' || !isUUID(sub) || typeof exp !== 'number' || typeof iat !== 'number' || iat > now + 60) {
      throw new UnauthorizedException('The access token is invalid: it must name its subject (sub) and carry exp and iat');
    }
    // Checked on every call so that deactivating a user or changing a role takes effect at once.
    const user = await this.db.getRepository(StaffUser).findOneBy({ id: sub });
    if (!user || !user.active) throw new UnauthorizedException('This account is no longer active');
    return { kind: 'staff', id: user.id, clinicId: user.clinicId, role: user.role };
  }

  async principalForApiKey(key: string): Promise<Principal> {
    const row = await this.db
      .getRepository(ApiKey)
      .createQueryBuilder('k')
      .where('k.key_hash = :hash AND k.revoked_at IS NULL', { hash: sha256(key) })
      .getOne();
    if (!row) throw new UnauthorizedException('The API key is invalid or has been revoked');
    return { kind: 'integration', id: row.id, clinicId: row.clinicId, role: 'integration' };
  }

  /** The key is shown once; only its hash is stored. */
  async createApiKey(principal: Principal, name: string): Promise<{ id: string; name: string; key: string; prefix: string; createdAt: Date }> {
    const key = `ak_${randomBytes(32).toString('base64url')}`;
    const prefix = key.slice(0, 10);
    return this.db.transaction(async (m) => {
      const existing = await m
        .getRepository(ApiKey)
        .createQueryBuilder('k')
        .where('k.clinic_id = :c AND lower(k.name) = lower(:n) AND k.revoked_at IS NULL', { c: principal.clinicId, n: name })
        .getOne();
      if (existing) {
        throw new HttpException(`An active API key named "${name}" already exists for this clinic`, HttpStatus.CONFLICT);
      }
      const row = await m.getRepository(ApiKey).save(
        m.getRepository(ApiKey).create({
          clinicId: principal.clinicId,
          name,
          keyPrefix: prefix,
          keyHash: sha256(key),
          createdBy: principal.kind === 'staff' ? principal.id : null,
          createdAt: this.clock.now(),
        }),
      );
      await this.audit.record(m, {
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
    return this.db.transaction(async (m) => {
      const key = await m.getRepository(ApiKey).findOne({ where: { clinicId: principal.clinicId, id }, lock: { mode: 'pessimistic_write' } });
      if (!key) throw new NotFoundException('API key not found');
      if (key.revokedAt) throw new HttpException('The API key is already revoked', HttpStatus.CONFLICT);
      key.revokedAt = this.clock.now();
      await m.getRepository(ApiKey).save(key);
      await this.audit.record(m, { clinicId: principal.clinicId, actor: actorOf(principal), action: 'api_key.revoked', entityType: 'api_key', entityId: id, data: { name: key.name } });
      return key;
    });
  }

  async listApiKeys(clinicId: string): Promise<ApiKey[]> {
    return this.db.getRepository(ApiKey).find({ where: { clinicId }, order: { createdAt: 'ASC' } });
  }
}
