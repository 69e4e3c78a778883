/**
 * The relay's viewer page: connects back to the relay it was served from and
 * shows, for the session machine, each state with the event that led to it and
 * the context of the latest snapshot (tokens appear as "<redacted>"). Plain
 * DOM, no external resources, so it works without a network.
 */
export const viewerPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>effect-oauth session inspector</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; display: grid; grid-template-columns: 22rem 1fr; gap: 1.5rem; }
  h1 { grid-column: 1 / -1; font-size: 1.1rem; margin: 0; }
  ol { padding-left: 1.5rem; margin: 0; }
  li.current { font-weight: bold; }
  .event { color: #666; font-family: ui-monospace, monospace; font-size: 12px; }
  pre { background: #f5f5f5; padding: 0.75rem; overflow: auto; margin: 0; font-size: 12px; }
  #status { color: #666; font-weight: normal; }
</style>
</head>
<body>
<h1>session machine <span id="status">connecting…</span></h1>
<section><h2>states</h2><ol id="states"></ol></section>
<section><h2>context</h2><pre id="context"></pre></section>
<script>
  const states = document.getElementById("states")
  const context = document.getElementById("context")
  const status = document.getElementById("status")
  const roots = new Set()
  let last
  const socket = new WebSocket("ws://" + location.host)
  socket.onopen = () => { status.textContent = "connected" }
  socket.onclose = () => { status.textContent = "disconnected" }
  socket.onmessage = (message) => {
    const event = JSON.parse(message.data)
    if (event.type === "@xstate.actor" && event.parentId === undefined) roots.add(event.sessionId)
    if (event.type !== "@xstate.snapshot" || !roots.has(event.sessionId)) return
    const value = JSON.stringify(event.snapshot.value)
    context.textContent = JSON.stringify(event.snapshot.context, null, 2)
    if (value === last) return
    last = value
    for (const item of states.children) item.className = ""
    const item = document.createElement("li")
    item.className = "current"
    item.textContent = value.replaceAll('"', "") + " "
    const cause = document.createElement("span")
    cause.className = "event"
    cause.textContent = "← " + (event.event && event.event.type)
    item.append(cause)
    states.append(item)
  }
</script>
</body>
</html>
`
