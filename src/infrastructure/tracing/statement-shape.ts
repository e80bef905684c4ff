/**
 * A SQL statement's shape for a span: string and number literals become `?`,
 * so a value written into the text (the read store's tenant setting, a
 * LIMIT) never leaves as an attribute. Parameters ($1) are kept as they are:
 * their values are never recorded.
 */
const STRING_LITERAL = /(?:\b[eE])?'(?:[^']|'')*'/g;
const DOLLAR_QUOTED = /\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$/g;
const NUMBER_LITERAL = /(?<![\w$."])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w"])/g;
const MAX_LENGTH = 2048;
const MAX_CACHED = 1000;

// Statements come in few shapes (values are parameters): each text is masked once.
const shapes = new Map<string, string>();

export function statementShape(text: string): string {
  const cached = shapes.get(text);
  if (cached !== undefined) return cached;
  const masked = text.replace(DOLLAR_QUOTED, "?").replace(STRING_LITERAL, "?").replace(NUMBER_LITERAL, "?").replace(/\s+/g, " ").trim();
  const shape = masked.length > MAX_LENGTH ? `${masked.slice(0, MAX_LENGTH)}...` : masked;
  if (shapes.size < MAX_CACHED) shapes.set(text, shape);
  return shape;
}

/** The statement's first keyword (SELECT, INSERT, BEGIN...): the span's name, as the database conventions suggest. */
export function statementOperation(shape: string): string {
  const match = /^\(?\s*([A-Za-z]+)/.exec(shape);
  return match ? match[1].toUpperCase() : "SQL";
}
