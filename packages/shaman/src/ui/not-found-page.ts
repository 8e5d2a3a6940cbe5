/** The HTML 404 for UI paths: unknown project, unknown id, or a path deeper than the tree. */
import { html } from "./html-template.js";
import { panel } from "./ui-components.js";
import { renderPage } from "./ui-layout.js";

export function renderNotFound(message: string, path: string): string {
  return renderPage({
    title: "Not found",
    body: panel(
      "Nothing here",
      html`<div class="body"><p>${message}</p><p class="muted mono">${path}</p><p><a href="/">Back to the dashboard</a> · <a href="/builds/">Builds</a> · <a href="/repos/">Repos</a></p></div>`,
    ),
  });
}
