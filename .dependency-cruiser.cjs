/**
 * The import rules of docs/architecture.md, checked on every `npm run lint` (part of `npm test`).
 * A folder imports only what its rule allows; an arrow the other way fails the run.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'No import cycles (type-only imports aside): a module and what it imports can be read in one direction.',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'analysis-is-pure',
      severity: 'error',
      comment: 'src/analysis imports nothing outside itself (packages aside), and never vscode.',
      from: { path: '^src/analysis/' },
      to: { pathNot: ['^src/analysis/', 'node_modules'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'analysis-no-vscode',
      severity: 'error',
      comment: 'The pure parts (analysis, health, explain, protocol) never import vscode or a language-server package.',
      from: { path: '^src/(analysis|health|explain|protocol)/' },
      to: { path: '(^|/)node_modules/(vscode-languageclient|vscode-languageserver)', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'pure-no-vscode',
      severity: 'error',
      comment: 'The pure parts never import the vscode API.',
      from: { path: '^src/(analysis|health|explain|protocol|webview)/' },
      to: { path: '^vscode$' },
    },
    {
      name: 'protocol-imports-only-types',
      severity: 'error',
      comment: 'src/protocol holds message types and their one validator: outside itself it imports types only.',
      from: { path: '^src/protocol/' },
      to: { pathNot: '^src/protocol/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'webview-imports-protocol-and-common',
      severity: 'error',
      comment: 'A page imports its own folder, webview/common and src/protocol (and packages), nothing of the extension host or server.',
      from: { path: '^src/webview/([^/]+)/' },
      to: { path: '^src/', pathNot: ['^src/webview/$1/', '^src/webview/common/', '^src/protocol/'] },
    },
    {
      name: 'health-is-pure',
      severity: 'error',
      comment: 'src/health is pure: it reads analysis types and nothing of the editor, server, client or training.',
      from: { path: '^src/health/' },
      to: { path: '^src/(server|client|training|cli|webview|extension)' },
    },
    {
      name: 'no-upward-from-server',
      severity: 'error',
      comment: 'The language server never imports the client, the extension or the pages.',
      from: { path: '^src/server/' },
      to: { path: '^src/(client|webview|extension)' },
    },
    {
      name: 'cli-and-server-through-analysis-index',
      severity: 'error',
      comment: 'The CLI reaches the analysis core through src/analysis/index.ts (types from graph.ts too).',
      from: { path: '^src/cli/' },
      to: { path: '^src/analysis/', pathNot: '^src/analysis/(index|graph)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.mjs', '.js', '.json'] },
    exclude: { path: '(^|/)(node_modules|dist|out|test/fixtures)/' },
  },
};
