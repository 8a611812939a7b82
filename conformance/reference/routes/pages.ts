/**
 * @module routes/pages
 * Browser pages that are not part of the API: the consent page, and the
 * checkout and billing-portal pages of the local billing stand-in.
 */
import type { Hono } from 'hono';
import type { ServerEnv } from '../context.js';
import { newId } from '../domain/ids.js';

const DAY_MS = 86_400_000;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}button{padding:.5rem 1rem;margin-right:.5rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

// The consent page reads the request with the public consent API and posts the decision back to it.
const CONSENT_SCRIPT = `
const id = new URLSearchParams(location.search).get('req');
const main = document.getElementById('main');
const show = (html) => { main.innerHTML = html; };
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
async function decide(action) {
  const res = await fetch('/v1/consent/' + encodeURIComponent(id) + '/' + action, { method: 'POST' });
  const body = await res.json();
  if (!res.ok) return show('<p>' + esc(body.message) + '</p>');
  if (body.redirectUri) {
    const url = new URL(body.redirectUri);
    if (action === 'approve') url.searchParams.set('code', body.code); else url.searchParams.set('error', 'access_denied');
    if (body.state) url.searchParams.set('state', body.state);
    location.href = url.toString();
  } else show(action === 'approve' ? '<p>Approved. Authorization code: <code>' + esc(body.code) + '</code></p>' : '<p>Denied.</p>');
}
fetch('/v1/consent/' + encodeURIComponent(id ?? '')).then(async (res) => {
  const r = await res.json();
  if (!res.ok) return show('<p>' + esc(r.message) + '</p>');
  show('<p><b>' + esc(r.agentName) + '</b> (' + esc(r.agentDid) + '), an agent of <b>' + esc(r.developerName) + '</b>, asks to:</p><ul>' +
    r.scopeDescriptions.map((d) => '<li>' + esc(d) + '</li>').join('') + '</ul><p>Until ' + esc(r.expiresAt) + '</p>' +
    '<button id="deny">Deny</button><button id="approve">Approve</button>');
  document.getElementById('approve').onclick = () => decide('approve');
  document.getElementById('deny').onclick = () => decide('deny');
});`;

/** Adds the pages to `app`. */
export function addPages(app: Hono, env: ServerEnv): void {
  app.get('/consent', (c) =>
    c.html(page('Authorization request', `<div id="main">Loading…</div><script>${CONSENT_SCRIPT}</script>`)),
  );

  app.get('/_billing/checkout/:id', (c) => {
    const session = env.store.checkoutSessions.get(c.req.param('id'));
    if (session === undefined || session.completed)
      return c.html(page('Checkout', '<p>This checkout session is unknown or finished.</p>'), 404);
    const action = `/_billing/checkout/${session.id}`;
    return c.html(
      page(
        `Subscribe to ${session.plan}`,
        `<p>Local test checkout: no payment is taken.</p>
<form method="post" action="${action}/complete"><button>Pay</button></form><form method="post" action="${action}/cancel"><button>Cancel</button></form>`,
      ),
    );
  });

  app.post('/_billing/checkout/:id/:outcome{complete|cancel}', (c) => {
    const session = env.store.checkoutSessions.get(c.req.param('id'));
    const tenant = session === undefined ? undefined : env.store.tenant(session.developerId);
    if (session === undefined || tenant === undefined || session.completed)
      return c.json({ message: 'Unknown or finished checkout session' }, 404);
    session.completed = true;
    if (c.req.param('outcome') === 'cancel') return c.redirect(session.cancelUrl, 303);
    tenant.subscription = {
      plan: session.plan,
      status: 'active',
      currentPeriodEnd: new Date(env.now() + 30 * DAY_MS).toISOString(),
      customerId: tenant.subscription.customerId ?? newId('cus', env.now()),
    };
    return c.redirect(session.successUrl, 303);
  });

  app.get('/_billing/portal/:id', (c) => {
    const session = env.store.portalSessions.get(c.req.param('id'));
    const tenant = session === undefined ? undefined : env.store.tenant(session.developerId);
    if (session === undefined || tenant === undefined)
      return c.html(page('Billing', '<p>Unknown portal session.</p>'), 404);
    const sub = tenant.subscription;
    return c.html(
      page(
        'Billing',
        `<p>Plan: <b>${escapeHtml(sub.plan)}</b> (${escapeHtml(sub.status)}), renews ${escapeHtml(sub.currentPeriodEnd ?? '-')}</p>
<form method="post" action="/_billing/portal/${c.req.param('id')}/cancel"><button>Cancel subscription</button></form>
<p><a href="${escapeHtml(session.returnUrl)}">Back</a></p>`,
      ),
    );
  });

  app.post('/_billing/portal/:id/cancel', (c) => {
    const session = env.store.portalSessions.get(c.req.param('id'));
    const tenant = session === undefined ? undefined : env.store.tenant(session.developerId);
    if (session === undefined || tenant === undefined) return c.json({ message: 'Unknown portal session' }, 404);
    tenant.subscription = { ...tenant.subscription, plan: 'free', status: 'canceled', currentPeriodEnd: null };
    return c.redirect(session.returnUrl, 303);
  });
}
