import { HttpException, HttpStatus, Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { StaffUser } from '../clinics/staff-user.entity';
import { Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { actorOf, Principal } from '../common/principal';
import { ApiKey } from './api-key.entity';
import { LoginThrottle } from './login-throttle';
import { verifyPassword } from './passwords';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

@Injectable()
export class AuthService {
  private readonly throttle = new LoginThrottle();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async login(email: string, password: string): Promise<{ accessToken: string; expiresIn: number }> {
    const key = email.trim().toLowerCase();
    const now = this.clock.now().getTime();
    if (this.throttle.isBlocked(key, now)) {
      throw new HttpException('Too many failed logins for this account; try again in 15 minutes', HttpStatus.TOO_MANY_REQUESTS);
    }
    const user = await this.db
      .getRepository(StaffUser)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = :key', { key })
      .getOne();
    const ok = !!user && user.active && (await verifyPassword(password, user.passwordHash));
    if (!ok || !user) {
      this.throttle.fail(key, now);
      if (user) {
        // Failed attempts on a real account are part of the record; unknown emails are not (no clinic to file them under).
        await this.db.transaction((m) =>
          this.audit.record(m, { clinicId: user.clinicId, actor: { type: 'staff', id: user.id }, action: 'staff.login_failed', entityType: 'staff_user', entityId: user.id, data: { reason: user.active ? 'wrong password' : 'inactive account' } }),
        );
      }
      throw new UnauthorizedException('Email or password is wrong');
    }
    this.throttle.succeed(key);
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

  async principalForJwt(token: string): Promise<Principal> {
    let payload: { sub: string; clinicId: string; role: string };
    try {
      payload = await this.jwt.verifyAsync(token, { clockTimestamp: Math.floor(this.clock.now().getTime() / 1000) });
    } catch {
      throw new UnauthorizedException('The access token is invalid or has expired');
    }
    // Checked on every call so that deactivating a user or changing a role takes effect at once.
    const user = await this.db.getRepository(StaffUser).findOneBy({ id: payload.sub });
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
