import Reporting

/// The live page `rsbench run --dashboard` serves: self-contained (inline CSS and script, no external reference), it
/// follows `/events` (server-sent events, one frame a second) and replaces its charts, gates and progress line with
/// each frame; the last frame links the written report.
///
/// `data-frames`, `data-seconds` (distinct seconds of the run seen) and `data-second` (the latest) on `<body>` say what
/// arrived, so a browser test can tell that live updates happened.
public enum DashboardPage {
    public static let html = """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <title>rsbench live</title>
    <style>
    \(HTMLReportWriter.css)
    .verdict.running { background: #0969da; } .verdict.disconnected { background: #888; }
    #line { font-family: ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap; }
    #report { font-size: 1.05em; }
    </style>
    </head>
    <body data-frames="0" data-seconds="0" data-second="0">
    <h1>rsbench <code id="scenario">…</code> <span id="status" class="verdict running">connecting</span></h1>
    <p class="meta" id="line">waiting for the first second of the run…</p>
    <p id="report" hidden></p>
    <h2>Gates</h2>
    <table id="gates"><thead><tr><th></th><th>gate</th><th>measured</th></tr></thead><tbody></tbody></table>
    <h2>Charts</h2>
    <div id="charts"></div>
    <script>
    (function () {
      const byId = (id) => document.getElementById(id);
      const marks = { pass: ['ok', 'pass'], fail: ['bad', 'FAIL'], pending: ['warn', 'at the end'] };
      let frames = 0;
      const seconds = new Set();
      // `?frames=N` stops following after N frames: a page that settles, for a screenshot or a headless browser.
      const limit = Number(new URLSearchParams(location.search).get('frames') || 0);
      const events = new EventSource('events');
      events.onmessage = (event) => {
        const f = JSON.parse(event.data);
        frames += 1;
        seconds.add(f.second);
        document.body.dataset.frames = String(frames);
        document.body.dataset.seconds = String(seconds.size);
        document.body.dataset.second = String(f.second);
        byId('scenario').textContent = f.scenario;
        byId('line').textContent = f.line;
        const status = byId('status');
        status.textContent = f.verdict ? f.verdict.toUpperCase() : f.phase;
        status.className = 'verdict ' + (f.verdict || 'running');
        const charts = byId('charts');
        for (const c of f.charts) {
          let figure = byId('chart-' + c.id);
          if (!figure) {
            figure = document.createElement('figure');
            figure.id = 'chart-' + c.id;
            charts.appendChild(figure);
          }
          figure.innerHTML = c.svg;
        }
        byId('gates').tBodies[0].replaceChildren(...f.gates.map((g) => {
          const row = document.createElement('tr');
          const [kind, text] = marks[g.state] || ['warn', g.state];
          const mark = document.createElement('span');
          mark.className = 'mark ' + kind;
          mark.textContent = text;
          const cells = [mark, g.expression, g.measured].map((v) => {
            const td = document.createElement('td');
            if (typeof v === 'string') { td.textContent = v; } else { td.appendChild(v); }
            return td;
          });
          row.replaceChildren(...cells);
          return row;
        }));
        if (limit > 0 && frames >= limit) { events.close(); }
        if (f.reportLink) {
          const p = byId('report');
          const a = document.createElement('a');
          a.href = f.reportLink;
          a.id = 'report-link';
          a.textContent = 'the report';
          p.replaceChildren('Run ended. Open ', a, ' (written to ' + f.reportPath + ').');
          p.hidden = false;
          events.close();
        }
      };
      events.onerror = () => {
        if (!byId('report').hidden) { return; }
        const status = byId('status');
        status.textContent = 'disconnected';
        status.className = 'verdict disconnected';
      };
    })();
    </script>
    </body>
    </html>
    """
}
