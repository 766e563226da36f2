export * from './session';
export * from './identifiers';
export * from './pg-ddl';
export * from './table-digest';
export * from './tenant-names';
