export * from './session';
export * from './identifiers';
export * from './pg-ddl';
export * from './table-digest';
export * from './tenant-names';
export * from './pg-column-type';
export * from './pg-column-structure';
export * from './pg-index-ddl';
