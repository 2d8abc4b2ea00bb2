/**
 * The operator dashboard at `/`: one self-contained page (no build step, no external assets)
 * that reads the same tRPC procedures the CLI uses, over HTTP GET with the operator's API key:
 * one batched request per poll while nothing happens, two when something did.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>swarmtask</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2330; background: #f6f7f9; }
  body { margin: 0; padding: 1.5rem; }
  h1 { font-size: 1.3rem; margin: 0 0 1rem; } h2 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
  .cards { display: flex; gap: .6rem; flex-wrap: wrap; }
  .card { background: #fff; border: 1px solid #dde1e7; border-radius: 8px; padding: .6rem .9rem; min-width: 7rem; }
  .card b { display: block; font-size: 1.4rem; }
  table { border-collapse: collapse; width: 100%; background: #fff; font-size: .85rem; }
  th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #eceff3; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 22rem; }
  .muted { color: #6b7383; } .err { color: #b42318; }
  form { margin-bottom: 1rem; } input { font: inherit; padding: .3rem; width: 28rem; max-width: 100%; }
  input.filter { font-size: .8rem; font-weight: normal; width: 18rem; }
</style>
</head>
<body>
<h1>swarmtask <span class="muted" id="task"></span> <span class="muted" id="storage"></span></h1>
<form id="keyform"><input id="key" type="password" placeholder="API key (swarmtask keys create --name dashboard --read-only)" autocomplete="off"> <button>Use key</button> <span id="status" class="muted"></span></form>
<div class="cards" id="counts"></div>
<h2>Rounds <span id="round" class="muted"></span></h2>
<table id="rounds"><thead><tr><th>round</th><th>status</th><th>submissions</th><th>paid</th><th>distribution list</th></tr></thead><tbody></tbody></table>
<h2>Submissions</h2>
<table id="submissions"><thead><tr><th>round</th><th>submission</th><th>todo</th><th>worker</th><th>status</th><th>votes</th></tr></thead><tbody></tbody></table>
<h2>Workers <span id="workersummary" class="muted"></span></h2>
<table id="workers"><thead><tr><th>staking key</th><th>GitHub user</th><th>stake</th><th>can work</th><th>last seen</th></tr></thead><tbody></tbody></table>
<h2>Todos</h2>
<table id="todos"><thead><tr><th>id</th><th>status</th><th>type</th><th>name</th><th>priority</th><th>reward</th><th>attempts</th><th>holder</th><th>updated</th><th>last error</th></tr></thead><tbody></tbody></table>
<h2>Recent events <input id="eventtype" class="filter" placeholder="only types starting with… (todo.failed, queue.)" autocomplete="off"> <span id="eventnote" class="muted"></span></h2>
<table id="events"><thead><tr><th>id</th><th>time</th><th>type</th><th>todo</th><th>data</th></tr></thead><tbody></tbody></table>
<script>
const $ = (id) => document.getElementById(id);
const keyInput = $('key');
// A key can also arrive in the fragment (#key=…), which never reaches the server's logs.
const fragmentKey = new URLSearchParams(location.hash.slice(1)).get('key');
if (fragmentKey) { localStorage.setItem('swarmtask-key', fragmentKey); history.replaceState(null, '', location.pathname); }
keyInput.value = localStorage.getItem('swarmtask-key') || '';
$('keyform').onsubmit = (e) => { e.preventDefault(); localStorage.setItem('swarmtask-key', keyInput.value.trim()); shownState = ''; refresh(true); };
// The event table's type filter: prefixes, comma-separated, as \`swarmtask events --type\` takes them.
const eventTypes = () => $('eventtype').value.split(',').map((t) => t.trim()).filter(Boolean).slice(0, 20);
$('eventtype').onchange = () => { shownState = ''; refresh(true); };
// One HTTP request per batch of procedures (tRPC's batch GET): each answer is its own result or error.
async function batch(calls) {
  const inputs = {};
  calls.forEach(([, input], i) => { if (input !== undefined) inputs[i] = input; });
  const url = '/trpc/' + calls.map(([path]) => path).join(',') + '?batch=1&input=' + encodeURIComponent(JSON.stringify(inputs));
  const res = await fetch(url, { headers: { 'x-api-key': localStorage.getItem('swarmtask-key') || '' } });
  const body = await res.json();
  if (!Array.isArray(body)) throw new Error(body.error ? body.error.message : 'HTTP ' + res.status);
  return body.map((item) => item.error ? { error: item.error.message } : { data: item.result.data });
}
/** The answers the page cannot do without: the first error is what the operator sees. */
function required(answers) {
  const failed = answers.find((a) => a.error);
  if (failed) throw new Error(failed.error);
  return answers.map((a) => a.data);
}
const text = (v) => v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
function rows(table, items, cells) {
  const body = $(table).querySelector('tbody');
  body.replaceChildren(...items.map((item) => {
    const tr = document.createElement('tr');
    for (const cell of cells(item)) { const td = document.createElement('td'); td.textContent = text(cell); td.title = text(cell); tr.append(td); }
    return tr;
  }));
}
const time = (ms) => ms ? new Date(ms).toLocaleTimeString() : '';
// Whole and fraction apart, as shared/swarms-units.ts does: a float of SWARMS loses digits past ~9M.
const swarms = (baseUnits) => {
  const whole = Math.floor(Math.abs(baseUnits) / 1e9), fraction = String(Math.abs(baseUnits) % 1e9).padStart(9, '0').replace(/0+$/, '');
  return (baseUnits < 0 ? '-' : '') + whole.toLocaleString('en-US') + (fraction ? '.' + fraction : '') + ' SWARMS';
};
// As shared/format-bytes.ts writes them.
const bytes = (n) => n >= 1024 ** 3 ? (n / 1024 ** 3).toFixed(1) + ' GiB' : n >= 1024 ** 2 ? (n / 1024 ** 2).toFixed(1) + ' MiB' : Math.round(n / 1024) + ' KiB';
const WORKERS_SHOWN = 25;
// Every poll asks only whether anything happened (the newest event id, the round); the tables are
// read again when it did, or every 15 s for what changes without an event (workers' last seen).
const FULL_REFRESH_MS = 15000;
let shownState = '';
let shownAt = 0;
function showUpdated() {
  $('status').textContent = 'updated ' + new Date().toLocaleTimeString();
  $('status').className = 'muted';
}
let refreshing = false;
async function refresh(force) {
  // A slow answer must not pile up polls behind it.
  if (refreshing) return;
  refreshing = true;
  try {
    const [health, round] = required(await batch([['health.check'], ['rounds.current']]));
    const state = health.lastEventId + '/' + round.number;
    if (!force && state === shownState && Date.now() - shownAt < FULL_REFRESH_MS) return showUpdated();
    $('task').textContent = 'task ' + health.taskId + (health.claimsPausedSince ? ' · claims PAUSED since ' + time(health.claimsPausedSince) + ' (swarmtask resume)' : '');
    $('round').textContent = 'current ' + round.number + ', ends ' + time(round.endsAt);
    const numbers = [];
    for (let n = round.number; n >= Math.max(0, round.number - 5); n--) numbers.push(n);
    const answers = await batch([
      ...numbers.map((number) => ['rounds.get', { number }]),
      // With short rounds the last paid one soon scrolls out of the six above: keep it in view.
      ['rounds.get', {}],
      ['todos.counts'], ['workers.summary'], ['workers.list', { limit: WORKERS_SHOWN, sort: 'lastSeen' }],
      ['todos.list', { limit: 25 }], ['events.find', { from: 'newest', limit: 30, ...(eventTypes().length ? { types: eventTypes() } : {}) }],
      ['webhooks.state'], ['store.room'],
    ]);
    // Rounds not reached or not kept answer NOT_FOUND: they are simply not shown.
    const recent = answers.slice(0, numbers.length).filter((a) => a.data).map((a) => a.data);
    const lastPaid = answers[numbers.length].data;
    const [counts, summary, workers, page, events, webhook, room] = required(answers.slice(numbers.length + 1));
    // Room for the store where it lives; LOW before writes start failing with STORE_FULL.
    if (room) {
      $('storage').textContent = '· store ' + bytes(room.storeBytes) + ', ' + (room.low ? 'disk LOW: ' + bytes(room.freeBytes) + ' free, keep ' + bytes(room.wantedFreeBytes) : bytes(room.freeBytes) + ' free');
      $('storage').className = room.low ? 'err' : 'muted';
    }
    // A failing webhook saves its state without an event: the 15 s refresh brings it.
    if (webhook && webhook.failing) {
      $('task').textContent += ' · webhook FAILING since ' + time(webhook.failing.since) + ' (' + webhook.failing.attempts + ' attempts: ' + webhook.failing.error + ')';
    }
    if (lastPaid && !recent.some((r) => r.number === lastPaid.number)) recent.push(lastPaid);
    const sum = (d) => Object.values(d.distribution).reduce((a, b) => a + b, 0);
    rows('rounds', recent, (r) => [r.number, r.status, r.submissions.length, swarms(sum(r)), r.distributionCid || '']);
    const subs = recent.flatMap((r) => r.submissions.map((s) => ({ ...s, round: r.number })));
    rows('submissions', subs, (s) => [s.round, s.submissionCid, s.todoId, s.stakingKey.slice(0, 10) + '…', s.status, s.votes.map((v) => v.vote || v.status).join(', ')]);
    $('counts').replaceChildren(...Object.entries(counts).map(([status, n]) => {
      const div = document.createElement('div'); div.className = 'card'; div.innerHTML = '<b></b><span></span>';
      div.querySelector('b').textContent = n; div.querySelector('span').textContent = status; return div;
    }));
    $('workersummary').textContent = summary.registered + ' registered, ' + summary.staked + ' staked enough to work, ' + summary.activeLast10Minutes +
      ' active in the last 10 minutes' + (summary.registered > workers.workers.length ? '; the ' + workers.workers.length + ' seen most recently:' : '');
    rows('workers', workers.workers, (w) => [w.stakingKey, w.githubUsername || '', swarms(w.stake), w.stake >= health.minStake ? 'yes' : 'no: below ' + swarms(health.minStake), time(w.lastSeenAt)]);
    rows('todos', page.todos, (t) => [t.id, t.status, t.spec.swarm_type || 'SequentialWorkflow', t.spec.name || t.spec.task, t.priority, swarms(t.reward), t.attempts + '/' + t.maxAttempts, t.holderKey ? t.holderKey.slice(0, 10) + '…' : '', time(t.updatedAt), t.lastError]);
    rows('events', events.events.reverse(), (e) => [e.id, time(e.createdAt), e.type, e.todoId, e.data]);
    // One search looks through a bounded window of the log: say where it stopped short.
    $('eventnote').textContent = events.done || events.events.length === 30 ? '' : 'searched back to event #' + events.cursor + ' (swarmtask events --type … searches all)';
    shownState = state;
    shownAt = Date.now();
    showUpdated();
  } catch (error) {
    shownState = '';
    $('status').textContent = error.message;
    $('status').className = 'err';
  } finally {
    refreshing = false;
  }
}
refresh(true);
setInterval(refresh, 2000);
</script>
</body>
</html>
`;
