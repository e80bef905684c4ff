import pino, { type Logger } from "pino";

export type { Logger };

/**
 * JSON logs. Tokens, emails and phone numbers never go out at info: the
 * redaction list catches the places they could appear by accident.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "crm-subgraph" },
      redact: {
        paths: ["req.headers.authorization", "authorization", "token", "*.email", "*.phone", "variables"],
        censor: "[redacted]",
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
