import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { healthResponseSchema, type HealthResponse } from '@omt/contracts';
import { openApiSchema } from '../auth/openapi';
import { HealthService } from './health.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'Reports whether PostgreSQL and Redis answer (no login needed).' })
  @ApiResponse({ status: 200, description: 'Every dependency is up.', schema: openApiSchema(healthResponseSchema) })
  @ApiResponse({ status: 503, description: 'A dependency is down; same body.', schema: openApiSchema(healthResponseSchema) })
  async get(@Res({ passthrough: true }) response: Response): Promise<HealthResponse> {
    const report = await this.health.check();
    response.status(report.status === 'ok' ? 200 : 503);
    return report;
  }
}
