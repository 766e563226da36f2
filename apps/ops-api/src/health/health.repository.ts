import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service';

/** The health probe's one question to the operations database. */
@Injectable()
export class HealthRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A round trip; rejects when PostgreSQL does not answer. */
  async ping(): Promise<void> {
    await this.prisma.$queryRaw`SELECT 1`;
  }
}
