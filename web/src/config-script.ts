// The dashboard's deployment configuration: the stack writes `config.js` next to index.html with the
// API's URL, and the page reads it before its first request. The local runtime serves the same script
// with an empty URL: the API is the page's own origin there.
// Pure, so the CDK stack can import it: lib/constructs/web-dashboard.ts passes
// `dashboardConfigScript(apiUrl)` to its deployment custom resource (a deploy-time token in `apiUrl` is
// fine: it stays a placeholder inside the string, which CloudFormation fills in).

export const CONFIG_SCRIPT_NAME = 'config.js';

/**
 * `liveUrl`: the live updates' WebSocket URL; '' = `/live` on the page's own origin (the local
 * runtime); null = none (the LocalStack variant: the dashboard polls).
 */
export function dashboardConfigScript(apiUrl: string, liveUrl: string | null = ''): string {
  return `window.BACEFOOK_API = ${JSON.stringify(apiUrl)};\nwindow.BACEFOOK_LIVE = ${JSON.stringify(liveUrl)};\n`;
}
