import { Body, Controller, HttpCode, Ip, Post, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  enrollRequestSchema,
  enrollResponseSchema,
  errorEnvelopeSchema,
  parseOrThrow,
  type EnrollResponse,
} from '@omt/contracts';
import { openApiSchema } from '../auth/openapi';
import { RateLimitService } from '../auth/rate-limit.service';
import { RetryAfterInterceptor } from '../auth/retry-after.interceptor';
import { EnrollmentService } from './enrollment.service';

const envelope = openApiSchema(errorEnvelopeSchema);

@ApiTags('agent')
@Controller('agent')
export class AgentEnrollmentController {
  constructor(
    private readonly enrollment: EnrollmentService,
    private readonly rateLimits: RateLimitService,
  ) {}

  @Post('enroll')
  @HttpCode(200)
  @UseInterceptors(RetryAfterInterceptor)
  @ApiOperation({ summary: 'Exchanges a one-time enrollment code for an agent token scoped to its ticket (no login).' })
  @ApiBody({ schema: openApiSchema(enrollRequestSchema) })
  @ApiResponse({
    status: 200,
    description: 'The agent token, shown only here.',
    schema: openApiSchema(enrollResponseSchema),
  })
  @ApiResponse({ status: 400, description: 'Malformed body.', schema: envelope })
  @ApiResponse({
    status: 401,
    description: 'ENROLLMENT_CODE_INVALID: unknown, used, expired or revoked.',
    schema: envelope,
  })
  @ApiResponse({
    status: 429,
    description:
      'RATE_LIMITED: a bad code after repeated bad codes from this address, with Retry-After (a valid code still passes).',
    schema: envelope,
  })
  enroll(@Body() body: unknown, @Ip() ip: string): Promise<EnrollResponse> {
    const { code } = parseOrThrow(enrollRequestSchema, body, 'enrollment');
    return this.rateLimits.enrollment(ip, () => this.enrollment.enroll(code));
  }
}
