/**
 * The parts of the subgraph's SDL that are Apollo Federation's plumbing, not API: the
 * gateway calls `_entities` and `_service` and composes with the `link__*` and
 * `federation__*` definitions; clients of the supergraph never see them. Their meaning is
 * the federation spec's, so the API reference leaves them out and the description check
 * does not ask this project to describe them.
 */
const INTERNAL_TYPE = /^(_Any|_Entity|_Service|link__\w+|federation__\w+)$/;
const INTERNAL_QUERY_FIELDS = new Set(["_entities", "_service"]);

export function isFederationInternalType(name: string): boolean {
  return INTERNAL_TYPE.test(name);
}

export function isFederationInternalField(typeName: string, fieldName: string): boolean {
  return typeName === "Query" && INTERNAL_QUERY_FIELDS.has(fieldName);
}
