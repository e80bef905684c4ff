// The object mother lives in lead-builder.ts; this name stays for the property-based tests in tests/hardening.
export { aChange, aLead, later, LEAD_ID, NOW, OTHER_REP, REP, TENANT } from "./lead-builder";
export { errorOf } from "./refused";
