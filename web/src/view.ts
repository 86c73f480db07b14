// What every page of the dashboard is: mounted into the main area for a route, told about later routes
// of the same page (so a range change does not redraw the graph), destroyed when the page changes.
import type { Api } from './api';
import type { LiveFeed } from './live';
import type { Route } from './route';

export interface AppContext {
  api: Api;
  /** The live updates (null: none configured; the pages poll). */
  live: LiveFeed | null;
  /** Moves to a route (pushes a history entry unless `replace`). */
  navigate(route: Route, opts?: { replace?: boolean }): void;
  /** Clock of the page (one place, so every panel of one render resolves presets alike). */
  now(): number;
}

export interface View {
  /** Applies a new route of the same page in place; false = remount the page. */
  update?(route: Route): boolean;
  destroy(): void;
}

export type ViewFactory = (root: HTMLElement, route: Route, ctx: AppContext) => View;
