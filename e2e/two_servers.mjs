// Two `relais serve` processes on one PostgreSQL database behave as one: an agent on each
// registers deposits at the same moment, in a real browser with the product's security
// headers; their chrono numbers follow one another without a gap or a repeat, and each server
// shows the deposits the other registered. Run by crates/cli/tests/e2e.rs with RELAIS_URL_A,
// RELAIS_URL_B (the two servers) and RELAIS_USERS (the demo's users file).
import { check, failures, launch } from './harness.mjs';
import { readFileSync } from 'node:fs';

const bases = [process.env.RELAIS_URL_A, process.env.RELAIS_URL_B];
const users = Object.fromEntries(
  readFileSync(process.env.RELAIS_USERS, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.split('\t'))
    .map(([login, password]) => [login, password]),
);
const browser = await launch();
const cspViolations = [];

async function agent(base, login) {
  const ctx = await browser.newContext({ locale: 'fr-FR' });
  await ctx.route('**/*', (route) =>
    route.request().url().startsWith(base) ? route.continue() : route.abort(),
  );
  ctx.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) cspViolations.push(msg.text());
  });
  const page = await ctx.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Identifiant').fill(login);
  await page.getByLabel('Mot de passe').fill(users[login]);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(`${base}/`);
  return page;
}

async function register(page, base, depositor) {
  await page.goto(`${base}/courrier?type=autre`);
  await page.getByLabel(/^Déposant/).fill(depositor);
  await page.getByRole('button', { name: 'Enregistrer et préparer le récépissé' }).click();
  await page.waitForURL(/\/courrier\/\d{4}-\d{6}$/);
  return page.url().split('/').pop();
}

const each = 6;
const [a, b] = [await agent(bases[0], 'courrier'), await agent(bases[1], 'accueil')];
const numbers = { A: [], B: [] };
await Promise.all([
  (async () => {
    for (let i = 0; i < each; i++) numbers.A.push(await register(a, bases[0], `Déposant A ${i}`));
  })(),
  (async () => {
    for (let i = 0; i < each; i++) numbers.B.push(await register(b, bases[1], `Déposant B ${i}`));
  })(),
]);
const all = [...numbers.A, ...numbers.B].map((n) => Number(n.split('-')[1])).sort((x, y) => x - y);
console.log(`server A: ${numbers.A.join(' ')}; server B: ${numbers.B.join(' ')}`);
check(new Set(all).size === all.length, 'no chrono number was given twice across the two servers');
check(
  all.every((n, i) => i === 0 || n === all[i - 1] + 1),
  'the chrono numbers of both servers follow one another without a gap',
);
// One register: each server shows what the other registered.
await a.goto(`${bases[0]}/courrier/${numbers.B[0]}`);
check((await a.locator('main').textContent()).includes('Déposant B 0'), "server A shows server B's deposit");
await b.goto(`${bases[1]}/courrier/${numbers.A[each - 1]}`);
check(
  (await b.locator('main').textContent()).includes(`Déposant A ${each - 1}`),
  "server B shows server A's deposit",
);
check(cspViolations.length === 0, `no request blocked by the CSP (${cspViolations.join('; ')})`);
await browser.close();
if (failures.length) {
  console.log(`${failures.length} failure(s)`);
  process.exit(1);
}
