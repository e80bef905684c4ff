/** What company enrichment learned about the lead's company. Plain data: it is also the LeadEnriched payload. */
export interface CompanyProfile {
  domain: string;
  name: string | null;
  employeeCount: number | null;
  industry: string | null;
}

/** Enrichment re-delivered with nothing new must not count as a change. */
export function sameProfile(a: CompanyProfile | null, b: CompanyProfile | null): boolean {
  if (a === null || b === null) return a === b;
  return a.domain === b.domain && a.name === b.name && a.employeeCount === b.employeeCount && a.industry === b.industry;
}
