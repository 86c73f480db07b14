// The layers and what each may import (docs/architecture.md, "Code layout and layers"), checked by
// `npm run lint` (so by `npm test`): an import that runs against them fails the check.
//
//   domain/            pure TypeScript: nothing of the project, no AWS
//   lib/definitions.ts the resources as plain data: nothing of the project
//   storage/, stream/  domain and the definitions
//   queries/           the above; no handler, no local runtime, no stack
//   lambdas/           the above; no local runtime, no stack
//   lib/, bin/         the stack: no handler code, no local runtime
//   local/             the local runtime: drives the handlers
//   web/               the dashboard talks to the API over HTTP; it shares only domain/time.ts (pure,
//                      import-free), so it widens ranges to buckets exactly as the API does
//
// Tools (scripts/, bench/, test/) may import anything; product code imports none of them.

/** Every folder of the project's own code. */
const PROJECT = '^(domain|storage|stream|queries|lambdas|lib|bin|local|web|scripts|bench|test)/';
/** Everything in lib/ but the definitions: the CDK stack. */
const STACK = '^lib/(?!definitions\\.ts$)';

module.exports = {
  forbidden: [
    {
      name: 'domain-imports-nothing-of-the-project',
      severity: 'error',
      from: { path: '^domain/' },
      to: { path: PROJECT, pathNot: '^domain/' },
    },
    {
      name: 'domain-imports-no-aws',
      comment: 'The domain is pure TypeScript: no AWS SDK, Lambda tooling or CDK.',
      severity: 'error',
      from: { path: '^domain/' },
      to: { path: 'node_modules/(@aws-sdk|@smithy|@aws-lambda-powertools|@middy|aws-cdk-lib|constructs)/' },
    },
    {
      name: 'definitions-are-plain-data',
      severity: 'error',
      from: { path: '^lib/definitions\\.ts$' },
      to: { path: PROJECT },
    },
    {
      name: 'storage-imports-only-domain',
      comment: 'storage/ and stream/ sit on the domain (and the definitions), under everything else.',
      severity: 'error',
      from: { path: '^(storage|stream)/' },
      to: { path: [STACK, '^(queries|lambdas|bin|local|web|scripts|bench|test)/'] },
    },
    {
      name: 'queries-import-no-handler',
      severity: 'error',
      from: { path: '^queries/' },
      to: { path: [STACK, '^(lambdas|bin|local|web|scripts|bench|test)/'] },
    },
    {
      name: 'handlers-import-no-local-runtime',
      severity: 'error',
      from: { path: '^lambdas/' },
      to: { path: [STACK, '^(bin|local|web|scripts|bench|test)/'] },
    },
    {
      name: 'stack-imports-no-handler-code',
      severity: 'error',
      from: { path: '^(lib|bin)/' },
      to: { path: '^(lambdas|local|scripts|bench|test)/' },
    },
    {
      name: 'web-talks-http-only',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: PROJECT, pathNot: ['^web/', '^domain/time\\.ts$'] },
    },
    {
      name: 'local-runtime-imports-no-tools',
      severity: 'error',
      comment: 'npm start builds the dashboard with scripts/build-web.ts.',
      from: { path: '^local/' },
      to: { path: '^(scripts|bench|test)/', pathNot: '^scripts/build-web\\.ts$' },
    },
    {
      name: 'no-unresolvable-import',
      comment: 'A relative import the check cannot resolve is one it cannot judge.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, path: '^\\.\\.?/' },
    },
  ],
  options: {
    // TypeScript 7 has no compiler API for the cruiser to parse with; swc parses TypeScript, and
    // keeps type-only imports, which count as imports here.
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(web/dist|node_modules|cdk\\.out|\\.tmp)/' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.mjs', '.js', '.json'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
