/**
 * auth0-deploy-cli requires chalk 5 and @clack/prompts, which are ESM-only: Node 20.19+ loads them,
 * jest's module registry cannot. Tests that load deploy-cli in-process (its schema, its YAML
 * loader) replace these two terminal-display libraries; tests that run a0deploy itself use a child
 * process and the real ones.
 */
type Fn = ((...args: unknown[]) => unknown) & Record<string, unknown>;

// chalk: every style (chalk.green, chalk.bold.red, ...) returns its text unchanged.
const style: Fn = new Proxy(((s: unknown) => String(s)) as Fn, {
  get: (_t, p) => (p === '__esModule' ? false : style),
});
export const chalkMock = { __esModule: true, default: style };

// @clack/prompts: display-only calls do nothing.
const noop: Fn = new Proxy((() => noop) as unknown as Fn, { get: () => noop });
export const clackMock = new Proxy({ __esModule: true } as Record<string, unknown>, {
  get: (t, p) => (p in t ? t[p as string] : noop),
});
