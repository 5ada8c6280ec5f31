// The network domain's plain data now lives in src-preload/network/model.ts, where the contract and
// the renderer can share it; this path re-exports it for code written against the old one.
export * from '../../src-preload/network/model';
