import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { actorOf, Allow, CurrentPrincipal, Principal } from '../common/principal';
import { CasesService } from './cases.service';
import { AcknowledgeCaseDto, AssignCaseDto, CaseActionResultDto, CaseDetailDto, CaseQueueDto, ListCasesQuery, ResolveCaseDto } from './dto/case.dto';
import { FlagChangesService } from './flag-changes.service';

const uuid = new ParseUUIDPipe({ version: '4' });

/** A comment line now and then keeps proxies and browsers from closing a quiet stream. */
export const KEEP_ALIVE_MS = 25_000;

@ApiTags('cases')
@ApiBearerAuth()
@Controller('v1/cases')
export class CasesController {
  constructor(private readonly cases: CasesService) {}

  @Allow('practitioner', 'admin', 'compliance')
  @Get()
  @ApiOkResponse({ type: CaseQueueDto, description: 'The triage queue: open and acknowledged cases, urgent first, oldest first within a priority' })
  list(@CurrentPrincipal() p: Principal, @Query() q: ListCasesQuery): Promise<CaseQueueDto> {
    return this.cases.queue(p.clinicId, p.id, q);
  }

  @Allow('practitioner', 'admin', 'compliance')
  @Get(':id')
  @ApiOkResponse({ type: CaseDetailDto })
  get(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string): Promise<CaseDetailDto> {
    return this.cases.get(p.clinicId, id);
  }

  @Allow('practitioner', 'admin')
  @Post(':id/acknowledge')
  @HttpCode(200)
  @ApiOkResponse({ type: CaseActionResultDto, description: 'Every open flag of the case acknowledged, in one transaction' })
  acknowledge(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: AcknowledgeCaseDto): Promise<CaseActionResultDto> {
    return this.cases.acknowledge(p.clinicId, id, actorOf(p), dto);
  }

  @Allow('practitioner', 'admin')
  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOkResponse({ type: CaseActionResultDto, description: 'Every unresolved flag of the case resolved with the outcome, in one transaction' })
  resolve(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: ResolveCaseDto): Promise<CaseActionResultDto> {
    return this.cases.resolve(p.clinicId, id, actorOf(p), dto);
  }

  @Allow('practitioner', 'admin')
  @Post(':id/assign')
  @HttpCode(200)
  @ApiOkResponse({ type: CaseActionResultDto, description: 'Every unresolved flag of the case assigned (staffId null: unassigned), in one transaction' })
  assign(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string, @Body() dto: AssignCaseDto): Promise<CaseActionResultDto> {
    return this.cases.assign(p.clinicId, id, actorOf(p), dto);
  }
}

@ApiTags('cases')
@ApiBearerAuth()
@Controller('v1/events')
export class EventsController {
  constructor(private readonly changes: FlagChangesService) {}

  /**
   * Server-Sent Events of the caller's clinic: `event: flag` with
   * `{ type: 'flag', flagId, caseId, change, status, priority }` when a flag is raised,
   * re-prioritised, acknowledged, resolved, reopened or assigned (ids and status only: refetch
   * what is shown); a comment every 25 s keeps the stream open.
   */
  @Allow('practitioner', 'admin', 'compliance')
  @Get()
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ content: { 'text/event-stream': { schema: { type: 'string' } } }, description: 'text/event-stream; each event `id: <n>`, `event: flag`, `data: {"type":"flag","flagId":…,"caseId":…,"change":…,"status":…,"priority":…}`' })
  stream(@CurrentPrincipal() p: Principal, @Req() req: Request, @Res() res: Response): void {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write('retry: 5000\n\n');
    let seq = 0;
    const unsubscribe = this.changes.subscribe(p.clinicId, (change) => {
      res.write(`id: ${++seq}\nevent: flag\ndata: ${JSON.stringify(change)}\n\n`);
    });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    const close = () => {
      clearInterval(keepAlive);
      unsubscribe();
    };
    req.on('close', close);
    res.on('error', close);
  }
}
