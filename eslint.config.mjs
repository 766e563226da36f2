// One lint setup for every project.
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

/**
 * The rooms of apps/ops-api/src and the rooms each may import (see
 * docs/ARCHITECTURE.md, which holds the same table): a room imports only
 * rooms listed here, so imports run one way. The entry files at the root
 * may import every room.
 */
const OPS_API_ROOMS = {
  config: [],
  common: [],
  redis: [],
  generated: [],
  prisma: ['config', 'generated'],
  audit: ['prisma', 'generated'],
  auth: ['common', 'config', 'prisma', 'redis'],
  events: ['auth', 'common', 'config', 'redis'],
  leases: ['auth', 'common', 'config', 'redis'],
  storage: ['common', 'config'],
  queues: ['common', 'config', 'redis'],
  'ticket-state': ['audit', 'auth', 'common', 'events', 'generated', 'leases', 'prisma'],
  ledger: ['audit', 'common', 'events', 'generated', 'prisma', 'queues', 'ticket-state'],
  tenants: ['config', 'ledger', 'queues'],
  uploads: ['auth', 'common', 'config', 'leases', 'ledger', 'queues', 'storage', 'ticket-state'],
  documents: ['auth', 'common', 'config', 'leases', 'ledger', 'queues', 'storage', 'tenants'],
  'table-import': ['common', 'ledger', 'queues', 'storage', 'tenants'],
  verification: ['common', 'documents', 'ledger', 'queues', 'tenants', 'ticket-state'],
  configuration: ['common', 'documents', 'ledger', 'queues', 'tenants', 'ticket-state'],
  retention: ['audit', 'common', 'config', 'generated', 'prisma', 'queues', 'storage'],
  tickets: [
    'audit',
    'auth',
    'common',
    'config',
    'events',
    'generated',
    'ledger',
    'prisma',
    'queues',
    'retention',
    'storage',
    'tenants',
    'ticket-state',
  ],
  'queue-health': ['auth', 'common', 'config', 'events', 'generated', 'ledger', 'prisma', 'queues', 'ticket-state'],
  health: ['auth', 'common', 'config', 'prisma', 'redis'],
  worker: ['common', 'config', 'events', 'ledger', 'queues', 'redis', 'ticket-state'],
  cli: ['auth', 'common', 'config', 'prisma'],
};

/** The table must not allow a circle: otherwise two rooms could import each other after all. */
function assertNoCycle(rooms) {
  const state = new Map();
  const visit = (room, path) => {
    if (!(room in rooms)) throw new Error(`OPS_API_ROOMS: ${path.at(-1)} may use '${room}', which is no room.`);
    if (state.get(room) === 'done') return;
    if (state.get(room) === 'open') throw new Error(`OPS_API_ROOMS has a cycle: ${[...path, room].join(' → ')}.`);
    state.set(room, 'open');
    for (const used of rooms[room]) visit(used, [...path, room]);
    state.set(room, 'done');
  };
  for (const room of Object.keys(rooms)) visit(room, []);
}
assertNoCycle(OPS_API_ROOMS);

const OPS_API_SRC = 'apps/ops-api/src';

/** A new folder must be placed in the table, or the rule would not see it. */
const unplaced = readdirSync(new URL(OPS_API_SRC, import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !(entry.name in OPS_API_ROOMS))
  // an empty folder left behind by a checkout holds nothing to check
  .filter((entry) => readdirSync(new URL(`${OPS_API_SRC}/${entry.name}`, import.meta.url)).length > 0)
  .map((entry) => entry.name);
if (unplaced.length > 0) {
  throw new Error(
    `${OPS_API_SRC} has folders missing from OPS_API_ROOMS in eslint.config.mjs: ${unplaced.join(', ')}.`,
  );
}
const roomZones = Object.entries(OPS_API_ROOMS).map(([room, uses]) => ({
  target: `${OPS_API_SRC}/${room}`,
  from: Object.keys(OPS_API_ROOMS)
    .filter((other) => other !== room && !uses.includes(other))
    .map((other) => `${OPS_API_SRC}/${other}`),
  message: `${room}/ may use only ${uses.join(', ') || 'no other room'} (docs/ARCHITECTURE.md).`,
}));

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.nx/**',
      '.omt/**',
      'apps/ops-api/src/generated/**',
      'test-results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      // Flags the last `++id` of an id counter in generators; more noise than help here.
      'no-useless-assignment': 'off',
    },
  },
  {
    files: [`${OPS_API_SRC}/**/*.ts`],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })] },
    rules: { 'import-x/no-restricted-paths': ['error', { zones: roomZones }] },
  },
  {
    files: ['apps/ops-dashboard/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
