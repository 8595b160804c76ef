/// The live operations page at `/` (DESIGN.md §10): one self-contained HTML document — no build
/// step, nothing fetched from anywhere but this daemon. Open jobs by state and workers by
/// status from `/v1/stats`, the last events as they stream from `/v1/events`, and a map drawn
/// in SVG from the open jobs and the workers near them. It asks for an admin's or a viewer's
/// token once and keeps it in the tab's session storage (`#token=` in the address fills it).
enum OperationsPage {
    /// Nothing but this daemon, and the page's own inline style and script.
    static let policy = "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:"

    static let html: [UInt8] = Array(#"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>sevad — operations</title>
    <style>
    body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2433; background: #f5f6f8; }
    header { display: flex; gap: 1em; align-items: center; padding: .6em 1em; background: #12355b; color: #fff; }
    header h1 { font-size: 1.1em; margin: 0; }
    header form { margin-left: auto; }
    main { display: grid; grid-template-columns: minmax(16em, 1fr) minmax(16em, 1fr) 2fr; gap: 1em; padding: 1em; }
    section { background: #fff; border-radius: 6px; padding: .6em 1em; box-shadow: 0 1px 2px #0002; }
    h2 { font-size: 1em; margin: .2em 0 .6em; }
    table { border-collapse: collapse; width: 100%; }
    td { padding: .15em .3em; border-bottom: 1px solid #eee; }
    td.n { text-align: right; font-variant-numeric: tabular-nums; }
    #events { max-height: 22em; overflow-y: auto; margin: 0; padding-left: 1.2em; font-family: ui-monospace, monospace; font-size: 12px; }
    #map-section { grid-row: span 2; }
    svg { width: 100%; height: auto; background: #eef3f8; border-radius: 4px; }
    .w-available { fill: #1b873f; } .w-offered, .w-assigned, .w-busy { fill: #d97706; } .w-on_break { fill: #6b7280; } .w-offline { fill: #c0c4cc; }
    .job { fill: #b42318; }
    #status { font-size: 12px; opacity: .85; }
    </style>
    </head>
    <body>
    <header>
      <h1>sevad · operations</h1>
      <span id="status">not signed in</span>
      <form id="login"><input id="token" type="password" placeholder="admin or viewer token" size="28"> <button>Open</button></form>
    </header>
    <main>
      <section><h2>Open jobs</h2><table id="jobs"></table></section>
      <section><h2>Workers</h2><table id="workers"></table></section>
      <section id="map-section"><h2>Map</h2><svg id="map" viewBox="0 0 600 600" role="img" aria-label="open jobs and workers"></svg></section>
      <section style="grid-column: span 2"><h2>Events</h2><ol id="events" reversed></ol></section>
    </main>
    <script>
    "use strict";
    const key = "sevad-token";
    const hash = location.hash.match(/token=([^&]+)/);
    if (hash) { sessionStorage.setItem(key, decodeURIComponent(hash[1])); history.replaceState(null, "", location.pathname); }
    const $ = (id) => document.getElementById(id);
    const token = () => sessionStorage.getItem(key);
    $("login").addEventListener("submit", (e) => { e.preventDefault(); sessionStorage.setItem(key, $("token").value); start(); });

    async function api(path) {
      const response = await fetch(path, { headers: { Authorization: "Bearer " + token() } });
      const body = await response.json();
      if (!response.ok) throw new Error(body.error ? body.error.code + " " + body.error.message : response.status);
      return body;
    }

    function rows(table, counts) {
      table.replaceChildren(...Object.entries(counts).map(([name, count]) => {
        const row = document.createElement("tr");
        row.innerHTML = "<td></td><td class=n></td>";
        row.children[0].textContent = name.replace("_", " ");
        row.children[1].textContent = count;
        return row;
      }));
    }

    function draw(jobs, workers) {
      const svg = $("map");
      const points = jobs.concat(workers);
      if (points.length === 0) { svg.replaceChildren(); return; }
      const lats = points.map((p) => p.lat), lons = points.map((p) => p.lon);
      const south = Math.min(...lats), north = Math.max(...lats), west = Math.min(...lons), east = Math.max(...lons);
      const across = Math.max((east - west) * Math.cos((south + north) / 2 * Math.PI / 180), north - south, 0.01);
      const x = (lon) => 30 + 540 * ((lon - west) * Math.cos((south + north) / 2 * Math.PI / 180)) / across;
      const y = (lat) => 570 - 540 * (lat - south) / across;
      const ns = "http://www.w3.org/2000/svg";
      const shapes = [];
      for (const w of workers) {
        const c = document.createElementNS(ns, "circle");
        c.setAttribute("cx", x(w.lon)); c.setAttribute("cy", y(w.lat)); c.setAttribute("r", 4);
        c.setAttribute("class", "w-" + w.status);
        const t = document.createElementNS(ns, "title"); t.textContent = w.id + " · " + w.status; c.append(t);
        shapes.push(c);
      }
      for (const j of jobs) {
        const r = document.createElementNS(ns, "rect");
        r.setAttribute("x", x(j.lon) - 5); r.setAttribute("y", y(j.lat) - 5); r.setAttribute("width", 10); r.setAttribute("height", 10);
        r.setAttribute("class", "job");
        const t = document.createElementNS(ns, "title"); t.textContent = "job " + j.id + " · " + j.skill + " · " + j.state; r.append(t);
        shapes.push(r);
      }
      svg.replaceChildren(...shapes);
    }

    const openStates = new Set(["scheduled", "searching", "offered", "assigned", "arrived", "started"]);
    async function refresh() {
      try {
        const stats = await api("/v1/stats");
        rows($("jobs"), stats.jobs || {});
        rows($("workers"), stats.workers || {});
        const jobs = (await api("/v1/jobs?limit=500")).filter((j) => openStates.has(j.state) && j.lat !== undefined);
        const centre = jobs[0] || { lat: 26.85, lon: 80.95 };
        const workers = await api("/v1/near?lat=" + centre.lat + "&lon=" + centre.lon + "&radius_km=50&limit=1000&all=yes");
        draw(jobs, workers.filter((w) => w.lat !== undefined));
        $("status").textContent = "live · " + new Date().toLocaleTimeString();
      } catch (error) {
        $("status").textContent = String(error.message || error);
      }
    }

    let source = null, timer = null, pending = null;
    function start() {
      if (!token()) return;
      if (source) source.close();
      source = new EventSource("/v1/events?token=" + encodeURIComponent(token()));
      source.addEventListener("job", (e) => {
        const event = JSON.parse(e.data);
        const item = document.createElement("li");
        item.className = "event";
        item.textContent = "#" + event.seq + " job " + event.job + " " + event.state + (event.worker ? " · " + event.worker : "");
        $("events").prepend(item);
        while ($("events").children.length > 200) $("events").lastChild.remove();
        clearTimeout(pending); pending = setTimeout(refresh, 300);
      });
      source.addEventListener("open", () => { document.body.dataset.stream = "open"; });
      source.addEventListener("error", () => { $("status").textContent = "reconnecting…"; });
      clearInterval(timer); timer = setInterval(refresh, 5000);
      refresh();
    }
    start();
    </script>
    </body>
    </html>

    """#.utf8)
}
