import type { Pool } from "pg";

/**
 * What is wrong with the role the service connects as, if anything. RLS binds
 * a role only if it is no superuser, has no BYPASSRLS and owns no CRM table
 * (an owner can switch RLS off and passes the relay's owner policy).
 */
export async function runtimeRoleProblems(pool: Pick<Pool, "query">): Promise<string[]> {
  const { rows } = await pool.query<{ name: string; superuser: boolean; bypassrls: boolean; owned: number }>(`
    SELECT r.rolname AS name, r.rolsuper AS superuser, r.rolbypassrls AS bypassrls,
      (SELECT count(*)::int FROM pg_tables t WHERE t.schemaname = 'public' AND t.tablename IN ('lead', 'activity', 'outbox') AND t.tableowner = current_user) AS owned
    FROM pg_roles r WHERE r.rolname = current_user`);
  const [role] = rows;
  if (!role) return [];
  const problems: string[] = [];
  if (role.superuser) problems.push(`${role.name} is a superuser`);
  if (role.bypassrls) problems.push(`${role.name} bypasses row-level security`);
  if (role.owned > 0) problems.push(`${role.name} owns the CRM tables (use a separate DATABASE_MIGRATION_URL owner)`);
  return problems;
}
