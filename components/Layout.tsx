/** The HTML shell of every admin page (server-only). */
import type { ComponentChildren } from "preact";

const ICON = "data:image/svg+xml," + encodeURIComponent(
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#4f46e5"/><path d="M9 22V10h6a6 6 0 0 1 0 12z" fill="none" stroke="#fff" stroke-width="3"/><path d="M20 8l5 4-5 4" fill="none" stroke="#a5b4fc" stroke-width="2.5"/></svg>`,
);

export function Layout(
  { title, css, children, bodyClass }: {
    title: string;
    css: string | null;
    children: ComponentChildren;
    bodyClass?: string;
  },
) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{title} · Detour</title>
        <link rel="icon" href={ICON} />
        {css && <link rel="stylesheet" href={css} />}
      </head>
      <body class={bodyClass}>{children}</body>
    </html>
  );
}

/** The wordmark. */
export function Brand() {
  return (
    <span class="brand">
      <img src={ICON} alt="" width={24} height={24} />
      <span>Detour</span>
    </span>
  );
}
