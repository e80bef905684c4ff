import { composeServices } from "@apollo/composition";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { parse } from "graphql";
import { startCampaigns, startIdentity } from "./stand-in-subgraphs";

export interface SubgraphEndpoint {
  name: string;
  url: string;
}

async function sdlOf(url: string): Promise<string> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ _service { sdl } }" }),
  });
  const body = (await response.json()) as { data: { _service: { sdl: string } } };
  return body.data._service.sdl;
}

type GatewayContext = { authorization?: string; traceparent?: string; tracestate?: string };

/** Composes the running subgraphs as `rover supergraph compose` would. */
export async function compose(subgraphs: SubgraphEndpoint[]) {
  const services = await Promise.all(
    subgraphs.map(async ({ name, url }) => ({ name, url, typeDefs: parse(await sdlOf(url)) })),
  );
  return composeServices(services);
}

/**
 * The supergraph behind @apollo/gateway (the Router is a downloaded binary),
 * forwarding the caller's Authorization header to every subgraph, and its W3C
 * trace context as the Router does with `propagation.trace_context: true`.
 */
export async function startGateway(supergraphSdl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url,
        willSendRequest({ request, context }) {
          if (context.authorization) request.http?.headers.set("authorization", context.authorization);
          if (context.traceparent) request.http?.headers.set("traceparent", context.traceparent);
          if (context.tracestate) request.http?.headers.set("tracestate", context.tracestate);
        },
      }),
  });
  const server = new ApolloServer<GatewayContext>({ gateway });
  const header = (value: string | string[] | undefined) => (typeof value === "string" ? value : undefined);
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: "127.0.0.1" },
    context: async ({ req }) => ({
      authorization: req.headers.authorization,
      traceparent: header(req.headers.traceparent),
      tracestate: header(req.headers.tracestate),
    }),
  });
  return { url, stop: () => server.stop() };
}

export async function postGraphQL(url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as { data?: any; errors?: any[]; extensions?: any }) };
}

export interface RunningSupergraph {
  /** The gateway's URL. */
  url: string;
  /** Composition hints, as text. */
  hints: string[];
  /** Stops the gateway and the stand-ins (the CRM subgraph is the caller's). */
  stop(): Promise<void>;
}

/** The CRM subgraph at `crmUrl` composed with identity and campaigns stand-ins, behind a gateway. */
export async function startSupergraph(
  crmUrl: string,
  users: { id: string; name: string; email: string }[],
  campaigns: { id: string; name: string }[],
): Promise<RunningSupergraph> {
  const identity = await startIdentity(users);
  const campaignsSubgraph = await startCampaigns(campaigns);
  const stopStandIns = async () => {
    await identity.stop();
    await campaignsSubgraph.stop();
  };
  const composed = await compose([
    { name: "crm", url: crmUrl },
    { name: "identity", url: identity.url },
    { name: "campaigns", url: campaignsSubgraph.url },
  ]);
  if (composed.errors) {
    await stopStandIns();
    throw new Error(composed.errors.map((error) => error.message).join("\n"));
  }
  const gateway = await startGateway(composed.supergraphSdl);
  return {
    url: gateway.url,
    hints: composed.hints.map((hint) => hint.toString()),
    async stop() {
      await gateway.stop();
      await stopStandIns();
    },
  };
}
