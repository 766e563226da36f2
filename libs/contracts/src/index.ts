export * from './errors';
export * from './migration-state';
export * from './ticket';
export * from './health';
export * from './source-schema';
export * from './jobs';
export * from './events';
