import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";

export interface StandIn {
  url: string;
  stop(): Promise<void>;
}

const LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])`;

/**
 * PageInfo is shared by every subgraph that pages (@shareable): each must
 * declare the same fields, or composition hints at an inconsistent value type.
 * Relay-complete since contract increment 2a.
 */
const SHARED_PAGE_INFO = `type PageInfo @shareable { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }`;

async function serve(typeDefs: string, resolvers: Record<string, unknown>): Promise<StandIn> {
  const server = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs: parse(typeDefs), resolvers: resolvers as never }) });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: "127.0.0.1" } });
  return { url, stop: () => server.stop() };
}

/** The identity subgraph as far as the CRM needs it: users with names. */
export function startIdentity(users: { id: string; name: string; email: string }[]): Promise<StandIn> {
  const byId = new Map(users.map((user) => [user.id, user]));
  return serve(
    `${LINK}
     type User @key(fields: "id") { id: ID! name: String! email: String! }
     type Query { users: [User!]! }`,
    {
      Query: { users: () => users },
      User: { __resolveReference: (ref: { id: string }) => byId.get(ref.id) ?? { id: ref.id, name: "unknown", email: "" } },
    },
  );
}

/** The campaigns subgraph: campaign names, also as one page of a connection (sharing PageInfo). */
export function startCampaigns(campaigns: { id: string; name: string }[]): Promise<StandIn> {
  const byId = new Map(campaigns.map((campaign) => [campaign.id, campaign]));
  return serve(
    `${LINK}
     ${SHARED_PAGE_INFO}
     type Campaign @key(fields: "id") { id: ID! name: String! }
     type CampaignConnection { nodes: [Campaign!]! pageInfo: PageInfo! }
     type Query { campaigns: [Campaign!]! campaignPage: CampaignConnection! }`,
    {
      Query: {
        campaigns: () => campaigns,
        campaignPage: () => ({
          nodes: campaigns,
          pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: campaigns[0]?.id ?? null, endCursor: campaigns.at(-1)?.id ?? null },
        }),
      },
      Campaign: { __resolveReference: (ref: { id: string }) => byId.get(ref.id) ?? null },
    },
  );
}
