// The public continuity page (`relais publish`) in Debian's headless Chromium, opened from
// the file system as a citizen would open a copy: axe-core must find no serious or critical
// WCAG 2.1 A/AA violation, the page must run no script and load nothing but its stylesheet,
// and a screenshot is saved. Run by crates/cli/tests/public_page.rs with RELAIS_PAGE (the
// index.html written) and RELAIS_SHOTS (a folder).
import { check, failures, launch } from './harness.mjs';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const pagePath = process.env.RELAIS_PAGE;
const shots = process.env.RELAIS_SHOTS;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
mkdirSync(shots, { recursive: true });


const browser = await launch();
try {
  const folder = pathToFileURL(path.dirname(pagePath)).href;
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
  const outside = [];
  await ctx.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(folder)) return route.continue();
    outside.push(url);
    return route.abort();
  });
  const page = await ctx.newPage();
  await page.goto(pathToFileURL(pagePath).href);
  check((await page.locator('script').count()) === 0, 'the page has no script');
  check(outside.length === 0, `the page loads nothing from outside its folder ${outside.join(' ')}`);
  check((await page.getAttribute('html', 'lang')) === 'fr', 'the page is in French');
  check((await page.locator('main').count()) === 1, 'one main landmark');
  check((await page.locator('h1').count()) === 1, 'one h1');
  const css = await page.evaluate(() => getComputedStyle(document.querySelector('header')).borderBottomStyle);
  check(css === 'solid', 'the stylesheet is applied');
  const tel = await page.locator('a[href^="tel:+33"]').count();
  check(tel > 0, `phone numbers are tel: links (${tel})`);
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }),
  );
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of bad) console.log(`     axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.length})`);
  check(bad.length === 0, 'axe: no serious or critical violation on the public page');
  await page.screenshot({ path: path.join(shots, 'page-publique.png'), fullPage: true });
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: path.join(shots, 'page-publique-impression.png'), fullPage: true });
  await ctx.close();
} finally {
  await browser.close();
}
if (failures.length > 0) {
  console.log(`${failures.length} check(s) failed`);
  process.exit(1);
}
