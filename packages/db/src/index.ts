export * from './dialect.js';
export { sql } from './kysely.js';
export * from './migrations.js';
export * from './open-database.js';
export * from './schema.js';
export * from './scratch-postgres.js';
