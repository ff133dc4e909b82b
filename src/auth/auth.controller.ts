import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentPrincipal, Principal, Public } from '../common/principal';
import { AuthService } from './auth.service';
import { CreateApiKeyDto, LoginDto } from './dto/login.dto';

@ApiTags('auth')
@Controller('v1')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  login(@Body() dto: LoginDto) {
    return this.auth.login(dto.email, dto.password);
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
