/**
 * The dashboard: an HTTP server (Hono) serving the built front end, a JSON API over the store and
 * the vault, actions behind tokens, and the event log as server-sent events.
 *
 *   const dashboard = await startDashboard(project, { host: "127.0.0.1", port: 4848 });
 *   // … dashboard.url; later: await dashboard.close();
 */
export { type BindOptions, checkBind, isLoopback } from "./bind.ts";
export { dashboardApp } from "./app.ts";
export { loadAssets, UI_DIST } from "./assets.ts";
export { type RunningDashboard, startDashboard } from "./serve.ts";
