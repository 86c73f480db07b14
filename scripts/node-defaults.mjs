// Loaded first by every npm entry point (package.json: `node --import ./scripts/node-defaults.mjs`,
// and scripts/run-tests.mjs for the tests), before any AWS SDK client exists.
//
// The AWS SDK warns, once per process, that its releases after early January 2027 will need Node 22.
// The project supports Node 20 and 22 (README.md, "Node versions"), and that notice is
// the policy's business, not every command's output. Set only when unset:
// AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false in the shell brings the warning back.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
