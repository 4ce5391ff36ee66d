import type pg from "pg";

/**
 * One limit Postgres puts on this connection's role and database: `limit` connections at once,
 * `inUse` of them open when read (the reading connection included).
 * - `server`: max_connections, less the slots reserved for superusers and, from Postgres 16, for
 *   members of pg_use_reserved_connections, unless this role may use them;
 * - `role`: the role's CONNECTION LIMIT (`rolconnlimit`);
 * - `database`: the database's CONNECTION LIMIT (`datconnlimit`).
 */
export interface ConnectionLimit {
  scope: "server" | "role" | "database";
  limit: number;
  inUse: number;
}

export interface ConnectionLimits {
  role: string;
  database: string;
  /** max_connections itself, and the slots of it this role may not use. */
  maxConnections: number;
  reserved: number;
  /** The limits that apply to this role; a superuser is held by none but max_connections. */
  limits: ConnectionLimit[];
}

interface LimitsRow {
  role: string;
  database: string;
  superuser: boolean;
  role_limit: number;
  database_limit: number;
  max_connections: number;
  superuser_reserved: number;
  reserved: number;
  uses_reserved: boolean;
  server_in_use: number;
  role_in_use: number;
  database_in_use: number;
}

/**
 * Everything here is readable by any role: the settings, pg_roles, pg_database, and the
 * pg_stat_activity columns counted (datid, usesysid; without pg_read_all_stats another role's
 * backend_type reads null, so a row with a user and no type is taken for a client). Background
 * processes have their own slots and no user. `reserved_connections` and
 * pg_use_reserved_connections exist from Postgres 16; before, neither is there and neither counts.
 */
const LIMITS_QUERY = `
  with me as (
    select r.oid as role_oid, r.rolname, r.rolsuper, r.rolconnlimit, d.oid as db_oid, d.datname, d.datconnlimit
      from pg_roles r, pg_database d
     where r.rolname = current_user and d.datname = current_database()
  ), clients as (
    select usesysid, datid from pg_stat_activity
     where usesysid is not null and coalesce(backend_type, 'client backend') = 'client backend'
  )
  select me.rolname as role, me.datname as database, me.rolsuper as superuser,
         me.rolconnlimit as role_limit, me.datconnlimit as database_limit,
         current_setting('max_connections')::int as max_connections,
         current_setting('superuser_reserved_connections')::int as superuser_reserved,
         coalesce(current_setting('reserved_connections', true), '0')::int as reserved,
         case when to_regrole('pg_use_reserved_connections') is null then false
              else pg_has_role(current_user, 'pg_use_reserved_connections', 'member') end as uses_reserved,
         (select count(*) from clients)::int as server_in_use,
         (select count(*) from clients where usesysid = me.role_oid)::int as role_in_use,
         (select count(*) from clients where datid = me.db_oid)::int as database_in_use
    from me`;

/**
 * The connection limits that apply to the pool's role and database, as the server enforces them
 * when a connection opens (postinit.c): a superuser ignores the role's and the database's limits
 * and the reserved slots.
 */
export async function readConnectionLimits(pool: pg.Pool): Promise<ConnectionLimits> {
  const { rows } = await pool.query<LimitsRow>(LIMITS_QUERY);
  const row = rows[0];
  if (row === undefined) throw new Error("the connection's own role and database were not found");
  const reserved = row.superuser ? 0 : row.superuser_reserved + (row.uses_reserved ? 0 : row.reserved);
  const limits: ConnectionLimit[] = [
    { scope: "server", limit: row.max_connections - reserved, inUse: row.server_in_use },
  ];
  if (!row.superuser && row.role_limit >= 0) {
    limits.push({ scope: "role", limit: row.role_limit, inUse: row.role_in_use });
  }
  if (!row.superuser && row.database_limit >= 0) {
    limits.push({ scope: "database", limit: row.database_limit, inUse: row.database_in_use });
  }
  return { role: row.role, database: row.database, maxConnections: row.max_connections, reserved, limits };
}
