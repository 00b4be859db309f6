// End-to-end tests of the Relais web interface in Debian's headless Chromium, with axe-core
// on every screen. Run by crates/cli/tests/e2e.rs, which builds a demo, starts `relais serve`
// and passes: RELAIS_URL, RELAIS_USERS (the demo's users file), RELAIS_QUERY (a partial name
// without accents) and RELAIS_EXPECT (the full name it must find), RELAIS_SHOTS (a folder).
import { check, failures, launch } from './harness.mjs';
import { readFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';

const base = process.env.RELAIS_URL;
const shots = process.env.RELAIS_SHOTS;
const users = Object.fromEntries(
  readFileSync(process.env.RELAIS_USERS, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.split('\t'))
    .map(([login, password]) => [login, password]),
);
users.double = process.env.RELAIS_DOUBLE_PASSWORD;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
mkdirSync(shots, { recursive: true });

let dossier = '';

const browser = await launch();
const outside = [];

// Every functional context runs with the product's real security headers (its CSP): a
// request the policy blocks is a failure. Only the accessibility audit bypasses the CSP, in a
// context of its own (axe-core is injected as a script).
const cspViolations = [];
async function context(viewport = { width: 1280, height: 800 }, javaScriptEnabled = true) {
  const ctx = await browser.newContext({ viewport, locale: 'fr-FR', javaScriptEnabled });
  await ctx.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(base)) return route.continue();
    outside.push(url);
    return route.abort();
  });
  ctx.on('console', (msg) => {
    if (/Content Security Policy|Refused to (connect|load|execute|apply)/i.test(msg.text())) {
      cspViolations.push(`${msg.location().url}: ${msg.text().slice(0, 120)}`);
    }
  });
  return ctx;
}

// The audit's own context: the same page's DOM (after any htmx update), laid on the same
// origin so its stylesheet loads, with the CSP bypassed only here to inject axe-core.
let auditContext;
async function auditPage(page) {
  auditContext ??= await browser.newContext({ bypassCSP: true, locale: 'fr-FR', javaScriptEnabled: true });
  const copy = await auditContext.newPage();
  await copy.setViewportSize(page.viewportSize() ?? { width: 1280, height: 800 });
  await copy.goto(`${base}/static/relais.css`);
  await copy.setContent(await page.content(), { waitUntil: 'load' });
  return copy;
}

// axe-core on the page, once it has settled: a click may have started a navigation that
// commits only after the previous page's `load`, which destroys the injected script — then
// the new page is audited instead.
async function axeOn(page) {
  for (let attempt = 1; ; attempt++) {
    await page.waitForLoadState('load');
    const copy = await auditPage(page);
    try {
      await copy.addScriptTag({ content: axeSource });
      return await copy.evaluate(async () =>
        // eslint-disable-next-line no-undef
        axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }),
      );
    } catch (e) {
      if (attempt >= 3 || !/Execution context was destroyed|navigat/i.test(String(e))) throw e;
      await page.waitForTimeout(200);
    } finally {
      await copy.close();
    }
  }
}

async function audit(page, name) {
  const result = await axeOn(page);
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of bad) console.log(`     axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.length})`);
  check(bad.length === 0, `axe: no serious or critical violation on ${name}`);
  check((await page.title()).trim().length > 0, `${name} has a page title`);
  if (!name.startsWith('page-publique-apercu')) {
    check((await page.title()).endsWith('— Relais'), `${name} has the agents' title format`);
  }
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

async function signIn(page, login) {
  await page.goto(`${base}/login`);
  await page.getByLabel('Identifiant').fill(login);
  await page.getByLabel('Mot de passe').fill(users[login]);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(`${base}/`);
}

// Sign-in page, a wrong password, then the desk agent's day.
{
  const ctx = await context();
  const page = await ctx.newPage();
  await page.goto(`${base}/login`);
  await audit(page, 'connexion');
  await page.getByLabel('Identifiant').fill('accueil');
  await page.getByLabel('Mot de passe').fill('pas le bon mot de passe');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  check(
    (await page.getByRole('alert').textContent()).includes('Identifiant ou mot de passe incorrect'),
    'a wrong password is refused with a plain message',
  );
  await signIn(page, 'accueil');
  await audit(page, 'tableau-de-bord');
  await page.getByRole('link', { name: 'Accueil' }).click();
  await audit(page, 'accueil');
  // Keyboard only: the search field has the focus; results come while typing (htmx).
  await page.keyboard.type(process.env.RELAIS_QUERY, { delay: 40 });
  const hit = page.getByRole('link', { name: process.env.RELAIS_EXPECT });
  await hit.first().waitFor({ timeout: 10000 });
  check((await hit.count()) >= 1, `"${process.env.RELAIS_QUERY}" finds ${process.env.RELAIS_EXPECT} while typing`);
  await page.waitForURL(/\/accueil\?r=/);
  check(
    !decodeURIComponent(page.url()).toLowerCase().includes(process.env.RELAIS_QUERY.toLowerCase()),
    'the address follows the search (back and reload work) without what was typed in it',
  );
  // Reloading the address gives the same results, rendered whole by the server.
  await page.goto(page.url());
  check((await hit.count()) >= 1, 'reloading the search gives the same results');
  await audit(page, 'accueil-resultats');
  await hit.first().click();
  await page.waitForURL(/\/personne\//);
  check((await page.locator('h1').textContent()).trim() === process.env.RELAIS_EXPECT, 'the person page opens');
  dossier = decodeURIComponent(page.url().split('/personne/')[1]);
  check(
    (await page.getByRole('table', { name: /Prochain paiement de chaque droit/ }).count()) === 1,
    'the person page shows the next payment of each right',
  );
  await audit(page, 'personne');
  await page.getByLabel('Canal').selectOption('telephone');
  await page.getByLabel('Ce qui a été dit ou remis').fill('Demande la date du prochain paiement');
  await page.getByRole('button', { name: 'Noter le contact' }).click();
  await page.getByRole('cell', { name: 'Demande la date du prochain paiement' }).waitFor();
  check(
    (await page.getByRole('table', { name: /Contacts notés/ }).textContent()).includes('Demande la date du prochain paiement'),
    'a contact is logged on the person page',
  );
  check(!page.url().includes('/contact'), 'the contact was sent by htmx, the page stays (real CSP)');
  await page.reload();
  check(
    (await page.getByRole('table', { name: /Contacts notés/ }).textContent()).includes('Demande la date du prochain paiement'),
    'the contact is saved on the server (still there after a reload)',
  );
  // A change of bank details, with the proof seen: pending until another agent approves.
  await page.getByLabel('Nouvel IBAN').fill(process.env.RELAIS_NEW_IBAN);
  await page.getByLabel('BIC').fill('PSSTFRPP');
  await page.getByLabel('Titulaire du compte').fill(process.env.RELAIS_EXPECT);
  await page.getByLabel('Pièce vue').fill('RIB original présenté');
  await page.getByRole('button', { name: 'Demander le changement' }).click();
  check(
    (await page.getByRole('status').textContent()).includes("attend la décision d'un ordonnateur"),
    'the change of bank details is recorded, pending',
  );
  const tail = process.env.RELAIS_NEW_IBAN.slice(-4);
  check(!(await page.content()).includes(`IBAN …${tail}`), 'a pending change is not used');
  await audit(page, 'personne-demande-rib');
  await page.getByRole('link', { name: 'Annuaire' }).click();
  await audit(page, 'annuaire');
  await page.getByRole('link', { name: 'Mon mot de passe' }).click();
  await page.waitForURL(`${base}/compte/mot-de-passe`);
  await audit(page, 'mot-de-passe');
  // Not a desk screen for this role: refused by the server.
  const refused = await page.goto(`${base}/paiements`);
  check(refused.status() === 403, 'the desk agent cannot open the payments');
  await page.goto(`${base}/`);
  await page.getByRole('button', { name: /Se déconnecter/ }).click();
  await page.waitForURL(`${base}/login`);
  const after = await page.goto(`${base}/accueil`);
  check(after.url() === `${base}/login`, 'after signing out, screens lead to the login page');
  await ctx.close();
}

// An instruction agent sees the request but may not decide it (only an ordonnateur may,
// never the one who asked); the ordonnateur reviews it in full and approves it.
{
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'instruction');
  await audit(page, 'tableau-de-bord-rib');
  check(
    (await page.getByRole('button', { name: /^Approuver la demande/ }).count()) === 0,
    'an instruction agent is offered no approval',
  );
  const csrf = await page.locator('input[name="csrf_token"]').first().getAttribute('value');
  const forged = await page.request.post(`${base}/rib/1/decision`, {
    form: { csrf_token: csrf ?? '', decision: 'approuver' },
    maxRedirects: 0,
  });
  check(forged.status() === 403, 'an instruction agent\'s approval is refused by the server');
  await ctx.close();
}
{
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'ordonnateur');
  await page.getByRole('link', { name: /^Examiner la demande/ }).first().click();
  await page.waitForURL(/\/rib\/\d+$/);
  await audit(page, 'rib-examen');
  const review = await page.content();
  check(review.includes(process.env.RELAIS_NEW_IBAN), 'the approver sees the new IBAN in full');
  check(review.includes('RIB original présenté'), 'the approver sees the proof');
  await page.getByRole('button', { name: /^Approuver la demande/ }).click();
  await page.getByRole('status').filter({ hasText: 'approuvée' }).first().waitFor();
  check((await page.getByRole('status').filter({ hasText: 'approuvée' }).count()) > 0, 'the ordonnateur approves');
  await page.reload();
  check((await page.content()).includes('approuvée'), 'the decision is saved on the server (still there after a reload)');
  await ctx.close();
}
{
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'instruction');
  await page.goto(`${base}/accueil`);
  await page.getByLabel('Nom, date de naissance').fill(process.env.RELAIS_QUERY);
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await page.getByRole('link', { name: process.env.RELAIS_EXPECT }).first().click();
  check(
    (await page.content()).includes(`IBAN …${process.env.RELAIS_NEW_IBAN.slice(-4)}`),
    'once approved, the new bank details are the payee\'s',
  );
  await ctx.close();
}

// A payment run: prepared by one agent, refused to the same agent, validated by another.
{
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'double');
  await page.getByRole('link', { name: 'Paiements' }).click();
  await audit(page, 'paiements-preparer');
  // This month, in the authority's time: a month of next year could not be validated before
  // 1 January (the bordereau's exercice is the year it is issued).
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit' })
    .formatToParts(new Date());
  const thisMonth = `${parts.find((p) => p.type === 'month').value}/${parts.find((p) => p.type === 'year').value}`;
  await page.getByLabel('Mois (MM/AAAA)').fill(thisMonth);
  await page.getByRole('button', { name: 'Préparer' }).click();
  await page.waitForURL(/\/paiements\/P\d{4}-\d{2}-\d{2}$/);
  const runUrl = page.url();
  await audit(page, 'paiement');
  // The detailed control report, reviewed before validation.
  await page.getByRole('button', { name: 'Écrire le rapport de contrôle' }).click();
  await page.waitForURL(/fait=rapport/);
  const [report] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: /^controle_.*\.html$/ }).click(),
  ]);
  check(
    readFileSync(await report.path(), 'utf8').includes('<html'),
    'the control report of a prepared run downloads for review',
  );
  const own = page.waitForResponse((r) => /\/valider\??$/.test(r.url()));
  await page.getByRole('button', { name: /^Valider le paiement/ }).click();
  check((await own).status() === 403, 'the preparer cannot validate their own run');
  check((await page.getByRole('alert').textContent()).includes('un autre ordonnateur'), 'and is told why');
  await ctx.close();
  const ctx2 = await context();
  const page2 = await ctx2.newPage();
  await signIn(page2, 'ordonnateur');
  await page2.goto(runUrl);
  await page2.getByRole('button', { name: /^Valider le paiement/ }).click();
  // Payments: validation is confirmed on a page that states what it pays (#20 §4).
  await page2.waitForURL(/\/valider\??$/);
  const consequences = await page2.locator('main').textContent();
  check(/Vous allez valider le paiement P\d{4}-\d{2}-\d{2} de \S+ \d{4}/.test(consequences), 'the confirmation page names the run and its month in words');
  check(/\d\u00a0€|\d,\d\d\u00a0€/.test(consequences) && consequences.includes('définitif'), 'and states the amounts and that it is final');
  await audit(page2, 'paiement-confirmer-validation');
  await page2.getByRole('button', { name: /^Confirmer la validation du paiement/ }).click();
  await page2.waitForURL(/fait=valide/);
  check((await page2.getByRole('status').textContent()).includes('Paiement validé'), 'another ordonnateur validates');
  check((await page2.getByRole('button', { name: /^Valider/ }).count()) === 0, 'a validated run offers no validation');
  await audit(page2, 'paiement-valide');
  // The files for the public accountant, written by the same code as `relais run export`.
  await page2.getByRole('button', { name: 'Écrire les fichiers' }).click();
  await page2.waitForURL(/fait=exporte/);
  const sums = new Map(
    (await (await page2.request.get(`${runUrl}/fichiers/SHA256SUMS`)).text())
      .trim()
      .split('\n')
      .map((l) => l.split('  ').reverse()),
  );
  const pesName = [...sums.keys()].find((n) => n.startsWith('PES'));
  check(pesName !== undefined, 'the PES file is listed');
  const [pes] = await Promise.all([
    page2.waitForEvent('download'),
    page2.getByRole('link', { name: pesName }).click(),
  ]);
  const pesBytes = readFileSync(await pes.path());
  check(pesBytes.subarray(0, 5).toString() === '<?xml', 'the PES file downloads');
  check(
    createHash('sha256').update(pesBytes).digest('hex') === sums.get(pesName),
    'the downloaded PES file is the one SHA256SUMS names',
  );
  check(
    (await page2.getByRole('link', { name: /^bordereau_.*\.pdf$/ }).count()) === 1,
    'the bordereau PDF is offered too',
  );
  await audit(page2, 'paiement-fichiers');
  await ctx2.close();
}

// The courrier service registers a deposit (the form follows the kind) and downloads its receipt.
{
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'courrier');
  await page.getByRole('link', { name: 'Courrier' }).click();
  await audit(page, 'courrier');
  // With JavaScript, the list of kinds swaps the form (htmx); the button is for no-JS only.
  await page.getByLabel('Type de dépôt').selectOption('facture');
  await page.getByLabel('SIRET du fournisseur').waitFor();
  check((await page.getByLabel('SIRET du fournisseur').count()) === 1, 'the invoice form asks for the SIRET');
  await page.getByLabel('Type de dépôt').selectOption('demande_apa');
  await page.getByLabel(/Pièces manquantes/).waitFor();
  check((await page.getByLabel(/Pièces manquantes/).count()) === 1, 'an application form asks for missing documents');
  await page.getByLabel(/^Déposant/).fill('Mme Jeanne Lefèvre');
  await page.getByLabel(/Numéro de dossier/).fill(dossier);
  await page.getByLabel(/^Objet/).fill("Demande d'APA à domicile");
  await page.getByLabel('Nombre de pages').fill('4');
  await page.getByRole('button', { name: 'Enregistrer et préparer le récépissé' }).click();
  await page.waitForURL(/\/courrier\/\d{4}-\d{6}$/);
  await audit(page, 'depot');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: /Télécharger le récépissé/ }).click(),
  ]);
  const file = await download.path();
  check(readFileSync(file).subarray(0, 4).toString() === '%PDF', 'the receipt downloads as a PDF');
  await page.getByRole('link', { name: 'Annuler ce dépôt…' }).click();
  await page.getByLabel(/^Motif de l'annulation/).fill('doublon');
  await page.getByRole('button', { name: /^Confirmer l'annulation/ }).click();
  check((await page.getByRole('status').textContent()).includes('annulé'), 'a deposit is cancelled with a reason');
  await ctx.close();
}

// The deposit shows on the person's page at the desk.
{
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'accueil');
  await page.goto(`${base}/personne/${encodeURIComponent(dossier)}`);
  check(
    (await page.getByRole('table', { name: /Dépôts rattachés au dossier/ }).textContent()).includes("Demande d'APA à domicile"),
    "a deposit for a file shows on the person's page",
  );
  await ctx.close();
}

// A crisis decision renewing rights: simulated, then applied once.
{
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'instruction');
  await page.goto(`${base}/renouvellement`);
  await audit(page, 'renouvellement');
  const day = (years) => {
    const d = new Date();
    d.setFullYear(d.getFullYear() + years);
    return d.toISOString().slice(0, 10);
  };
  await page.getByLabel(/Droits finissant à partir du/).fill(day(-1));
  await page.getByLabel(/et jusqu'au/).fill(day(1));
  await page.getByLabel('Nouvelle date de fin').fill(day(2));
  await page.getByLabel(/Référence de la décision/).fill('arrêté n° 2026-E2E');
  await page.getByLabel('Décidée par').fill('Le Président du Conseil départemental');
  await page.getByRole('button', { name: 'Simuler' }).click();
  check((await page.locator('h2#resultat').textContent()).includes('Simulation'), 'a renewal is simulated first');
  await audit(page, 'renouvellement-simulation');
  // Applying is confirmed on a page that states the consequence, bound to this simulation (#20 §4).
  await page.getByRole('link', { name: /^Appliquer la décision simulée/ }).click();
  await page.waitForURL(/\/renouvellement\/confirmer\?/);
  check((await page.locator('main').textContent()).includes('Vous allez appliquer la décision'), 'the confirmation page states the consequence');
  await audit(page, 'renouvellement-confirmer');
  await page.getByRole('button', { name: 'Confirmer et appliquer la décision' }).click();
  check((await page.locator('h2#resultat').textContent()).includes('appliquée'), 'then applied');
  await page.getByRole('button', { name: 'Simuler' }).click();
  check(
    (await page.getByRole('status').textContent()).includes('Aucun droit à prolonger'),
    'applying it again would change nothing',
  );
  await ctx.close();
}

// Finance and instruction screens.
for (const [login, link, name] of [
  ['liquidation', 'Paiements', 'paiements'],
  ['instruction', 'Dossiers à traiter', 'dossiers'],
]) {
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, login);
  await page.getByRole('link', { name: link }).click();
  await audit(page, name);
  await ctx.close();
}

// A rejected row, read and handled by hand.
{
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'instruction');
  await page.goto(`${base}/dossiers`);
  const before = await page.locator('main p').first().textContent();
  await page.getByRole('link', { name: /^Ligne \d+ de / }).first().click();
  await page.waitForURL(/\/dossiers\/\d+$/);
  await audit(page, 'dossier');
  await page.getByLabel(/Traité à la main/).check();
  await page.getByLabel('Ce qui a été fait').fill('Nouveau RIB demandé par courrier');
  await page.getByRole('button', { name: 'Enregistrer la suite' }).click();
  check((await page.getByRole('status').textContent()).includes('Suite enregistrée'), 'a rejected row gets its outcome');
  await page.goto(`${base}/dossiers`);
  const after = await page.locator('main p').first().textContent();
  check(parseInt(after, 10) === parseInt(before, 10) - 1, 'and leaves the rows to handle');
  await ctx.close();
}

// The crisis cell: main courante, incident and CNIL clock, systems, tasks, directory, public page.
{
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'crise');
  check((await page.locator('#cnil').count()) === 1, 'the dashboard shows the CNIL clock to the crisis cell');
  await page.getByRole('link', { name: 'Cellule de crise', exact: true }).click();
  await page.waitForURL(`${base}/crise`);
  await audit(page, 'crise');
  await page.goto(`${base}/crise/courante`);
  await page.getByLabel('Nature').first().selectOption('decision');
  await page.getByLabel('Texte', { exact: true }).fill('Décision : ouverture du guichet papier à Melun');
  await page.getByRole('button', { name: 'Inscrire' }).click();
  await page.waitForURL(/fait=/);
  check(
    (await page.getByRole('table', { name: /Main courante/ }).textContent()).includes('ouverture du guichet papier'),
    'an entry is added to the main courante',
  );
  await audit(page, 'main-courante');
  await page.goto(`${base}/crise/incident`);
  check((await page.locator('#cnil').textContent()).match(/reste|dépassé/) !== null, 'the CNIL clock counts down');
  // The clock's minute refresh, made now: htmx's request must pass the real CSP.
  const refreshed = page.waitForResponse((r) => r.url().endsWith('/crise/horloge'));
  await page.evaluate(() => {
    // eslint-disable-next-line no-undef
    htmx.ajax('GET', '/crise/horloge', { target: '#cnil', swap: 'outerHTML' });
  });
  check((await refreshed).status() === 200, 'the CNIL clock refreshes through htmx under the real CSP');
  await audit(page, 'incident');
  await page.goto(`${base}/crise/systemes`);
  await audit(page, 'systemes');
  // No status is chosen in advance; the change goes through a page that states it.
  const status = page.getByLabel(/^Nouveau statut de /).first();
  await status.selectOption({ index: 1 });
  await page.getByRole('button', { name: /^Changer le statut de / }).first().click();
  await page.waitForURL(/\/statut\?status=/);
  await page.getByRole('button', { name: /^Passer / }).click();
  await page.waitForURL(/fait=/);
  check((await page.getByRole('status').textContent()).includes('main courante'), 'a system changes status, noted in the main courante');
  await page.goto(`${base}/crise/taches`);
  await audit(page, 'taches');
  await page.goto(`${base}/annuaire`);
  await page.getByRole('link', { name: /^Modifier / }).first().click();
  await page.waitForURL(/\/annuaire\/modifier/);
  await audit(page, 'annuaire-modifier');
  await page.getByLabel('Horaires').fill('8 h 30 – 17 h, y compris le samedi matin');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.waitForURL(/fait=1/);
  check((await page.content()).includes('y compris le samedi matin'), 'a directory entry is edited');
  await page.goto(`${base}/crise/public`);
  await audit(page, 'page-publique');
  await page.getByRole('link', { name: "Voir l'aperçu de la page" }).click();
  await page.waitForURL(/apercu/);
  check((await page.locator('a[href^="tel:+33"]').count()) > 0, 'the public page preview lists phone numbers as tel: links');
  await audit(page, 'page-publique-apercu');
  await ctx.close();
}

// On a phone.
{
  const ctx = await context({ width: 390, height: 844 });
  const page = await ctx.newPage();
  await signIn(page, 'crise');
  await audit(page, 'tableau-de-bord-telephone');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  check(!overflow, 'the dashboard fits a phone without sideways scrolling');
  await ctx.close();
}

// Without JavaScript: the desk's search and a contact are plain forms.
{
  const ctx = await context({ width: 1280, height: 800 }, false);
  const page = await ctx.newPage();
  await signIn(page, 'accueil');
  await page.goto(`${base}/accueil`);
  await page.getByLabel('Nom, date de naissance').fill(process.env.RELAIS_QUERY);
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await page.waitForURL(/\/accueil\?r=/);
  const hit = page.getByRole('link', { name: process.env.RELAIS_EXPECT });
  check((await hit.count()) >= 1, 'without JavaScript, the search finds the person');
  await hit.first().click();
  await page.waitForURL(/\/personne\//);
  await page.getByLabel('Canal').selectOption('visite');
  await page.getByLabel('Ce qui a été dit ou remis').fill('Visite sans JavaScript');
  await page.getByRole('button', { name: 'Noter le contact' }).click();
  await page.waitForURL(/\/personne\/.*contact=1/);
  check(
    (await page.getByRole('table', { name: /Contacts notés/ }).textContent()).includes('Visite sans JavaScript'),
    'without JavaScript, a contact is logged and shown',
  );
  await ctx.close();
}

// Crisis cell's pictures: without JavaScript, a system's status changes through the page that
// states the consequence; the dashboard and the payments page draw their charts (SVG with a
// title and a table), audited by axe, under the real CSP.
{
  const ctx = await context({ width: 1280, height: 800 }, false);
  const page = await ctx.newPage();
  await signIn(page, 'crise');
  await page.goto(`${base}/crise/systemes`);
  const status = page.getByLabel(/^Nouveau statut de /).nth(1);
  check((await status.inputValue()) === '', 'the new status is not chosen in advance');
  check((await status.getAttribute('required')) !== null, 'and it is required');
  const system = (await status.getAttribute('id')) ?? '';
  await status.selectOption({ index: 1 });
  await page.locator(`#${system}`).locator('xpath=ancestor::form').getByRole('button').click();
  await page.waitForURL(/\/crise\/systemes\/[^/]+\/statut\?status=/);
  const confirmation = await page.locator('main').textContent();
  check(confirmation.includes('→') && confirmation.includes('page publique'), 'the confirmation states old → new and what the public page says');
  check((await page.locator('#contenu form').count()) === 1, 'the confirmation is a plain form');
  await audit(page, 'systeme-confirmation');
  await page.getByRole('button', { name: /^Passer / }).click();
  await page.waitForURL(/\/crise\/systemes\?fait=/);
  check((await page.getByRole('status').textContent()).includes('main courante'), 'without JavaScript, the status changes once confirmed');
  await page.goto(`${base}/`);
  const titles = await page.locator('svg[role="img"] > title').allTextContents();
  check(titles.includes('Délai de notification à la CNIL'), `the dashboard draws the CNIL deadline (${titles.join(' | ')})`);
  check(titles.includes('Remédiation des systèmes, par statut'), 'the dashboard draws the systems by status');
  check(titles.includes("Lignes rejetées à l'import, par motif"), 'the dashboard draws the rows to handle by reason');
  check((await page.locator('figure.chart > table').count()) === titles.length, 'each chart has its data as a table');
  await audit(page, 'tableau-de-bord-graphiques');
  await ctx.close();
}
{
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'ordonnateur');
  await page.goto(`${base}/paiements`);
  const titles = await page.locator('svg[role="img"] > title').allTextContents();
  check(titles.some((t) => t.endsWith(': total payé par mois')), `the payments page draws each benefit's monthly totals (${titles.join(' | ')})`);
  await audit(page, 'paiements-graphiques');
  await ctx.close();
}
// Bank details held (#20 §3): the ordonnateur sees what the extracts changed and nobody
// approved, approves one, and it leaves the list with the month of the run that pays it.
{
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'ordonnateur');
  await page.getByRole('link', { name: 'voir la liste et décider' }).click();
  await page.waitForURL(/\/rib$/);
  await audit(page, 'rib-liste');
  const approve = page.getByRole('button', { name: /^Approuver les coordonnées de / });
  check((await approve.count()) > 0, 'the ordonnateur sees the bank details held since the extracts changed them');
  check(
    (await page.getByRole('table', { name: /en attente de décision/ }).textContent()).includes('droits retenus'),
    'and that their rights are held back',
  );
  const label = (await approve.first().textContent()).trim();
  await approve.first().click();
  await page.waitForURL(/\/rib\?fait=approuvee/);
  check(
    (await page.getByRole('status').textContent()).includes('prochain paiement préparé : celui de'),
    'after approval, the page says which month\'s run pays the rights',
  );
  check((await page.getByRole('button', { name: label, exact: true }).count()) === 0, 'the approved payee leaves the list');
  await audit(page, 'rib-liste-approuvee');
  await ctx.close();
}
// Desk, person page (#20): the one-line answer to "will I be paid?", in words, and the payment
// certificate downloaded as a PDF, with JavaScript on and off (real CSP).
for (const javaScriptEnabled of [true, false]) {
  const how = javaScriptEnabled ? 'with JavaScript' : 'without JavaScript';
  const ctx = await context({ width: 1280, height: 800 }, javaScriptEnabled);
  const page = await ctx.newPage();
  await signIn(page, 'accueil');
  await page.goto(`${base}/personne/${encodeURIComponent(dossier)}`);
  const lines = await page
    .getByRole('region', { name: /Le prochain paiement sera-t-il versé/ })
    .locator('p.answer')
    .allTextContents();
  check(lines.length >= 1, `${how}, the person page answers "will I be paid?" (${lines.join(' / ')})`);
  check(
    lines.every((l) => /^(.+ — )?(Oui|Non|Pas encore|Le RSA)\b/.test(l.trim())),
    `${how}, each answer starts with yes, no or not yet`,
  );
  check(
    lines.every((l) => !/\d{4}-\d{2}-\d{2}|[a-z]+_[a-z]+/.test(l)),
    `${how}, the answer has French dates and words, no codes`,
  );
  if (javaScriptEnabled) await audit(page, 'personne-reponse');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: /Attestation de paiement/ }).click(),
  ]);
  const pdf = readFileSync(await download.path());
  check(pdf.subarray(0, 4).toString() === '%PDF', `${how}, the payment certificate downloads as a PDF`);
  check(
    download.suggestedFilename().startsWith('attestation-paiement-'),
    `${how}, the certificate is named for what it is (${download.suggestedFilename()})`,
  );
  await ctx.close();
}
// Forms (courrier): a deposit refused with two problems says both beside their fields, keeps
// what was typed and puts the focus on the first, without any script of ours.
{
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'courrier');
  await page.goto(`${base}/courrier?type=facture`);
  await page.getByLabel(/^Déposant/).fill('SARL Bâtiment Essai');
  await page.getByLabel(/^Objet/).fill('Facture de travaux');
  await page.getByLabel('SIRET du fournisseur').fill('123 456');
  await page.getByLabel(/^Numéro de facture/).fill('F-2026-118');
  await page.getByLabel(/^Montant TTC/).fill('douze euros');
  await page.getByRole('button', { name: 'Enregistrer et préparer le récépissé' }).click();
  await page.waitForLoadState('load');
  const summary = page.locator('.form-errors li');
  check((await summary.count()) === 2, 'a refused deposit lists both problems at once');
  check(
    (await page.getByLabel('SIRET du fournisseur').getAttribute('aria-invalid')) === 'true' &&
      (await page.getByLabel(/^Montant TTC/).getAttribute('aria-invalid')) === 'true',
    'each wrong field is marked invalid',
  );
  check(
    (await page.locator('#amount-erreur').textContent()).length > 0 &&
      (await page.getByLabel(/^Montant TTC/).getAttribute('aria-describedby')) === 'amount-erreur',
    "each problem is said beside its field and described by it",
  );
  check(
    (await page.getByLabel(/^Déposant/).inputValue()) === 'SARL Bâtiment Essai' &&
      (await page.getByLabel(/^Numéro de facture/).inputValue()) === 'F-2026-118' &&
      (await page.getByLabel(/^Montant TTC/).inputValue()) === 'douze euros',
    'a refused deposit keeps what was typed',
  );
  check(
    (await page.evaluate(() => document.activeElement && document.activeElement.id)) === 'siret',
    'the focus is on the first problem',
  );
  check(!(await page.content()).includes('--'), 'no command-line option in the messages');
  await audit(page, 'courrier-erreurs');
  // The kind's list swaps the form in place (no page load) and keeps the common fields.
  await page.getByLabel('Type de dépôt').selectOption('offre_marche');
  await page.getByLabel(/^Date limite de la consultation/).waitFor();
  check(
    (await page.getByLabel(/^Déposant/).inputValue()) === 'SARL Bâtiment Essai' &&
      (await page.getByLabel('SIRET du fournisseur').count()) === 0,
    'the kind change swaps the form with JavaScript on and keeps the depositor',
  );
  check(
    (await page.getByRole('button', { name: 'Afficher le formulaire de ce type' }).count()) === 0,
    "the no-JS button is hidden when JavaScript runs",
  );
  await ctx.close();
}

// Forms (courrier): cancelling goes through a page that states the consequence.
{
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'courrier');
  await page.goto(`${base}/courrier?type=autre`);
  await page.getByLabel(/^Déposant/).fill('M. Annulation Essai');
  await page.getByRole('button', { name: 'Enregistrer et préparer le récépissé' }).click();
  await page.waitForURL(/\/courrier\/\d{4}-\d{6}$/);
  const number = page.url().split('/').pop();
  await page.getByRole('link', { name: 'Annuler ce dépôt…' }).click();
  await page.waitForURL(/\/annuler$/);
  const text = await page.locator('main').textContent();
  check(
    text.includes(number) && text.includes('M. Annulation Essai') && text.includes('ANNULÉ'),
    'the confirmation page states the number, the depositor and that the receipt will verify as ANNULÉ',
  );
  await audit(page, 'depot-annuler');
  await page.getByRole('button', { name: /^Confirmer l'annulation/ }).click();
  check(
    (await page.getByLabel(/^Motif de l'annulation/).getAttribute('aria-invalid')) === 'true' ||
      (await page.getByLabel(/^Motif de l'annulation/).evaluate((e) => !e.validity.valid)),
    'a cancellation without a reason is refused',
  );
  await page.getByLabel(/^Motif de l'annulation/).fill('enregistré deux fois');
  await page.getByRole('button', { name: /^Confirmer l'annulation/ }).click();
  await page.waitForURL(/annule=1$/);
  check((await page.getByRole('status').textContent()).includes('annulé'), 'the deposit is cancelled after confirmation');
  // The register is searched by name, its days typed JJ/MM/AAAA.
  await page.goto(`${base}/courrier`);
  await page.getByLabel(/^Rechercher/).fill('annulation essai');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await page.waitForLoadState('load');
  check(
    (await page.getByRole('table').textContent()).includes('M. Annulation Essai'),
    'the register finds a deposit by name',
  );
  check(/^\d{2}\/\d{2}\/\d{4}$/.test(await page.getByLabel(/^Du/).inputValue()) || (await page.getByLabel(/^Du/).inputValue()) === '', 'the register\'s days read JJ/MM/AAAA');
  await ctx.close();
}

// Guide: every page's "Aide" link opens the agents' guide, signed in or not.
{
  const ctx = await context();
  const page = await ctx.newPage();
  await page.goto(`${base}/login`);
  await page.getByRole('link', { name: 'Aide' }).click();
  await page.waitForURL(`${base}/aide`);
  check(
    (await page.getByRole('heading', { level: 2, name: /Accueil/ }).count()) >= 1,
    'the help link opens the guide, with a section per role',
  );
  await audit(page, 'aide');
  await signIn(page, 'instruction');
  await page.getByRole('link', { name: 'Aide' }).click();
  await page.waitForURL(`${base}/aide`);
  check((await page.locator('main h1').textContent()).includes('guide'), 'the guide opens from a signed-in page');
  await ctx.close();
}

// Directory (#20 §9): searched by a word's beginning, live with JavaScript, by the form without.
for (const javaScriptEnabled of [true, false]) {
  const how = javaScriptEnabled ? 'with JavaScript' : 'without JavaScript';
  const ctx = await context({ width: 1280, height: 800 }, javaScriptEnabled);
  const page = await ctx.newPage();
  await signIn(page, 'accueil');
  await page.goto(`${base}/annuaire`);
  const all = await page.locator('#annuaire-resultats tbody tr').count();
  const search = page.getByLabel(/^Rechercher un site/);
  if (javaScriptEnabled) {
    await search.pressSequentially('meaux', { delay: 30 });
    await page.getByRole('status').filter({ hasText: 'répond' }).waitFor();
  } else {
    await search.fill('meaux');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.waitForURL(/\/annuaire\?q=meaux/);
  }
  const rows = await page.locator('#annuaire-resultats tbody tr').allTextContents();
  check(
    rows.length > 0 && rows.length < all && rows.some((r) => /meaux/i.test(r)),
    `${how}, the directory search keeps the rows that answer (${rows.length} of ${all})`,
  );
  if (javaScriptEnabled) await audit(page, 'annuaire-recherche');
  await ctx.close();
}

// The agents' payroll (#22): prepared on the Paie page, reviewed with its control figures,
// validated by another person through the confirmation page, exported with a payslip per agent.
{
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit' })
    .formatToParts(new Date());
  const thisMonth = `${parts.find((p) => p.type === 'month').value}/${parts.find((p) => p.type === 'year').value}`;
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'liquidation');
  await page.getByRole('link', { name: 'Paie', exact: true }).click();
  await page.waitForURL(`${base}/paie`);
  await audit(page, 'paie');
  await page.getByLabel('Mois (MM/AAAA)').fill(thisMonth);
  await page.getByRole('button', { name: 'Préparer la paie' }).click();
  await page.waitForURL(/\/paiements\/P\d{4}-\d{2}-\d{2}$/);
  const runUrl = page.url();
  const review = await page.locator('main').textContent();
  check(review.includes('Agents payés') && review.includes('Éléments variables reportés'), 'the payroll run shows its control figures');
  await audit(page, 'paie-controle');
  await ctx.close();
  const ctx2 = await context();
  const page2 = await ctx2.newPage();
  await signIn(page2, 'ordonnateur');
  await page2.goto(runUrl);
  await page2.getByRole('button', { name: /^Valider le paiement/ }).click();
  await page2.waitForURL(/\/valider\??$/);
  await page2.getByRole('button', { name: /^Confirmer la validation du paiement/ }).click();
  await page2.waitForURL(/fait=valide/);
  await page2.getByRole('button', { name: 'Écrire les fichiers' }).click();
  await page2.waitForURL(/fait=exporte/);
  check((await page2.getByRole('link', { name: /^PES_.*\.xml$/ }).count()) === 1, 'the payroll\'s PES file is offered');
  const [slips] = await Promise.all([
    page2.waitForEvent('download'),
    page2.getByRole('link', { name: /^bulletins_a_imprimer_.*_001\.pdf$/ }).click(),
  ]);
  check(readFileSync(await slips.path()).subarray(0, 5).toString() === '%PDF-', 'the payslips to print download as a PDF');
  await audit(page2, 'paie-fichiers');
  await ctx2.close();
}

// Suppliers' invoices (#23): the list a page at a time, with JavaScript and without (plain
// links); dates, amounts and states as agents write them.
const frenchDay = /^\d{2}\/\d{2}\/\d{4}$/;
const frenchAmount = /^\d{1,3}(\u00a0\d{3})*,\d{2}\u00a0€$/;
for (const javaScriptEnabled of [true, false]) {
  const how = javaScriptEnabled ? 'with JavaScript' : 'without JavaScript';
  const ctx = await context({ width: 1280, height: 800 }, javaScriptEnabled);
  const page = await ctx.newPage();
  await signIn(page, 'instruction');
  await page.goto(`${base}/factures`);
  const rows = page.getByRole('table', { name: /Factures à payer/ }).locator('tbody tr');
  const position = await page.locator('#position').textContent();
  check(/^Page 1 sur \d+ : factures 1 à 100$/.test(position), `${how}, the list says which page it shows (${position})`);
  check((await rows.count()) === 100, `${how}, a page holds 100 invoices`);
  const first = await rows.locator('td:first-child').allTextContents();
  await page.getByRole('link', { name: /^Page suivante/ }).click();
  await page.waitForURL(/\/factures\?page=2$/);
  check(/^Page 2 sur \d+ : factures 101 à/.test(await page.locator('#position').textContent()), `${how}, the next page follows`);
  const second = await rows.locator('td:first-child').allTextContents();
  check(second.length > 0 && second.every((r) => !first.includes(r)), `${how}, page 2 shows other invoices`);
  const cells = await rows.first().locator('td').allTextContents();
  check(
    frenchDay.test(cells[1].trim()) && frenchAmount.test(cells[5].trim()),
    `${how}, deadlines read JJ/MM/AAAA and amounts 1 234,56 € (${cells[1]}, ${cells[5]})`,
  );
  check(
    (await rows.locator('td:nth-child(4)').allTextContents()).every((t) => !/\b[a-z]+_[a-z]+\b|\b(recue|liquidee)\b/.test(t)),
    `${how}, states are words, not codes`,
  );
  if (javaScriptEnabled) await audit(page, 'factures-page-2');
  await ctx.close();
}

// A liquidation agent prepares the suppliers' payment from the list; another agent (an
// ordonnateur) validates it and writes its files; the invoice is then mandated, and its
// payment recorded by hand; a supplier's changed bank details are approved from the list.
{
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'liquidation');
  await page.getByRole('link', { name: 'Factures', exact: true }).click();
  await page.waitForURL(`${base}/factures`);
  await audit(page, 'factures');
  let href = null;
  for (const n of [1, 2]) {
    await page.goto(`${base}/factures?page=${n}`);
    const liquidated = page.locator('tbody tr').filter({ hasText: 'liquidée : à mandater' });
    if ((await liquidated.count()) > 0) {
      href = await liquidated.first().locator('a').first().getAttribute('href');
      break;
    }
  }
  check(href !== null, 'a liquidated invoice waits for its mandat');
  await page.goto(`${base}/factures`);
  check(
    (await page.getByRole('button', { name: /^Approuver les coordonnées de / }).count()) === 0,
    'a liquidation agent sees the bank details held, and may not approve them',
  );
  await page.getByRole('button', { name: 'Préparer le paiement des fournisseurs' }).click();
  await page.waitForURL(/\/paiements\/P\d{4}-\d{2}-\d{2}$/);
  const runUrl = page.url();
  const review = await page.locator('main').textContent();
  check(
    review.includes('Factures mandatées') && review.includes('Intérêts moratoires et indemnités'),
    'the supplier run states its invoices and its late interest',
  );
  check(!review.includes('Par prestation'), 'and not the benefits\' tables');
  check(/\d,\d{2}\u00a0€/.test(review), 'its amounts in euros, French style');
  await audit(page, 'paiement-fournisseurs');
  await ctx.close();

  const ctx2 = await context();
  const page2 = await ctx2.newPage();
  await signIn(page2, 'ordonnateur');
  await page2.goto(runUrl);
  await page2.getByRole('button', { name: /^Valider le paiement/ }).click();
  await page2.waitForURL(/\/valider\??$/);
  check(
    (await page2.locator('main').textContent()).includes('paiement des fournisseurs'),
    'the confirmation page says it validates the suppliers\' payment',
  );
  await audit(page2, 'paiement-fournisseurs-confirmer');
  await page2.getByRole('button', { name: /^Confirmer la validation du paiement/ }).click();
  await page2.waitForURL(/fait=valide/);
  check((await page2.getByRole('status').textContent()).includes('Paiement validé'), 'an ordonnateur validates the suppliers\' payment');
  await page2.getByRole('button', { name: 'Écrire les fichiers' }).click();
  await page2.waitForURL(/fait=exporte/);
  check((await page2.getByRole('link', { name: /^PES_.*\.xml$/ }).count()) === 1, 'the suppliers\' PES file is offered');
  await page2.goto(`${base}${href}`);
  const state = await page2.locator('dl.card').textContent();
  check(state.includes('mandatée'), `the invoice's page then says it is mandated (${href})`);
  check(/mandat n° \d+, bordereau n° \d+/.test(await page2.locator('main').textContent()), 'with its mandat and bordereau');
  await audit(page2, 'facture-mandatee');
  await page2.getByLabel(/^Selon/).fill('retour du comptable');
  await page2.getByRole('button', { name: 'Enregistrer le paiement' }).click();
  await page2.waitForURL(/fait=payee/);
  const paid = await page2.locator('main').textContent();
  check(/payée le \d{2}\/\d{2}\/\d{4}/.test(paid) && paid.includes('retour du comptable'), 'a payment recorded by hand: the invoice is paid');
  await page2.goto(`${base}/factures`);
  const approve = page2.getByRole('button', { name: /^Approuver les coordonnées de / });
  const held = await approve.count();
  check(held > 0, 'the ordonnateur sees a supplier\'s changed bank details, to approve');
  await approve.first().click();
  await page2.waitForURL(/\/factures\?fait=rib$/);
  check((await page2.getByRole('status').textContent()).includes('Coordonnées bancaires approuvées'), 'and approves them');
  check((await approve.count()) === held - 1, 'the supplier leaves the list of bank details to approve');
  await audit(page2, 'factures-rib-approuve');
  await ctx2.close();
}

check(cspViolations.length === 0, `the product's own CSP blocks nothing (${cspViolations.join(' | ')})`);
check(outside.length === 0, `no request leaves the machine (${outside.join(', ')})`);
await browser.close();
if (failures.length) {
  console.log(`${failures.length} failure(s)`);
  process.exit(1);
}
console.log('all end-to-end checks passed');
