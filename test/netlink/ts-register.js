'use strict';
/**
 * Runs the repo's TypeScript in a plain `node` process, without ts-node or a build:
 *
 *   node -r /work/main/test/netlink/ts-register.js path/to/script.ts [args…]
 *   ip netns exec NS node -r …/ts-register.js apps/vxscope/src/collector/main.ts
 *
 * - `.ts` files are transpiled one by one with `typescript.transpileModule` (CommonJS, legacy
 *   decorators with metadata, inline source maps): no type checking, so run `tsc --noEmit` for that.
 * - The `paths` aliases of the root tsconfig.json (`@vx/wire`, `@vx/wire/*`) resolve to their targets.
 * - `reflect-metadata` is loaded first, as Nest expects.
 * Only for tests and lab tooling; production runs the compiled build.
 */
const fs = require('fs');
const Module = require('module');
const path = require('path');

const repoRoot = path.resolve(__dirname, '..', '..');
const ts = require(require.resolve('typescript', { paths: [repoRoot] }));

function loadTsconfig() {
  const file = path.join(repoRoot, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
  if (error) {
    throw new Error(`ts-register: cannot read ${file}: ${ts.flattenDiagnosticMessageText(error.messageText, '\n')}`);
  }
  // Only the compiler options are wanted: an empty readDirectory skips enumerating the repo's files.
  const host = { ...ts.sys, readDirectory: () => [] };
  return ts.parseJsonConfigFileContent(config, host, repoRoot).options;
}

const tsconfig = loadTsconfig();

const compilerOptions = {
  ...tsconfig,
  module: ts.ModuleKind.CommonJS,
  target: tsconfig.target ?? ts.ScriptTarget.ES2022,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
  // Source maps point next to the .ts file, not into the build's outDir.
  outDir: undefined,
  rootDir: undefined,
  sourceRoot: undefined,
  mapRoot: undefined,
  sourceMap: false,
  inlineSourceMap: true,
  inlineSources: true,
  declaration: false,
  noEmit: false,
  incremental: false,
};

/** `paths` patterns ('@vx/wire', '@vx/wire/*') as [prefix, suffix-or-undefined, targets]. */
const aliases = Object.entries(tsconfig.paths ?? {}).map(([pattern, targets]) => {
  const star = pattern.indexOf('*');
  const base = tsconfig.baseUrl ?? tsconfig.pathsBasePath ?? repoRoot;
  const resolved = targets.map((t) => path.resolve(base, t));
  return star < 0
    ? { exact: pattern, targets: resolved }
    : { prefix: pattern.slice(0, star), suffix: pattern.slice(star + 1), targets: resolved };
});

function aliasCandidates(request) {
  const out = [];
  for (const alias of aliases) {
    if (alias.exact !== undefined && request === alias.exact) {
      out.push(...alias.targets);
    } else if (
      alias.prefix !== undefined &&
      request.startsWith(alias.prefix) &&
      request.endsWith(alias.suffix) &&
      request.length >= alias.prefix.length + alias.suffix.length
    ) {
      const middle = request.slice(alias.prefix.length, request.length - alias.suffix.length);
      out.push(...alias.targets.map((t) => t.replace('*', middle)));
    }
  }
  return out;
}

const originalResolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveWithAliases(request, parent, isMain, options) {
  const candidates = aliasCandidates(request);
  for (const candidate of candidates) {
    try {
      return originalResolveFilename.call(this, candidate, parent, isMain, options);
    } catch {
      // try the next target; the original request below produces the error message
    }
  }
  return originalResolveFilename.call(this, request, parent, isMain, options);
};

require.extensions['.ts'] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText, diagnostics } = ts.transpileModule(source, {
    compilerOptions,
    fileName: filename,
    reportDiagnostics: true,
  });
  const errors = (diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    const text = errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n');
    throw new SyntaxError(`ts-register: cannot transpile ${filename}:\n${text}`);
  }
  module._compile(outputText, filename);
};

process.setSourceMapsEnabled(true);
require(require.resolve('reflect-metadata', { paths: [repoRoot] }));
