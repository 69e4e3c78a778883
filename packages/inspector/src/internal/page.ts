/**
 * The viewer: one page, one script, one style sheet, all served by the
 * inspector itself (no network). The script reads the token from its own URL,
 * opens the WebSocket with it, and builds the page from the messages; every
 * text it shows goes through `textContent`. The SVG drawings come from the
 * server (`MachineGraph.toSvg`, which escapes every name).
 */

/** @internal */
export const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<title>effect-oauth inspector</title>
<link rel="stylesheet" href="/viewer.css">
<script src="/viewer.js" defer></script>
</head>
<body>
<header><h1>effect-oauth inspector</h1><span id="status" class="status">connecting…</span></header>
<main>
  <nav aria-label="sessions"><h2>sessions</h2><ul id="sessions"></ul></nav>
  <section id="chart" aria-label="statechart">
    <div id="diagram" title="click to zoom"><p class="empty">waiting for a session…</p></div>
    <div id="stepper">
      <button id="back" type="button" title="previous snapshot">◀</button>
      <input id="step" type="range" min="0" max="0" value="0" aria-label="snapshot">
      <button id="forward" type="button" title="next snapshot">▶</button>
      <button id="live" type="button" class="on">live</button>
      <span id="step-label"></span>
    </div>
    <div id="transition" class="transition-panel"></div>
  </section>
  <aside>
    <h2>context</h2><dl id="context"></dl>
    <details><summary>raw context</summary><pre id="raw"></pre></details>
    <h2>timeline</h2><ol id="timeline"></ol>
  </aside>
</main>
</body>
</html>
`

/** @internal */
export const style = `
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1e293b; background: #f1f5f9; }
header { display: flex; align-items: baseline; gap: 1rem; padding: .6rem 1rem; background: #0f172a; color: #f8fafc; }
h1 { font-size: 15px; margin: 0; }
h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: #64748b; margin: .8rem 0 .4rem; }
.status { color: #94a3b8; }
.status.connected { color: #4ade80; }
main { display: grid; grid-template-columns: 15rem minmax(0, 1fr) 23rem; gap: 0; min-height: calc(100vh - 2.5rem); }
nav, aside { padding: 0 1rem 1rem; background: #fff; border-right: 1px solid #e2e8f0; overflow: auto; }
aside { border-right: 0; border-left: 1px solid #e2e8f0; }
#chart { padding: 1rem; overflow: auto; }
#sessions { list-style: none; margin: 0; padding: 0; }
#sessions li { padding: .45rem .5rem; border-radius: 6px; cursor: pointer; margin-bottom: 2px; }
#sessions li:hover { background: #f1f5f9; }
#sessions li.selected { background: #dbeafe; }
#sessions .name { display: block; font-weight: 600; overflow-wrap: anywhere; }
#sessions .state { font: 12px ui-monospace, monospace; color: #2563eb; }
#diagram { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: .5rem; overflow: auto; }
#diagram svg { display: block; margin: 0 auto; max-width: 100%; height: auto; }
#diagram svg { cursor: zoom-in; }
#diagram.zoom svg { max-width: none; cursor: zoom-out; }
.empty { color: #64748b; }
svg.machine .state rect { fill: #fff; stroke: #94a3b8; stroke-width: 1.2; }
svg.machine .state.compound > rect { fill: #f8fafc; stroke-dasharray: 4 3; }
svg.machine .state.active > rect { fill: #dbeafe; stroke: #2563eb; stroke-width: 2.5; }
svg.machine .state.compound.active > rect { fill: #eff6ff; }
svg.machine .state text.name { font: 600 13px system-ui, sans-serif; fill: #0f172a; }
svg.machine .state text.detail { font: 11px ui-monospace, monospace; fill: #64748b; }
svg.machine .transition path, svg.machine path.start { fill: none; stroke: #94a3b8; stroke-width: 1.2; }
svg.machine .transition text { font: 11px ui-monospace, monospace; fill: #475569; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
svg.machine .transition.taken path { stroke: #dc2626; stroke-width: 2.5; }
svg.machine .transition.taken text { fill: #b91c1c; font-weight: 700; }
svg.machine marker path { fill: #64748b; }
svg.machine circle.initial { fill: #0f172a; }
#stepper { display: flex; align-items: center; gap: .4rem; margin: .6rem 0; }
#stepper input { flex: 1; }
#stepper button { border: 1px solid #cbd5e1; background: #fff; border-radius: 5px; padding: .15rem .55rem; cursor: pointer; }
#stepper button.on { background: #16a34a; color: #fff; border-color: #16a34a; }
#step-label { font: 12px ui-monospace, monospace; color: #475569; min-width: 8rem; }
.transition-panel { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: .5rem .75rem; min-height: 2.2rem; }
.transition-panel .event { font: 600 13px ui-monospace, monospace; color: #b91c1c; }
.transition-panel .meta { color: #475569; font: 12px ui-monospace, monospace; }
dl { display: grid; grid-template-columns: 8.5rem 1fr; gap: .25rem .5rem; margin: 0; }
dt { color: #64748b; }
dd { margin: 0; overflow-wrap: anywhere; }
dd.bad { color: #b91c1c; }
dd .secret { font: 12px ui-monospace, monospace; background: #f1f5f9; padding: 0 .25rem; border-radius: 3px; }
pre { font: 11px/1.4 ui-monospace, monospace; background: #f8fafc; padding: .5rem; overflow: auto; max-height: 20rem; white-space: pre-wrap; overflow-wrap: anywhere; }
#timeline { list-style: none; margin: 0; padding: 0; font: 12px ui-monospace, monospace; }
#timeline li { display: grid; grid-template-columns: 4.8rem 1fr; gap: .4rem; padding: .2rem .3rem; border-radius: 4px; cursor: pointer; }
#timeline li.current { background: #fee2e2; }
#timeline .at { color: #64748b; text-align: right; }
#timeline .what { overflow-wrap: anywhere; }
#timeline .moved { color: #2563eb; }
`

/** @internal */
export const script = `"use strict";
(function () {
  var token = new URLSearchParams(location.search).get("token") || "";
  var $ = function (id) { return document.getElementById(id); };
  var el = function (tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  var diagrams = new Map();
  var sessions = new Map();
  var selected = null;
  var step = null;
  var shownDiagram = null;
  // The inspector's clock minus the page's: "expires in" reads the session's time, not the browser's.
  var offset = 0;

  function activeStates(value, prefix) {
    prefix = prefix || [];
    if (typeof value === "string") return [prefix.concat([value]).join(".")];
    if (!value || typeof value !== "object") return [];
    var out = [];
    Object.keys(value).forEach(function (key) {
      var path = prefix.concat([key]);
      out.push(path.join("."));
      out = out.concat(activeStates(value[key], path));
    });
    return out;
  }
  function stateText(value) {
    var all = activeStates(value);
    return all.filter(function (id) { return !all.some(function (other) { return other !== id && other.indexOf(id + ".") === 0; }); }).join(", ");
  }
  function readableEvent(type, graph) {
    if (graph) {
      for (var i = 0; i < graph.edges.length; i++) if (graph.edges[i].eventType === type) return graph.edges[i].trigger;
    }
    if (type === "xstate.init") return "start";
    var m = /^xstate\\.after\\.([^.]+)\\./.exec(type);
    if (m) return "after " + m[1];
    m = /^xstate\\.(done|error)\\.actor\\.(.+)$/.exec(type);
    if (m) return m[1] + " " + m[2];
    return type;
  }
  function duration(ms) {
    var s = Math.abs(ms) / 1000;
    var text = s < 90 ? Math.round(s) + " s" : s < 5400 ? Math.round(s / 60) + " min" : s < 172800 ? Math.round(s / 3600) + " h" : Math.round(s / 86400) + " days";
    return ms >= 0 ? "in " + text : text + " ago";
  }
  function relative(ms) { return "+" + (ms / 1000).toFixed(2) + " s"; }

  function sessionOf(id) { return sessions.get(id); }
  function current(session) {
    if (!session || session.snapshots.length === 0) return null;
    var index = step === null ? session.snapshots.length - 1 : Math.min(step, session.snapshots.length - 1);
    return { index: index, snapshot: session.snapshots[index] };
  }

  function onActor(m) {
    if (m.parentId !== undefined && m.parentId !== null) return;
    if (sessions.has(m.sessionId)) return;
    var context = m.snapshot && m.snapshot.context;
    var session = {
      id: m.sessionId,
      label: context && typeof context.key === "string" ? context.key : m.name || m.sessionId,
      keyed: !!(context && typeof context.key === "string"),
      diagram: m.diagram || null,
      startedAt: Number(m.createdAt),
      snapshots: []
    };
    if (m.snapshot && m.snapshot.value !== undefined) {
      session.snapshots.push({ at: Number(m.createdAt), value: m.snapshot.value, context: m.snapshot.context, status: m.snapshot.status, event: { type: "xstate.init" } });
    }
    sessions.set(m.sessionId, session);
    if (selected === null) selected = m.sessionId;
    render();
  }
  function onSnapshot(m) {
    var session = sessionOf(m.sessionId);
    if (!session) return;
    var s = m.snapshot || {};
    if (!session.keyed && s.context && typeof s.context.key === "string") { session.label = s.context.key; session.keyed = true; }
    var last = session.snapshots[session.snapshots.length - 1];
    if (last && last.event && m.event && last.event.type === "xstate.init" && m.event.type === "xstate.init") session.snapshots.pop();
    session.snapshots.push({ at: Number(m.createdAt), value: s.value, context: s.context, status: s.status, event: m.event || { type: "?" } });
    if (session.snapshots.length > 2000) session.snapshots.splice(0, session.snapshots.length - 2000);
    render();
  }

  function renderSessions() {
    var list = $("sessions");
    list.textContent = "";
    sessions.forEach(function (session) {
      var item = el("li", session.id === selected ? "selected" : "");
      item.dataset.session = session.id;
      item.appendChild(el("span", "name", session.label));
      var last = session.snapshots[session.snapshots.length - 1];
      item.appendChild(el("span", "state", last ? stateText(last.value) + (last.status === "active" ? "" : " (" + last.status + ")") : ""));
      item.addEventListener("click", function () { selected = session.id; step = null; shownDiagram = null; render(); });
      list.appendChild(item);
    });
  }

  /** The snapshot at or before index where the state last changed: the transition just taken. */
  function lastMove(session, index) {
    for (var j = index; j > 0; j--) {
      if (JSON.stringify(session.snapshots[j].value) !== JSON.stringify(session.snapshots[j - 1].value)) return j;
    }
    return -1;
  }
  function takenEdges(graph, session, index) {
    if (!graph || index < 1) return [];
    var before = activeStates(session.snapshots[index - 1].value);
    var after = activeStates(session.snapshots[index].value);
    var type = session.snapshots[index].event && session.snapshots[index].event.type;
    var found = [];
    graph.edges.forEach(function (edge, i) {
      if (edge.eventType !== type || before.indexOf(edge.source) === -1) return;
      if (edge.targets.length > 0 && !edge.targets.every(function (t) { return after.indexOf(t) !== -1; })) return;
      found.push(i);
    });
    return found;
  }

  function renderChart() {
    var session = sessionOf(selected);
    var container = $("diagram");
    if (!session) return;
    var drawing = session.diagram && diagrams.get(session.diagram);
    if (!drawing) { if (shownDiagram !== null || !container.querySelector(".empty")) { container.textContent = ""; container.appendChild(el("p", "empty", "laying out the statechart…")); shownDiagram = null; } }
    else if (shownDiagram !== session.diagram) {
      var parsed = new DOMParser().parseFromString(drawing.svg, "image/svg+xml").documentElement;
      container.textContent = "";
      container.appendChild(document.importNode(parsed, true));
      shownDiagram = session.diagram;
    }
    var at = current(session);
    var panel = $("transition");
    panel.textContent = "";
    var slider = $("step");
    slider.max = String(Math.max(0, session.snapshots.length - 1));
    slider.value = String(at ? at.index : 0);
    $("live").className = step === null ? "on" : "";
    $("step-label").textContent = at ? "snapshot " + (at.index + 1) + " / " + session.snapshots.length : "";
    if (!at) return;
    var active = activeStates(at.snapshot.value);
    var svg = container.querySelector("svg");
    if (svg) {
      svg.querySelectorAll("g.state").forEach(function (g) { g.classList.toggle("active", active.indexOf(g.getAttribute("data-state")) !== -1); });
    }
    var graph = drawing ? drawing.graph : null;
    var move = lastMove(session, at.index);
    var taken = move === -1 ? [] : takenEdges(graph, session, move);
    if (svg) {
      svg.querySelectorAll("g.transition").forEach(function (g) {
        var indices = (g.getAttribute("data-edge") || "").split(" ").map(Number);
        g.classList.toggle("taken", indices.some(function (i) { return taken.indexOf(i) !== -1; }));
      });
    }
    if (move === -1) { panel.appendChild(el("span", "meta", "started in " + stateText(at.snapshot.value))); return; }
    var moved = session.snapshots[move];
    var type = moved.event ? moved.event.type : "?";
    panel.appendChild(el("span", "event", readableEvent(type, graph)));
    panel.appendChild(document.createTextNode("  " + stateText(session.snapshots[move - 1].value) + " → " + stateText(moved.value) + "  (" + relative(moved.at - session.startedAt) + ")"));
    if (taken.length > 0) {
      var edge = graph.edges[taken[0]];
      var meta = [];
      if (edge.guard) meta.push("guard " + edge.guard);
      if (edge.actions.length > 0) meta.push("actions " + edge.actions.join(", "));
      if (meta.length > 0) panel.appendChild(el("div", "meta", meta.join(" · ")));
    }
  }

  function row(list, name, value, className) {
    list.appendChild(el("dt", "", name));
    var dd = el("dd", className || "");
    if (typeof value === "string") dd.textContent = value; else dd.appendChild(value);
    list.appendChild(dd);
  }
  function secret(text) { return el("span", "secret", text); }

  function renderContext() {
    var session = sessionOf(selected);
    var list = $("context");
    list.textContent = "";
    var at = current(session);
    if (!at) return;
    var snapshot = at.snapshot;
    var c = snapshot.context || {};
    var now = step === null ? Date.now() + offset : snapshot.at;
    row(list, "state", stateText(snapshot.value) + (snapshot.status === "active" ? "" : " (" + snapshot.status + ")"));
    if (typeof c.key === "string") row(list, "session key", c.key);
    var t = c.tokens;
    if (t && typeof t === "object") {
      var access = el("span");
      access.appendChild(secret(String(t.accessToken)));
      access.appendChild(document.createTextNode(" " + (t.tokenType || "") + (typeof t.expiresAt === "number" ? ", " + (t.expiresAt > now ? "expires " : "expired ") + duration(t.expiresAt - now) : ", no expiry")));
      row(list, "access token", access, typeof t.expiresAt === "number" && t.expiresAt <= now ? "bad" : "");
      if (t.refreshToken !== undefined) {
        var refresh = el("span");
        refresh.appendChild(secret(String(t.refreshToken)));
        refresh.appendChild(document.createTextNode(typeof t.refreshTokenExpiresAt === "number" ? " expires " + duration(t.refreshTokenExpiresAt - now) : " no expiry given"));
        row(list, "refresh token", refresh);
      } else row(list, "refresh token", "none");
      if (t.idToken !== undefined) row(list, "ID token", secret(String(t.idToken)));
      if (Array.isArray(t.scopes)) row(list, "scopes granted", t.scopes.join(" ") || "(none)");
    } else if ("tokens" in c) row(list, "tokens", "none");
    if (Array.isArray(c.requestedScopes) && c.requestedScopes.length > 0) row(list, "scopes requested", c.requestedScopes.join(" "));
    if (Array.isArray(c.missingScopes) && c.missingScopes.length > 0) row(list, "scopes missing", c.missingScopes.join(" "), "bad");
    if (c.error && typeof c.error === "object") {
      var e = c.error;
      row(list, "last error", (e._tag || "error") + ": " + (e.message || "") + (e.remedy ? " — remedy: " + e.remedy : ""), "bad");
    } else if ("error" in c) row(list, "last error", "none");
    if (typeof c.attempt === "number" && c.attempt > 0) row(list, "refresh attempt", c.attempt + (typeof c.retryDelay === "number" && c.retryDelay > 0 ? ", next in " + c.retryDelay + " ms" : ""));
    ["rejected", "lapsed", "refreshTokenExpiring"].forEach(function (flag) { if (c[flag] === true) row(list, flag, "yes", "bad"); });
    $("raw").textContent = JSON.stringify(c, null, 2);
  }

  function renderTimeline() {
    var session = sessionOf(selected);
    var list = $("timeline");
    list.textContent = "";
    if (!session) return;
    var drawing = session.diagram && diagrams.get(session.diagram);
    var at = current(session);
    var from = Math.max(0, session.snapshots.length - 400);
    for (var i = session.snapshots.length - 1; i >= from; i--) {
      var s = session.snapshots[i];
      var previous = i > 0 ? session.snapshots[i - 1] : null;
      var item = el("li", at && at.index === i ? "current" : "");
      item.dataset.index = String(i);
      item.appendChild(el("span", "at", relative(s.at - session.startedAt)));
      var what = el("span", "what", readableEvent(s.event ? s.event.type : "?", drawing ? drawing.graph : null));
      var moved = previous && stateText(previous.value) !== stateText(s.value);
      if (moved) what.appendChild(el("span", "moved", "  " + stateText(previous.value) + " → " + stateText(s.value)));
      item.appendChild(what);
      (function (index) { item.addEventListener("click", function () { step = index; render(); }); })(i);
      list.appendChild(item);
    }
  }

  var pending = false;
  function render() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () {
      pending = false;
      renderSessions();
      renderChart();
      renderContext();
      renderTimeline();
    });
  }

  $("step").addEventListener("input", function (e) { step = Number(e.target.value); render(); });
  $("back").addEventListener("click", function () {
    var session = sessionOf(selected); if (!session) return;
    var index = step === null ? session.snapshots.length - 1 : step;
    step = Math.max(0, index - 1); render();
  });
  $("forward").addEventListener("click", function () {
    var session = sessionOf(selected); if (!session || step === null) return;
    step = step + 1 >= session.snapshots.length - 1 ? null : step + 1; render();
  });
  $("live").addEventListener("click", function () { step = null; render(); });
  // Click the chart to see it at full size (scrolling), click again to fit.
  $("diagram").addEventListener("click", function () { $("diagram").classList.toggle("zoom"); });
  setInterval(function () { if (step === null) renderContext(); }, 1000);

  var socket = new WebSocket("ws://" + location.host + "/?token=" + encodeURIComponent(token));
  var status = $("status");
  socket.onopen = function () { status.textContent = "connected"; status.className = "status connected"; };
  socket.onclose = function () { status.textContent = "disconnected"; status.className = "status"; };
  socket.onmessage = function (message) {
    var m;
    try { m = JSON.parse(message.data); } catch (e) { return; }
    if (m.createdAt !== undefined && Number.isFinite(Number(m.createdAt))) offset = Number(m.createdAt) - Date.now();
    if (m.type === "@effect-oauth.diagram") { diagrams.set(m.id, m); shownDiagram = shownDiagram === m.id ? null : shownDiagram; render(); }
    else if (m.type === "@xstate.actor") onActor(m);
    else if (m.type === "@xstate.snapshot") onSnapshot(m);
  };
})();
`
