/**
 * Connection URLs carry passwords (postgres://user:secret@host/db). Anything
 * that may reach a log line or a terminal goes through here first: the
 * password becomes `***`, the rest stays readable for whoever debugs it.
 */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^:/?#@\s]*):([^@/\s]*)@/gi;
// libpq-style key=value strings and pg's ConnectionParameters printed as text.
const PASSWORD_FIELD = /(\bpassword\b["']?\s*[:=]\s*)(["']?)[^\s"',}]+\2/gi;

export function maskSecrets(text: string): string {
  return text.replace(URL_CREDENTIALS, "$1$2:***@").replace(PASSWORD_FIELD, "$1$2***$2");
}

/**
 * An error as a log line may show it: type, code and message and stack with
 * credentials masked, and nothing else. pg errors carry the client that raised
 * them (`err.client`, with its connection parameters and password), so enumerable
 * extras are never copied wholesale.
 */
export function safeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: maskSecrets(String(error)) };
  const shown: Record<string, unknown> = { type: error.name, message: maskSecrets(error.message) };
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  if (typeof code === "string" || typeof code === "number") shown.code = code;
  if (typeof severity === "string") shown.severity = severity;
  if (error.stack) shown.stack = maskSecrets(error.stack);
  if (error.cause !== undefined) shown.cause = safeError(error.cause);
  return shown;
}
