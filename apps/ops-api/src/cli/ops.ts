#!/usr/bin/env node
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Command, Option } from 'commander';
import { API_KEY_ROLES, USER_ROLES, isOmtError, type ApiKeyRole, type UserRole } from '@omt/contracts';
import { loadConfig } from '../config/config';
import { createLogger } from '../common/logger';
import { migrateDatabase } from '../prisma/migrate';
import { CredentialsService } from '../auth/credentials.service';
import { CliModule } from './cli.module';
import * as commands from './ops-commands';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

type Action = (credentials: CredentialsService) => Promise<commands.CommandResult>;

/**
 * `npm run ops -- <command>`: the administrator's tool for API keys and
 * users. Reads DATABASE_URL etc. through the same validated configuration as
 * the API. Returns the exit code: 0, 1 (refused), 78 (configuration).
 */
export async function runOps(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  let pending: Action | undefined;
  const program = new Command('ops')
    .description('omt operations: API keys and dashboard users')
    .option('--json', 'print the result as JSON', false)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  const keys = program.command('keys').description('API keys of the sales system');
  keys
    .command('create')
    .description('creates a key and prints it once')
    .addOption(new Option('--role <role>', 'what the key may do').choices([...API_KEY_ROLES]).makeOptionMandatory())
    .requiredOption('--name <name>', 'who uses it, e.g. "CRM sales integration"')
    .action((options: { role: ApiKeyRole; name: string }) => void (pending = (c) => commands.createKey(c, options)));
  keys.command('list').description('lists keys (never the keys themselves)').action(() => void (pending = (c) => commands.listKeys(c)));
  keys.command('revoke <id>').description('revokes a key at once').action((id: string) => void (pending = (c) => commands.revokeKey(c, id)));

  const users = program.command('users').description('people who log in to the dashboard');
  users
    .command('create')
    .description('creates a user; without --password a random one is printed once')
    .requiredOption('--email <email>', 'login email')
    .addOption(new Option('--role <role>', 'ops or admin').choices([...USER_ROLES]).default('ops'))
    .addOption(new Option('--password <password>', 'at least 12 characters').env('OMT_NEW_USER_PASSWORD'))
    .action((options: { email: string; role: UserRole; password?: string }) => void (pending = (c) => commands.createUser(c, options)));
  users.command('list').description('lists users').action(() => void (pending = (c) => commands.listUsers(c)));
  users
    .command('set-password')
    .description('sets a new password and ends the user’s sessions')
    .requiredOption('--email <email>', 'login email')
    .addOption(new Option('--password <password>', 'at least 12 characters').env('OMT_NEW_USER_PASSWORD'))
    .action((options: { email: string; password?: string }) => void (pending = (c) => commands.setPassword(c, options)));

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return typeof code === 'number' ? code : 1; // commander has printed the usage problem
  }
  if (!pending) {
    io.err(program.helpInformation());
    return 1;
  }
  const json = Boolean(program.opts<{ json: boolean }>().json);

  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    io.err(isOmtError(error) ? `ops: ${error.message}` : String(error));
    return 78;
  }
  const logger = createLogger('warn', 'omt-ops');
  if (config.migrateOnStart) await migrateDatabase(config.databaseUrl, logger);
  const context = await NestFactory.createApplicationContext(CliModule.forRoot(config, logger), { logger: false });
  try {
    const result = await pending(context.get(CredentialsService));
    io.out(json ? JSON.stringify(result.data, null, 2) : result.human);
    return 0;
  } catch (error) {
    if (!isOmtError(error)) throw error;
    io.err(json ? JSON.stringify(error.toEnvelope()) : `ops: ${error.message}${error.details.length ? ` (${error.details.map((d) => `${d.path}: ${d.message}`).join('; ')})` : ''}`);
    return 1;
  } finally {
    await context.close();
  }
}

if (require.main === module) {
  runOps(process.argv.slice(2), process.env, {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
