// The part of graphql-markdown (a devDependency, plain JavaScript) that the API reference uses.
declare module "graphql-markdown" {
  import type { IntrospectionQuery } from "graphql";

  export interface RenderSchemaOptions {
    title?: string;
    prologue?: string;
    epilogue?: string;
    skipTableOfContents?: boolean;
    headingLevel?: number;
    /** Receives the document line by line (console.log when omitted). */
    printer?: (line: string) => void;
  }

  export function renderSchema(schema: IntrospectionQuery, options?: RenderSchemaOptions): void;
}
