import { Body, Controller, Delete, ForbiddenException, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCookieAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Allow, AllowWhilePasswordChangeRequired, CurrentPrincipal, Principal, Public } from '../common/principal';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { clientAddress, RateLimit } from '../rate-limits/rate-limit.guard';
import { AuthService } from './auth.service';
import { CreateApiKeyDto, LoginDto } from './dto/login.dto';
import { ApiKeyDto, ApiKeyListDto, ChangePasswordDto, ClinicChoiceDto, CreatedApiKeyDto, LoginResponseDto, SessionDto } from './dto/session.dto';
import { clearSessionCookies, SESSION_COOKIE, setSessionCookies } from './sessions';

const STAFF = ['practitioner', 'compliance', 'admin'] as const;

@ApiTags('auth')
@Controller('v1')
export class AuthController {
  private readonly ownOrigin: string;

  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.ownOrigin = new URL(config.publicBaseUrl).origin;
  }

  @Public()
  @RateLimit('login')
  @Post('auth/login')
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto, description: 'A bearer JWT for integrations and scripts' })
  @ApiConflictResponse({ type: ClinicChoiceDto, description: 'The email and password open accounts at more than one clinic: send clinicId' })
  login(@Body() dto: LoginDto, @Req() req: Request): Promise<LoginResponseDto> {
    return this.auth.login(dto.email, dto.password, clientAddress(req), dto.clinicId);
  }

  /** Browser sign-in: sets the aftercare_session (HttpOnly) and aftercare_csrf cookies. */
  @Public()
  @RateLimit('login')
  @Post('auth/session')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionDto })
  @ApiConflictResponse({ type: ClinicChoiceDto, description: 'The email and password open accounts at more than one clinic: send clinicId' })
  async createSession(@Body() dto: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<SessionDto> {
    // A cross-site form must not sign the browser in as someone else (login CSRF).
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== this.ownOrigin) {
      throw new ForbiddenException(`CSRF check failed: the request comes from ${origin}, not from ${this.ownOrigin}`);
    }
    const { sessionId, view } = await this.auth.createSession(dto.email, dto.password, clientAddress(req), dto.clinicId);
    setSessionCookies(res, this.config.publicBaseUrl, sessionId, view.csrfToken);
    return view;
  }

  @ApiCookieAuth(SESSION_COOKIE)
  @Allow(...STAFF)
  @AllowWhilePasswordChangeRequired()
  @Get('auth/session')
  @ApiOkResponse({ type: SessionDto })
  getSession(@CurrentPrincipal() p: Principal): Promise<SessionDto> {
    if (!p.session) throw new UnauthorizedException('No browser session: sign in with POST /v1/auth/session');
    return this.auth.sessionView(p.clinicId, p.id, p.session.csrfToken);
  }

  @ApiCookieAuth(SESSION_COOKIE)
  @Allow(...STAFF)
  @AllowWhilePasswordChangeRequired()
  @Delete('auth/session')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Signed out: the session is ended and both cookies cleared' })
  async endSession(@CurrentPrincipal() p: Principal, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.endSession(p);
    clearSessionCookies(res, this.config.publicBaseUrl);
  }

  @ApiBearerAuth()
  @ApiCookieAuth(SESSION_COOKIE)
  @Allow(...STAFF)
  @AllowWhilePasswordChangeRequired()
  @RateLimit('login')
  @Post('auth/password')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Changed; other sessions ended and bearer tokens revoked (this session stays)' })
  async changePassword(@CurrentPrincipal() p: Principal, @Body() dto: ChangePasswordDto, @Req() req: Request): Promise<void> {
    await this.auth.changePassword(p, dto.currentPassword, dto.newPassword, clientAddress(req));
  }

  @ApiBearerAuth()
  @Allow('admin')
  @Post('api-keys')
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  createApiKey(@CurrentPrincipal() p: Principal, @Body() dto: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.auth.createApiKey(p, dto.name);
  }

  @ApiBearerAuth()
  @Allow('admin')
  @Get('api-keys')
  @ApiOkResponse({ type: ApiKeyListDto })
  async listApiKeys(@CurrentPrincipal() p: Principal): Promise<ApiKeyListDto> {
    const keys = await this.auth.listApiKeys(p.clinicId);
    return { items: keys };
  }

  @ApiBearerAuth()
  @Allow('admin')
  @Post('api-keys/:id/revoke')
  @HttpCode(200)
  @ApiOkResponse({ type: ApiKeyDto })
  revokeApiKey(@CurrentPrincipal() p: Principal, @Param('id', new ParseUUIDPipe({ version: '4' })) id: string): Promise<ApiKeyDto> {
    return this.auth.revokeApiKey(p, id);
  }
}
