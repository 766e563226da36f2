import { z } from 'zod';

export const dependencyHealthSchema = z.object({
  status: z.enum(['up', 'down']),
  latencyMs: z.number().nonnegative().optional(),
  error: z.string().optional(),
});

/** `GET /api/health`: 200 when every dependency is up, 503 otherwise, same body. */
export const healthResponseSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    version: z.string(),
    uptimeSeconds: z.number().nonnegative(),
    dependencies: z.object({
      postgres: dependencyHealthSchema,
      redis: dependencyHealthSchema,
    }),
  })
  .meta({ description: 'Whether the API and what it depends on answer.' });
export type HealthResponse = z.infer<typeof healthResponseSchema>;
