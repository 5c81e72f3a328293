// Renders Markdown the way GitHub shows a PR comment and measures it in headless Chromium (used by
// test_render_browser.py). Usage: node render_page.cjs <node_modules> <chromium> <cases.json> <out dir>
// cases.json: [{"name": ..., "markdown": ...}]; prints one JSON report per case: the widths that overflow,
// each Mermaid block's outcome, and the screenshot's path. No network: every file comes from node_modules.
"use strict";
const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");

const [nodeModules, chromiumPath, casesPath, outDir] = process.argv.slice(2);
const load = createRequire(path.join(path.dirname(nodeModules), "render.js"));
const { marked } = load("marked");
const { chromium } = load("playwright-core");
const css = fs.readFileSync(path.join(nodeModules, "github-markdown-css", "github-markdown-light.css"), "utf8");
const mermaidJs = path.join(nodeModules, "mermaid", "dist", "mermaid.min.js");
const WIDTH = 780; // a PR conversation's comment column

function page(markdown) {
  // GitHub renders comments as GFM with hard line breaks; its sanitiser keeps <details>, <summary>, <sub>, <br>
  const body = marked.parse(markdown, { gfm: true, breaks: true });
  return `<!doctype html><html><head><meta charset="utf-8"><style>${css}
    body { margin: 0; background: #fff; }
    .markdown-body { box-sizing: border-box; width: 100%; padding: 16px; }
  </style></head><body><article class="markdown-body">${body}</article></body></html>`;
}

async function measure(browserPage) {
  return browserPage.evaluate(async () => {
    const blocks = [...document.querySelectorAll("pre > code.language-mermaid")].map((codeEl) => {
      const div = document.createElement("div");
      div.className = "mermaid-block";
      div.dataset.source = codeEl.textContent;
      codeEl.parentElement.replaceWith(div);
      return div;
    });
    window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
    const diagrams = [];
    for (const [i, div] of blocks.entries()) {
      try {
        const { svg } = await window.mermaid.render(`mermaid-${i}`, div.dataset.source);
        div.innerHTML = svg;
        diagrams.push({ svg: div.querySelector("svg") !== null, error: null });
      } catch (err) {
        diagrams.push({ svg: false, error: String(err && err.message ? err.message : err) });
      }
    }
    // folded details are measured (and photographed) open: everything a reviewer can unfold must fit too
    document.querySelectorAll("details").forEach((d) => (d.open = true));
    const article = document.querySelector("article");
    const overflowing = [];
    for (const el of [article, ...article.querySelectorAll("*")]) {
      if (el.closest(".mermaid-block") || el.clientWidth === 0) continue;
      if (el.scrollWidth > el.clientWidth + 1) {
        overflowing.push({
          tag: el.tagName.toLowerCase(),
          scrollWidth: el.scrollWidth,
          clientWidth: el.clientWidth,
          text: el.textContent.slice(0, 120),
        });
      }
    }
    return { pageWidth: document.documentElement.scrollWidth, overflowing, diagrams };
  });
}

(async () => {
  const cases = JSON.parse(fs.readFileSync(casesPath, "utf8"));
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const reports = [];
  try {
    const context = await browser.newContext({ viewport: { width: WIDTH, height: 900 } });
    // nothing leaves the machine: any request other than the local files is refused
    await context.route(/^(?!file:|data:|about:)/, (route) => route.abort());
    for (const { name, markdown } of cases) {
      const htmlPath = path.join(outDir, `${name}.html`);
      fs.writeFileSync(htmlPath, page(markdown));
      const browserPage = await context.newPage();
      const errors = [];
      browserPage.on("pageerror", (err) => errors.push(String(err)));
      await browserPage.goto("file://" + htmlPath);
      await browserPage.addScriptTag({ path: mermaidJs });
      const report = await measure(browserPage);
      const screenshot = path.join(outDir, `${name}.png`);
      await browserPage.screenshot({ path: screenshot, fullPage: true });
      reports.push({ name, ...report, pageErrors: errors, screenshot });
      await browserPage.close();
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(reports));
})().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + "\n");
  process.exit(1);
});
