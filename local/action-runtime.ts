/**
 * Runs a deployed Event Stream Action the way Auth0 does, so local delivery and tests exercise
 * the exact string a0deploy uploads:
 * - the code runs in a fresh CommonJS module wrapper (module, exports, require, console), with no
 *   access to this repository's sources;
 * - `require` sees Node built-ins and the Action's declared npm dependencies only, each at exactly
 *   its declared version (Auth0 installs what tenant.yaml declares, nothing else);
 * - `api.cache` keeps Auth0's documented limits (string values, about 20 entries, 4 kB a value,
 *   15 min default lifetime, best effort);
 * - one execution gets 20 s, after which it counts as failed.
 */
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';

export interface ActionDependency {
  name: string;
  version: string;
}

export interface CacheRecord {
  value: string;
  expires_at: number;
}

export type CacheWriteResult = { type: 'success' } | { type: 'error'; code: string };

export interface ActionCache {
  get(key: string): CacheRecord | undefined;
  set(key: string, value: string, options?: { ttl?: number; expires_at?: number }): CacheWriteResult;
  delete(key: string): CacheWriteResult;
}

export interface EventStreamApi {
  cache: ActionCache;
}

export interface EventStreamEvent {
  message: unknown;
  secrets: Record<string, string>;
}

export type OnExecuteEventStream = (event: EventStreamEvent, api: EventStreamApi) => Promise<void>;

export const CACHE_LIMITS = {
  maxEntries: 20,
  maxValueBytes: 4096,
  maxKeyLength: 64,
  defaultTtlMs: 15 * 60 * 1000,
  maxTtlMs: 24 * 60 * 60 * 1000,
} as const;

export const EXECUTION_LIMIT_MS = 20_000;

/** An in-memory `api.cache` with Auth0's limits. When full, the oldest record is evicted (best effort). */
export function createActionCache(now: () => number = Date.now, limits = CACHE_LIMITS): ActionCache {
  const records = new Map<string, CacheRecord>();
  const live = (key: string): CacheRecord | undefined => {
    const record = records.get(key);
    if (record && record.expires_at <= now()) {
      records.delete(key);
      return undefined;
    }
    return record;
  };
  return {
    get: (key) => {
      const record = live(key);
      return record ? { ...record } : undefined;
    },
    set(key, value, options = {}) {
      if (typeof key !== 'string' || key.length === 0 || key.length > limits.maxKeyLength) {
        return { type: 'error', code: 'invalid_key' };
      }
      if (typeof value !== 'string') return { type: 'error', code: 'invalid_value' };
      if (Buffer.byteLength(value) > limits.maxValueBytes) return { type: 'error', code: 'value_too_large' };
      const requested = options.expires_at ?? now() + (options.ttl ?? limits.defaultTtlMs);
      const expires_at = Math.min(requested, now() + limits.maxTtlMs);
      records.delete(key);
      if (records.size >= limits.maxEntries) {
        const oldest = records.keys().next().value;
        if (oldest !== undefined) records.delete(oldest);
      }
      records.set(key, { value, expires_at });
      return { type: 'success' };
    },
    delete(key) {
      return records.delete(key) ? { type: 'success' } : { type: 'error', code: 'not_found' };
    },
  };
}

export interface LoadOptions {
  dependencies: ActionDependency[];
  /** Where declared dependencies are resolved from (a folder holding node_modules). */
  resolveFrom?: string;
  console?: Pick<Console, 'log' | 'info' | 'warn' | 'error' | 'debug'>;
  filename?: string;
}

const BUILTINS = new Set(builtinModules);

function installedVersion(resolveFrom: string, name: string): string | undefined {
  try {
    const pkgPath = createRequire(path.join(resolveFrom, 'noop.js')).resolve(`${name}/package.json`);
    return (JSON.parse(fs.readFileSync(pkgPath, 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** A `require` that exposes built-ins and the declared dependencies at their declared versions only. */
export function createActionRequire(dependencies: ActionDependency[], resolveFrom: string): NodeJS.Require {
  const hostRequire = createRequire(path.join(resolveFrom, 'noop.js'));
  const declared = new Map(dependencies.map((d) => [d.name, d.version]));
  for (const { name, version } of dependencies) {
    const found = installedVersion(resolveFrom, name);
    if (found !== version) {
      throw new Error(
        `Action dependency ${name}@${version} cannot be installed here (found ${found ?? 'none'}): pin it to the version in package-lock.json`,
      );
    }
  }
  const actionRequire = ((id: string) => {
    const bare = id.startsWith('node:') ? id.slice(5) : id;
    if (BUILTINS.has(bare)) return hostRequire(id);
    const pkgName = id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0]!;
    if (!declared.has(pkgName)) {
      const error = new Error(`Cannot find module '${id}'`) as Error & { code: string };
      error.code = 'MODULE_NOT_FOUND';
      throw error;
    }
    return hostRequire(id);
  }) as NodeJS.Require;
  return Object.assign(actionRequire, { resolve: hostRequire.resolve, cache: {}, main: undefined });
}

/** Evaluates the Action's code in a fresh module wrapper and returns its exports. */
export function loadActionModule(code: string, options: LoadOptions): Record<string, unknown> {
  const filename = options.filename ?? '/action/code.js';
  // Compiled in the caller's realm, so the Action sees the same globals (fetch, timers) as the host,
  // exactly like Node's own CommonJS wrapper. The source URL keeps stack traces readable.
  const wrapper = new Function(
    'exports',
    'require',
    'module',
    '__filename',
    '__dirname',
    'console',
    `${code}\n//# sourceURL=${filename}`,
  ) as (...args: unknown[]) => void;
  const module = { exports: {} as Record<string, unknown> };
  const actionRequire = createActionRequire(options.dependencies, options.resolveFrom ?? process.cwd());
  wrapper.call(
    module.exports,
    module.exports,
    actionRequire,
    module,
    filename,
    path.dirname(filename),
    options.console ?? console,
  );
  return module.exports;
}

export function loadEventStreamHandler(code: string, options: LoadOptions): OnExecuteEventStream {
  const handler = loadActionModule(code, options).onExecuteEventStream;
  if (typeof handler !== 'function') {
    throw new Error('The Action does not export onExecuteEventStream');
  }
  return handler as OnExecuteEventStream;
}

export class ExecutionTimeoutError extends Error {
  constructor(limitMs: number) {
    super(`Action execution exceeded ${limitMs} ms`);
    this.name = 'ExecutionTimeoutError';
  }
}

/**
 * One execution: resolves when the handler resolves; rejects when it throws or exceeds the limit
 * (Auth0 then marks the delivery failed and retries it).
 */
export async function executeEventStreamAction(
  handler: OnExecuteEventStream,
  event: EventStreamEvent,
  api: EventStreamApi,
  limitMs: number = EXECUTION_LIMIT_MS,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ExecutionTimeoutError(limitMs)), limitMs);
  });
  try {
    await Promise.race([handler(event, api), limit]);
  } finally {
    clearTimeout(timer);
  }
}
