import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-responses';
import { Allow, CurrentPrincipal, Principal } from '../common/principal';
import { CourseReportQuery } from './dto/course-report.dto';
import { CourseReportDto, toCourseReportDto } from './dto/course-report-response.dto';
import { ReportsService } from './reports.service';

@ApiTags('reports')
@ApiBearerAuth()
@ApiErrorResponses(401, 403)
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Allow('compliance', 'admin', 'practitioner')
  @Get('course')
  @ApiOperation({
    summary: "What the clinic's patients really go through, against the expected course",
    description:
      "For each procedure and product of the caller's clinic (treatments performed between from and to): per check-in day, the courses " +
      'answering, the share with each symptom above 0 and the share above the expected course of their own protocol; per symptom, the ' +
      'median and 90th percentile of the last day it was reported, against the expected window. Counts only, no patient details.',
  })
  @ApiOkResponse({ type: CourseReportDto })
  @ApiErrorResponses(400)
  async course(@CurrentPrincipal() p: Principal, @Query() q: CourseReportQuery): Promise<CourseReportDto> {
    return toCourseReportDto(await this.reports.course(p.clinicId, q));
  }
}
