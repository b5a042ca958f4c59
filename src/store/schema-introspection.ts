/**
 * What Kysely's migrator needs to know of the database — does our schema exist, which tables are in
 * it — answered by looking at that one schema only.
 *
 * Kysely's own PostgreSQL introspector reads every table of every schema on the server, calling
 * `has_schema_privilege` and `pg_get_serial_sequence` on each; when another schema on the same server
 * is dropped while that query runs (another study's, or another test file's), the query fails with
 * "schema … does not exist", and so would our migration. Asking about our schema alone cannot meet
 * another's drop, and does not slow down as the server holds more schemas.
 */
import { sql, type DatabaseIntrospector, type DatabaseMetadata, type Kysely, type SchemaMetadata, type TableMetadata } from 'kysely';

export function schemaIntrospector(db: Kysely<any>, schema: string): DatabaseIntrospector {
  const tables = async (): Promise<TableMetadata[]> => {
    const { rows } = await sql<{ name: string; kind: string }>`
      select c.relname as name, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${schema} and c.relkind in ('r', 'v', 'p')
      order by c.relname`.execute(db);
    // The migrator only asks whether its own tables exist, so columns are not read.
    return rows.map((r) => ({ name: r.name, schema, isView: r.kind === 'v', columns: [] }));
  };
  return {
    async getSchemas(): Promise<SchemaMetadata[]> {
      const { rows } = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(db);
      return rows;
    },
    getTables: tables,
    async getMetadata(): Promise<DatabaseMetadata> {
      return { tables: await tables() };
    },
  };
}

/**
 * The same database handle with `introspection` answered by `schemaIntrospector`. Kysely builds its
 * introspector from the dialect and offers no way to pass another, so the handle is wrapped; every
 * other property and method is the handle's own, called on the handle itself (its private fields
 * are not reachable through a proxy).
 */
export function withSchemaIntrospection<DB>(db: Kysely<DB>, schema: string): Kysely<DB> {
  const introspection = schemaIntrospector(db as Kysely<any>, schema);
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') return introspection;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
