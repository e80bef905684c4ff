// GraphQL documents shared by the API tests: what the admin UI sends.

export const LEAD_FIELDS = `
  id name email phone company source status score version tags lostReason
  estimatedValue { amountMinor currency }
  enrichment { domain name employeeCount industry }
  owner { id } campaign { id }
  createdAt updatedAt convertedAt`;

export const CAPTURE = `mutation Capture($input: CaptureLeadInput!) { captureLead(input: $input) { ${LEAD_FIELDS} } }`;
export const UPDATE_CONTACT = `mutation Update($input: UpdateLeadContactInput!) { updateLeadContact(input: $input) { ${LEAD_FIELDS} } }`;
export const ASSIGN = `mutation Assign($id: ID!, $ownerId: ID!, $v: Int) { assignLead(id: $id, ownerId: $ownerId, expectedVersion: $v) { ${LEAD_FIELDS} } }`;
export const CONTACT = `mutation Contact($id: ID!, $v: Int) { markLeadContacted(id: $id, expectedVersion: $v) { ${LEAD_FIELDS} } }`;
export const QUALIFY = `mutation Qualify($id: ID!, $value: MoneyInput!, $v: Int) { qualifyLead(id: $id, estimatedValue: $value, expectedVersion: $v) { ${LEAD_FIELDS} } }`;
export const CONVERT = `mutation Convert($id: ID!, $v: Int) { convertLead(id: $id, expectedVersion: $v) { ${LEAD_FIELDS} } }`;
export const LOSE = `mutation Lose($id: ID!, $reason: String!, $v: Int) { markLeadLost(id: $id, reason: $reason, expectedVersion: $v) { ${LEAD_FIELDS} } }`;
export const REOPEN = `mutation Reopen($id: ID!, $v: Int) { reopenLead(id: $id, expectedVersion: $v) { ${LEAD_FIELDS} } }`;
export const LOG_ACTIVITY = `mutation Log($leadId: ID!, $input: LogActivityInput!) { logLeadActivity(leadId: $leadId, input: $input) { id type summary occurredAt actor { id } } }`;
export const TAG = `mutation Tag($id: ID!, $tags: [String!]!) { tagLead(id: $id, tags: $tags) { ${LEAD_FIELDS} } }`;
export const UNTAG = `mutation Untag($id: ID!, $tags: [String!]!) { untagLead(id: $id, tags: $tags) { ${LEAD_FIELDS} } }`;
export const DELETE = `mutation Delete($id: ID!) { deleteLead(id: $id) }`;
export const LEAD = `query Lead($id: ID!) { lead(id: $id) { ${LEAD_FIELDS} activities(first: 10) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id type summary occurredAt actor { id } } } } } }`;
export const LEADS = `query Leads($filter: LeadFilter, $orderBy: LeadOrder, $first: Int, $after: String) {
  leads(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name email score createdAt updatedAt status } } } }`;
export const PIPELINE = `query Pipeline($ownerId: ID) { pipelineSummary(ownerId: $ownerId) {
  totalLeads conversionRate stages { status count estimatedValue { amountMinor currency } } } }`;

let emailCounter = 0;
/** A capture input with a unique email. */
export function aCapture(overrides: Record<string, unknown> = {}) {
  emailCounter += 1;
  return { name: `Lead ${emailCounter}`, email: `lead${emailCounter}.${Date.now()}@example.com`, source: "WEBSITE_FORM", ...overrides };
}
