import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { clientAddress, RateLimit } from '../rate-limits/rate-limit.guard';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentPrincipal, Principal, Public } from '../common/principal';
import { AuthService } from './auth.service';
import { CreateApiKeyDto, LoginDto } from './dto/login.dto';

@ApiTags('auth')
@Controller('v1')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @RateLimit('login')
  @Post('auth/login')
  @HttpCode(200)
  login(@Body() dto: LoginDto, @Req() req: Request) {
    return this.auth.login(dto.email, dto.password, clientAddress(req));
  }

  @ApiBearerAuth()
  @Allow('admin')
  @Post('api-keys')
  createApiKey(@CurrentPrincipal() p: Principal, @Body() dto: CreateApiKeyDto) {
    return this.auth.createApiKey(p, dto.name);
  }

  @ApiBearerAuth()
  @Allow('admin')
  @Get('api-keys')
  async listApiKeys(@CurrentPrincipal() p: Principal) {
    const keys = await this.auth.listApiKeys(p.clinicId);
    return { items: keys };
  }

  @ApiBearerAuth()
  @Allow('admin')
  @Post('api-keys/:id/revoke')
  @HttpCode(200)
  revokeApiKey(@CurrentPrincipal() p: Principal, @Param('id', new ParseUUIDPipe({ version: '4' })) id: string) {
    return this.auth.revokeApiKey(p, id);
  }
}
