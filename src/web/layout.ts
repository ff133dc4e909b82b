/** Server-rendered pages: one layout, readable on a phone, no JavaScript. */

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:17px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;background:#f6f7f9}
main{max-width:36rem;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.5rem 0 1rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
fieldset{border:1px solid #d5d9e0;border-radius:.5rem;margin:0 0 1rem;padding:.75rem;background:#fff}
legend{font-weight:600;padding:0 .25rem}
.scale{display:flex;flex-wrap:wrap;gap:.4rem}
.scale label,.yesno label{display:inline-flex;align-items:center;gap:.3rem;padding:.45rem .6rem;border:1px solid #c9ced8;border-radius:.4rem;background:#fafbfc;min-height:2.75rem}
.yesno{display:flex;gap:.5rem;margin-top:.3rem}
input[type=radio]{width:1.2rem;height:1.2rem}
textarea{width:100%;min-height:6rem;font:inherit;padding:.5rem;border-radius:.4rem;border:1px solid #c9ced8}
button{font:inherit;font-weight:600;width:100%;padding:.85rem;border:0;border-radius:.5rem;background:#1f5fbf;color:#fff;min-height:3rem}
.note{color:#4a5263;font-size:.95rem}
.error{background:#fdecec;border:1px solid #e3a0a0;color:#7a1b1b;padding:.75rem;border-radius:.5rem;margin-bottom:1rem}
.advice{background:#fff4e5;border:2px solid #e08a00;padding:.75rem;border-radius:.5rem}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.9rem}
td,th{border:1px solid #d5d9e0;padding:.4rem;vertical-align:top;text-align:left}
pre{white-space:pre-wrap;margin:0;font:inherit}
`;

/** Every inline style a page can carry: the Content-Security-Policy allows exactly these (by hash). */
export const PAGE_STYLES = [STYLE, `${STYLE}main{max-width:75rem}`];

/** `lang` is the page's language (a patient's locale on their pages); English by default. */
export function page(title: string, body: string, opts: { wide?: boolean; lang?: string } = {}): string {
  return `<!doctype html>
<html lang="${escapeHtml(opts.lang ?? 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLES[opts.wide ? 1 : 0]}</style>
</head>
<body><main>
${body}
</main></body>
</html>`;
}
