// The network domain's zod schemas now live in src-preload/network/schemas.ts, where the contract
// can take them; this path re-exports them for code written against the old one.
export * from '../../src-preload/network/schemas';
