import 'reflect-metadata';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import pinoHttp from 'pino-http';
import helmet from 'helmet';
import cookieParser from 'cookie-parser';
import type { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';
import { isOmtError } from '@omt/contracts';
import { loadConfig, type AppConfig } from './config/config';
import { createLogger, PinoNestLogger } from './common/logger';
import { OmtExceptionFilter } from './common/omt-exception.filter';
import { setUpOpenApi } from './auth/openapi';
import { migrateDatabase } from './prisma/migrate';
import { RedisIoAdapter } from './events/redis-io.adapter';
import { AppModule, type ProcessRoles } from './app.module';

export interface RunningApp {
  url: string;
  /** The Nest container, for tests and tools that call services directly. */
  context: INestApplicationContext;
  close(): Promise<void>;
}

/** Starts the api and/or the worker in this process with a validated configuration. */
export async function startApp(
  config: AppConfig,
  roles: ProcessRoles,
  logger = createLogger(config.logLevel, 'omt'),
): Promise<RunningApp> {
  if (config.migrateOnStart) await migrateDatabase(config.databaseUrl, logger);
  const module = AppModule.forRoot(config, logger, roles);
  const nestLogger = new PinoNestLogger(logger);

  if (!roles.api) {
    const context = await NestFactory.createApplicationContext(module, { logger: nestLogger });
    context.enableShutdownHooks();
    return { url: '', context, close: () => context.close() };
  }

  const app = await NestFactory.create<NestExpressApplication>(module, { logger: nestLogger, bodyParser: true });
  app.enableShutdownHooks();
  app.setGlobalPrefix('api');
  app.disable('x-powered-by');
  // Behind a load balancer the client's address (per-IP rate limits) is in X-Forwarded-For, believed only from these proxies.
  app.set('trust proxy', config.trustProxy);
  // Before Nest adds its own JSON parser (100 kB): a plan's directory or a list of missing documents is larger.
  app.useBodyParser('json', { limit: config.maxJsonBytes });
  app.use(helmet());
  app.use(cookieParser());
  app.enableCors({ origin: config.dashboardOrigins, credentials: true });
  app.useGlobalFilters(new OmtExceptionFilter(logger));
  app.use(pinoHttp({ logger, autoLogging: { ignore: (req) => req.url === '/api/health' } }));
  const ioAdapter = new RedisIoAdapter(app, config);
  await ioAdapter.connect();
  app.useWebSocketAdapter(ioAdapter);
  setUpOpenApi(app, require('../package.json').version);
  serveDashboard(app, config.dashboardDist, logger);

  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address() as AddressInfo;
  const url = `http://${config.host}:${address.port}`;
  return { url, context: app, close: () => app.close() };
}

/** The built dashboard at `/`, with every non-API path falling back to its index.html. */
function serveDashboard(app: NestExpressApplication, dist: string, logger: Logger): void {
  const index = path.join(dist, 'index.html');
  if (!existsSync(index)) {
    logger.warn({ dist }, 'dashboard not built: run `npm run build` to serve it at /');
    return;
  }
  app.useStaticAssets(dist, { index: 'index.html' });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' || req.path.startsWith('/api') || req.path.startsWith('/socket.io')) return next();
    res.sendFile(index);
  });
}

/** Entry-point helper: validates the environment, starts, and turns start-up failures into one clear line. */
export async function runFromEnvironment(roles: ProcessRoles, label: string): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    console.error(isOmtError(error) ? `omt ${label}: ${error.message}` : error);
    process.exit(78); // EX_CONFIG
  }
  const logger = createLogger(config.logLevel, `omt-${label}`);
  try {
    const running = await startApp(config, roles, logger);
    logger.info({ url: running.url || undefined, roles }, `omt ${label} started`);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => void running.close().then(() => process.exit(0)));
    }
  } catch (error) {
    logger.fatal({ err: error }, `omt ${label} could not start`);
    process.exit(1);
  }
}
