// Placeholder type so the IR compiles; the regex-dialect work replaces this file
// with the full AST of the supported regex dialect.
export type RegexAst = { t: string; [k: string]: unknown };
