/** What company enrichment learned about the lead's company. */
export interface CompanyProfile {
  domain: string;
  name: string | null;
  employeeCount: number | null;
  industry: string | null;
}

export function sameProfile(a: CompanyProfile | null, b: CompanyProfile | null): boolean {
  if (a === null || b === null) return a === b;
  return a.domain === b.domain && a.name === b.name && a.employeeCount === b.employeeCount && a.industry === b.industry;
}
