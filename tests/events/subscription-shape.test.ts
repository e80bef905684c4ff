import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { GraphQLSchema } from "graphql";
import type { AuthState, Role } from "../../src/infrastructure/auth/principal";
import { OperationPipeline, type PreparedOperation } from "../../src/graphql/operation-pipeline";
import { buildCrmSubgraphSchema } from "../../src/graphql/schema";
import { subscriptionShapeOf } from "../../src/graphql/subscription-shape";
import { InProcessEventBus } from "../../src/infrastructure/events/in-process-event-bus";
import { createLogger } from "../../src/infrastructure/logger";
import type { ApiServices } from "../../src/graphql/context";

// What decides whether two subscribers share one execution per event: the
// document, the declared variables' values, the tenant and the roles; never
// the user, the key order of the variables, or the order of the roles.

const QUERY = `subscription($leadId: ID, $types: [LeadEventType!], $after: ID) { leadEvents(leadId: $leadId, types: $types, after: $after) { eventId type } }`;
const TENANT = randomUUID();
let schema: GraphQLSchema;
let pipeline: OperationPipeline;

beforeAll(async () => {
  const bus = new InProcessEventBus();
  schema = await buildCrmSubgraphSchema(bus);
  pipeline = new OperationPipeline({ schema, services: {} as ApiServices, production: true, logger: createLogger("silent") });
});

const caller = (roles: Role[], tenantId = TENANT, userId = randomUUID()): AuthState => ({
  kind: "authenticated",
  principal: { tenantId, userId, roles, expiresAt: null },
});

function shapeOf(variables: Record<string, unknown>, auth: AuthState = caller(["viewer"]), query = QUERY): string | null {
  const prepared = pipeline.prepare({ query, variables });
  if (Array.isArray(prepared)) throw new Error(prepared.map((error) => error.message).join("; "));
  return subscriptionShapeOf(schema, query, prepared as PreparedOperation, auth);
}

describe("the shape of a subscription", () => {
  it("is the same for two users of a tenant with the same roles, whatever the order of roles and variable keys", () => {
    const leadId = randomUUID();
    const a = shapeOf({ leadId, types: ["LEAD_ASSIGNED"] }, caller(["viewer", "sales_rep"]));
    const b = shapeOf({ types: ["LEAD_ASSIGNED"], leadId }, caller(["sales_rep", "viewer"]));
    expect(a).not.toBeNull();
    expect(a).toBe(b);
  });

  it("differs by tenant, by roles, by variable values, by document, and between a variable left out and one sent as null", () => {
    const base = shapeOf({});
    const others = [
      shapeOf({}, caller(["viewer"], randomUUID())),
      shapeOf({}, caller(["admin"])),
      shapeOf({ leadId: randomUUID() }),
      shapeOf({ types: ["LEAD_CAPTURED"] }),
      shapeOf({ leadId: null }),
      shapeOf({}, caller(["viewer"]), QUERY.replace("eventId type", "eventId type version")),
    ];
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });

  it("is none for a resume (after: replays the subscriber's own history) and for an unauthenticated caller", () => {
    expect(shapeOf({ after: randomUUID() })).toBeNull();
    expect(shapeOf({ after: null })).not.toBeNull();
    expect(shapeOf({}, { kind: "anonymous" })).toBeNull();
  });
});
