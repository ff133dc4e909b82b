import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ClinicsService } from './clinics.service';

/**
 * The first clinic and its admin, created at start when there is none: from BOOTSTRAP_*
 * settings, or a demo clinic on a newcomer's embedded first run. The password is printed once.
 */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    private readonly clinics: ClinicsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.bootstrapOnStart) return;
    if ((await this.clinics.count()) > 0) return;
    const b = this.config.bootstrap;
    if (!b && !this.config.embeddedDatabase) {
      this.logger.warn('No clinic exists yet. Set BOOTSTRAP_CLINIC_NAME and BOOTSTRAP_ADMIN_EMAIL, or run: npm run cli -- clinic:create');
      return;
    }
    const password = b?.adminPassword ?? randomBytes(12).toString('base64url');
    const { clinic, admin } = await this.clinics.createClinicWithAdmin({
      name: b?.clinicName ?? 'Demo Clinic',
      timeZone: b?.timeZone ?? 'Europe/London',
      adminEmail: b?.adminEmail ?? 'admin@demo.clinic',
      adminPassword: password,
      phone: b ? b.phone : '+442079460000',
    });
    const lines = [
      `Created clinic "${clinic.name}" and its admin.`,
      `  email:    ${admin.email}`,
      b?.adminPassword ? '  password: (from BOOTSTRAP_ADMIN_PASSWORD)' : `  password: ${password}   <- shown once; keep it now`,
    ];
    // Printed, not logged: it must reach the person at the terminal exactly once.
    process.stdout.write(`\n${lines.join('\n')}\n\n`);
  }
}
