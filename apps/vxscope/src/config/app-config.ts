import { isIP } from 'node:net';

/**
 * The daemon's whole configuration, read once at start from the environment and the command line,
 * validated, and frozen. This is the only file that reads process.env.
 */
export interface AppConfig {
  /** Network namespaces to watch: names under /var/run/netns or paths to a netns file. Empty = the daemon's own. */
  readonly netns: readonly string[];
  /** Capture interfaces; empty = follow the underlay device of every vxlan device. */
  readonly interfaces: readonly string[];
  /** UDP ports decoded as VXLAN (besides each local vxlan device's dstport). */
  readonly ports: readonly number[];
  readonly listen: { readonly host: string; readonly port: number };
  /** libpcap snapshot length: outer + tunnel + inner L4 headers fit in the default. */
  readonly snaplen: number;
  /** libpcap buffer timeout (ms): how long the kernel may batch packets before waking us. */
  readonly bufferTimeoutMs: number;
  /** How often collectors send aggregated counters to the daemon (ms). */
  readonly flushIntervalMs: number;
  readonly logLevel: 'error' | 'warn' | 'log' | 'debug';
  /** Largest capture accepted by POST /api/captures, in bytes. */
  readonly uploadLimitBytes: number;
  /** Bearer token required by mutating endpoints; without one they run only while listening on loopback alone. */
  readonly token: string | undefined;
  /** Where labs are recorded (and later, history is kept). */
  readonly dataDir: string;
  /** Lab namespaces and devices are named `<labPrefix>-<id>-…`; the lab never touches other names. */
  readonly labPrefix: string;
  readonly maxLabs: number;
  /** Namespaces all labs together may hold. */
  readonly maxLabNamespaces: number;
  /** How often each collector re-dumps links, FDB and neighbours, so that changes missed while blind become events (ms). */
  readonly resyncIntervalMs: number;
  /** FDB flap detection: `moves` VTEP changes (or add/remove cycles) within `windowMs` raise; `quietMs` without a change clears. */
  readonly flap: { readonly moves: number; readonly windowMs: number; readonly quietMs: number };
  /** Kernel-change history (`<dataDir>/history.sqlite`) keeps rows at most this old … */
  readonly historyMaxAgeHours: number;
  /** … and at most this many rows. */
  readonly historyMaxRows: number;
}

/** Values given on the command line; each overrides its environment variable. */
export interface ConfigOverrides {
  netns?: string[];
  interfaces?: string[];
  ports?: string;
  listen?: string;
  snaplen?: string;
  logLevel?: string;
  token?: string;
  dataDir?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export const ENV = {
  netns: 'VXSCOPE_NETNS',
  interfaces: 'VXSCOPE_INTERFACES',
  ports: 'VXSCOPE_PORTS',
  listen: 'VXSCOPE_LISTEN',
  snaplen: 'VXSCOPE_SNAPLEN',
  bufferTimeoutMs: 'VXSCOPE_BUFFER_TIMEOUT_MS',
  flushIntervalMs: 'VXSCOPE_FLUSH_INTERVAL_MS',
  logLevel: 'VXSCOPE_LOG_LEVEL',
  uploadLimitMb: 'VXSCOPE_UPLOAD_LIMIT_MB',
  token: 'VXSCOPE_TOKEN',
  dataDir: 'VXSCOPE_DATA_DIR',
  labPrefix: 'VXSCOPE_LAB_PREFIX',
  maxLabs: 'VXSCOPE_MAX_LABS',
  maxLabNamespaces: 'VXSCOPE_MAX_LAB_NAMESPACES',
  resyncIntervalS: 'VXSCOPE_RESYNC_INTERVAL_S',
  flapMoves: 'VXSCOPE_FLAP_MOVES',
  flapWindowS: 'VXSCOPE_FLAP_WINDOW_S',
  flapQuietS: 'VXSCOPE_FLAP_QUIET_S',
  historyMaxAgeHours: 'VXSCOPE_HISTORY_MAX_AGE_HOURS',
  historyMaxRows: 'VXSCOPE_HISTORY_MAX_ROWS',
} as const;

const LOG_LEVELS = ['error', 'warn', 'log', 'debug'] as const;
// Linux IFNAMSIZ is 16 including the terminating NUL.
const IFNAME = /^[A-Za-z0-9_.:@-]{1,15}$/;
const NETNS_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function intIn(name: string, raw: string, min: number, max: number, problems: string[]): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name}: "${raw}" is not an integer in ${min}..${max}`);
    return min;
  }
  return n;
}

/** Parses and validates everything; throws one ConfigError naming every bad value. */
export function loadAppConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];

  const netns = overrides.netns?.length ? overrides.netns : list(env[ENV.netns]);
  for (const ns of netns) {
    if (!(ns.startsWith('/') ? !/[\0\n]/.test(ns) : NETNS_NAME.test(ns))) {
      problems.push(`netns (--netns / ${ENV.netns}): "${ns}" is neither a namespace name nor an absolute path`);
    }
  }

  const interfaces = overrides.interfaces?.length ? overrides.interfaces : list(env[ENV.interfaces]);
  for (const ifname of interfaces) {
    if (!IFNAME.test(ifname)) {
      problems.push(`interface (--interface / ${ENV.interfaces}): "${ifname}" is not a valid interface name`);
    }
  }

  const portsRaw = overrides.ports ?? env[ENV.ports] ?? '4789,8472';
  const ports = list(portsRaw).map((p) => intIn(`ports (--ports / ${ENV.ports})`, p, 1, 65535, problems));
  if (ports.length === 0) {
    problems.push(`ports (--ports / ${ENV.ports}): at least one UDP port is needed`);
  }

  const listenRaw = overrides.listen ?? env[ENV.listen] ?? '127.0.0.1:9789';
  const listen = parseListen(listenRaw, problems);

  const snaplen = intIn(`snaplen (--snaplen / ${ENV.snaplen})`, overrides.snaplen ?? env[ENV.snaplen] ?? '256', 96, 262144, problems);
  const bufferTimeoutMs = intIn(ENV.bufferTimeoutMs, env[ENV.bufferTimeoutMs] ?? '100', 1, 10000, problems);
  const flushIntervalMs = intIn(ENV.flushIntervalMs, env[ENV.flushIntervalMs] ?? '250', 50, 10000, problems);

  const uploadLimitMb = intIn(ENV.uploadLimitMb, env[ENV.uploadLimitMb] ?? '256', 1, 65536, problems);

  const token = overrides.token ?? env[ENV.token];
  if (token !== undefined && !/^[\x21-\x7e]{16,256}$/.test(token)) {
    problems.push(`token (--token / ${ENV.token}): must be 16 to 256 printable characters without spaces`);
  }
  const dataDir = overrides.dataDir ?? env[ENV.dataDir] ?? '/var/lib/vxscope';
  if (!dataDir.startsWith('/') || /[\0\n]/.test(dataDir)) {
    problems.push(`data dir (--data-dir / ${ENV.dataDir}): "${dataDir}" is not an absolute path`);
  }
  const labPrefix = env[ENV.labPrefix] ?? 'vxlab';
  if (!/^[a-z][a-z0-9]{1,11}$/.test(labPrefix)) {
    problems.push(`${ENV.labPrefix}: "${labPrefix}" must be 2 to 12 lower-case letters and digits, starting with a letter`);
  }
  const maxLabs = intIn(ENV.maxLabs, env[ENV.maxLabs] ?? '4', 1, 64, problems);
  const maxLabNamespaces = intIn(ENV.maxLabNamespaces, env[ENV.maxLabNamespaces] ?? '64', 4, 1024, problems);
  const resyncIntervalS = intIn(ENV.resyncIntervalS, env[ENV.resyncIntervalS] ?? '60', 1, 86400, problems);
  const flapMoves = intIn(ENV.flapMoves, env[ENV.flapMoves] ?? '3', 2, 100, problems);
  const flapWindowS = intIn(ENV.flapWindowS, env[ENV.flapWindowS] ?? '60', 1, 86400, problems);
  const flapQuietS = intIn(ENV.flapQuietS, env[ENV.flapQuietS] ?? '60', 1, 86400, problems);
  const historyMaxAgeHours = intIn(ENV.historyMaxAgeHours, env[ENV.historyMaxAgeHours] ?? '168', 1, 87600, problems);
  const historyMaxRows = intIn(ENV.historyMaxRows, env[ENV.historyMaxRows] ?? '1000000', 1000, 100_000_000, problems);

  const logLevelRaw = overrides.logLevel ?? env[ENV.logLevel] ?? 'log';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevelRaw)) {
    problems.push(`log level (--log-level / ${ENV.logLevel}): "${logLevelRaw}" is not one of ${LOG_LEVELS.join(', ')}`);
  }

  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return Object.freeze({
    netns: Object.freeze([...new Set(netns)]),
    interfaces: Object.freeze([...new Set(interfaces)]),
    ports: Object.freeze([...new Set(ports)]),
    listen: Object.freeze(listen),
    snaplen,
    bufferTimeoutMs,
    flushIntervalMs,
    logLevel: logLevelRaw as AppConfig['logLevel'],
    uploadLimitBytes: uploadLimitMb * 1024 * 1024,
    token,
    dataDir,
    labPrefix,
    maxLabs,
    maxLabNamespaces,
    resyncIntervalMs: resyncIntervalS * 1000,
    flap: Object.freeze({ moves: flapMoves, windowMs: flapWindowS * 1000, quietMs: flapQuietS * 1000 }),
    historyMaxAgeHours,
    historyMaxRows,
  });
}

function parseListen(raw: string, problems: string[]): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([^:]+)):(\d{1,5})$/.exec(raw.trim());
  const name = `listen (--listen / ${ENV.listen})`;
  if (!m) {
    problems.push(`${name}: "${raw}" is not HOST:PORT`);
    return { host: '127.0.0.1', port: 9789 };
  }
  const host = m[1] ?? m[2];
  if (isIP(host) === 0 && host !== 'localhost') {
    problems.push(`${name}: "${host}" is not an IP address`);
  }
  const port = intIn(name, m[3], 1, 65535, problems);
  return { host, port };
}

/** True when the daemon listens on loopback only: mutating endpoints may then run without a token. */
export function listensOnLoopbackOnly(config: AppConfig): boolean {
  const h = config.listen.host;
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

/** What the command-line client (`vxscope lab …`) needs to reach a running daemon. */
export interface ClientConfig {
  readonly url: string;
  readonly token: string | undefined;
}

export function loadClientConfig(overrides: { url?: string; token?: string }, env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const url = overrides.url ?? env.VXSCOPE_URL ?? 'http://127.0.0.1:9789';
  const problems: string[] = [];
  if (!/^https?:\/\/[^\s/]+(\/.*)?$/.test(url)) {
    problems.push(`url (--url / VXSCOPE_URL): "${url}" is not an http(s) URL`);
  }
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return Object.freeze({ url: url.replace(/\/$/, ''), token: overrides.token ?? env[ENV.token] });
}
