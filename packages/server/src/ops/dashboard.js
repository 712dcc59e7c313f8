// The CodeBox dashboard. Plain browser JavaScript, served inline by OpsRoutes (no build step).
// Everything that comes from a task (source, output, file names) is put on the page as text
// nodes, never as HTML.
;(() => {
  const STATES = ["PENDING", "RECEIVED", "STARTED", "RETRY", "SUCCESS", "FAILURE", "REVOKED"]
  const POLL_MS = 2000
  const DETAIL_POLL_MS = 1000
  const STALE_HEARTBEAT_MS = 30000
  const SVG = "http://www.w3.org/2000/svg"
  const $ = (id) => document.getElementById(id)

  const state = { paused: false, selected: null, detailFinal: false, lastDetail: "", languages: [] }

  /** h("td", { class: "mono" }, "text", child): an element with attributes and text/element children. */
  const h = (tag, attrs, ...children) => {
    const el = document.createElement(tag)
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, String(v))
    for (const c of children) if (c !== undefined && c !== null) el.append(c instanceof Node ? c : document.createTextNode(String(c)))
    return el
  }
  const s = (tag, attrs) => {
    const el = document.createElementNS(SVG, tag)
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v))
    return el
  }
  const badge = (text) => h("span", { class: `badge ${text}`, "data-state": text }, text)

  const ms = (v) => {
    if (v === null || v === undefined) return "–"
    if (v < 1000) return `${Math.round(v)} ms`
    if (v < 60000) return `${(v / 1000).toFixed(v < 10000 ? 2 : 1)} s`
    return `${Math.floor(v / 60000)} min ${Math.round((v % 60000) / 1000)} s`
  }
  const bytes = (n) =>
    n === null || n === undefined
      ? "–"
      : n < 1024
        ? `${n} B`
        : n < 1048576
          ? `${(n / 1024).toFixed(1)} KiB`
          : `${(n / 1048576).toFixed(1)} MiB`
  const clock = (t) => (t ? new Date(t).toLocaleTimeString([], { hour12: false }) : "–")
  const stamp = (t) => (t ? new Date(t).toLocaleString([], { hour12: false }) : "–")
  const ago = (t, now) => (t ? `${ms(Math.max(0, now - t))} ago` : "–")

  async function getJson(url) {
    const response = await fetch(url, { cache: "no-store", credentials: "same-origin", headers: { accept: "application/json" } })
    const body = await response.json().catch(() => ({}))
    if (!response.ok) throw new Error(body.message || `${response.status} ${response.statusText}`)
    return body
  }

  function setLive(kind, text) {
    $("live").className = kind
    $("live-text").textContent = text
  }
  function showError(message) {
    $("banner").textContent = message
    $("banner").classList.toggle("shown", Boolean(message))
  }

  // ---- charts ----------------------------------------------------------------------------
  /** Draws bars (stacked) or lines over time into an <svg>; values may be null (gaps). */
  function chart(svg, { times, series, kind, format }) {
    // Drawn in the element's own pixels, so text is never stretched.
    const W = Math.max(200, Math.round(svg.getBoundingClientRect().width) || 600),
      H = 170,
      L = 48,
      R = 10,
      T = 8,
      B = 20
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`)
    svg.replaceChildren()
    const n = times.length
    const totals = times.map((_, i) =>
      kind === "bars" ? series.reduce((a, sr) => a + (sr.values[i] || 0), 0) : Math.max(0, ...series.map((sr) => sr.values[i] || 0))
    )
    const peak = Math.max(...totals, 0)
    const step = niceStep(peak || 1)
    const top = Math.max(step * 3, Math.ceil(peak / step) * step)
    const y = (v) => T + (H - T - B) * (1 - v / top)
    const x = (i) => L + ((W - L - R) * i) / Math.max(1, n - (kind === "bars" ? 0 : 1))
    for (let g = 0; g <= top + 1e-9; g += step) {
      svg.append(s("line", { class: "grid", x1: L, x2: W - R, y1: y(g), y2: y(g) }))
      const label = s("text", { x: L - 6, y: y(g) + 3, "text-anchor": "end" })
      label.textContent = format(g)
      svg.append(label)
    }
    if (n > 0) {
      for (const i of new Set([0, Math.floor(n / 2), n - 1])) {
        const label = s("text", {
          x: i === 0 ? L : i === n - 1 ? W - R : x(i),
          y: H - 5,
          "text-anchor": i === 0 ? "start" : i === n - 1 ? "end" : "middle"
        })
        label.textContent = clock(times[i])
        svg.append(label)
      }
    }
    if (kind === "bars") {
      const bw = (W - L - R) / Math.max(1, n)
      times.forEach((t, i) => {
        let base = 0
        for (const sr of series) {
          const v = sr.values[i] || 0
          if (v <= 0) continue
          const rect = s("rect", {
            x: x(i) + 0.5,
            width: Math.max(1, bw - 1.5),
            y: y(base + v),
            height: y(base) - y(base + v),
            fill: sr.color
          })
          const tip = s("title")
          tip.textContent = `${clock(t)}: ${v} ${sr.name}`
          rect.append(tip)
          svg.append(rect)
          base += v
        }
      })
    } else {
      for (const sr of series) {
        let d = ""
        sr.values.forEach((v, i) => {
          if (v === null || v === undefined) return
          const prev = i > 0 ? sr.values[i - 1] : null
          d += `${prev === null || prev === undefined || d === "" ? "M" : "L"}${x(i).toFixed(1)},${y(v).toFixed(1)} `
          svg.append(s("circle", { cx: x(i), cy: y(v), r: 1.8, fill: sr.color }))
        })
        if (d) svg.append(s("path", { d, fill: "none", stroke: sr.color, "stroke-width": 1.8, "vector-effect": "non-scaling-stroke" }))
      }
    }
  }
  function niceStep(peak) {
    const raw = peak / 3
    const mag = 10 ** Math.floor(Math.log10(raw))
    for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * mag) return m * mag
    return 10 * mag
  }
  const count = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1))

  // ---- summary: cards, charts, workers ------------------------------------------------------
  function renderSummary(sum) {
    const c = sum.counts
    const alive = sum.workers.filter((w) => w.state === "running" && w.heartbeat_age_ms < STALE_HEARTBEAT_MS).length
    const recent = sum.series.slice(-6)
    const bucketMin = (sum.series.length > 1 ? sum.series[1].t - sum.series[0].t : 60000) / 60000
    const perMin = recent.reduce((a, p) => a + p.succeeded + p.failed + p.revoked, 0) / (recent.length * bucketMin || 1)
    const cards = [
      ["queued", c.PENDING + c.RECEIVED + c.RETRY, "cards-queued"],
      ["running", c.STARTED, "cards-running"],
      ["succeeded", c.SUCCESS, "cards-succeeded"],
      ["failed", c.FAILURE, "cards-failed"],
      ["revoked", c.REVOKED, "cards-revoked"],
      ["queue depth", sum.queue_depth === null ? "?" : sum.queue_depth, "cards-depth"],
      ["workers", `${alive} / ${sum.workers.length}`, "cards-workers"],
      ["per minute", perMin.toFixed(perMin < 10 ? 1 : 0), "cards-rate"]
    ]
    $("cards").replaceChildren(
      ...cards.map(([label, value, id]) =>
        h("div", { class: "card" }, h("div", { class: "label" }, label), h("div", { class: "value", id }, value))
      )
    )

    const times = sum.series.map((p) => p.t)
    chart($("chart-throughput"), {
      kind: "bars",
      times,
      format: count,
      series: [
        { name: "succeeded", color: "#2b8a3e", values: sum.series.map((p) => p.succeeded) },
        { name: "failed", color: "#c92a2a", values: sum.series.map((p) => p.failed) },
        { name: "revoked", color: "#868e96", values: sum.series.map((p) => p.revoked) }
      ]
    })
    $("throughput-note").textContent =
      `per ${ms(bucketMin * 60000)}${sum.series_complete_after ? ` · newest tasks since ${clock(sum.series_complete_after)}` : ""}`
    chart($("chart-latency"), {
      kind: "lines",
      times,
      format: (v) => ms(v),
      series: [
        { name: "queue p95", color: "#7950f2", values: sum.series.map((p) => p.queue_p95_ms) },
        { name: "run p50", color: "#1971c2", values: sum.series.map((p) => p.run_p50_ms) },
        { name: "run p95", color: "#e67700", values: sum.series.map((p) => p.run_p95_ms) }
      ]
    })
    const backlog = sum.backlog
    chart($("chart-backlog"), {
      kind: "lines",
      times: backlog.map((b) => b.t),
      format: count,
      series: [
        { name: "queue depth", color: "#3b5bdb", values: backlog.map((b) => b.depth) },
        { name: "running", color: "#2b8a3e", values: backlog.map((b) => b.running) }
      ]
    })

    const rows = sum.workers.map((w) => {
      const stale = w.state === "running" && w.heartbeat_age_ms >= STALE_HEARTBEAT_MS
      return h(
        "tr",
        { "data-worker": w.name },
        h("td", { class: "mono", title: `started ${stamp(w.started_at)}` }, w.name),
        h("td", {}, badge(stale ? "stale" : w.state)),
        h("td", {}, `${w.running} / ${w.concurrency}`),
        h("td", {}, w.completed),
        h("td", { title: stamp(w.last_seen) }, ago(w.last_seen, sum.now))
      )
    })
    $("workers").replaceChildren(
      ...(rows.length ? rows : [h("tr", {}, h("td", { class: "empty", colspan: 5 }, "no worker has reported yet"))])
    )

    const langs = sum.languages.map((l) => l.id).join(",")
    if (langs !== state.languages.join(",")) {
      state.languages = sum.languages.map((l) => l.id)
      const select = $("filter-language")
      const current = select.value
      select.replaceChildren(h("option", { value: "" }, "all languages"), ...sum.languages.map((l) => h("option", { value: l.id }, l.name)))
      select.value = current
    }
  }

  // ---- task list ---------------------------------------------------------------------------
  function renderTasks(list) {
    const rows = list.tasks.map((t) => {
      const tr = h(
        "tr",
        { class: `task${t.task_id === state.selected ? " selected" : ""}`, "data-task-id": t.task_id, "data-state": t.state },
        h("td", { class: "mono", title: t.task_id }, t.task_id.slice(0, 8)),
        h("td", {}, t.language),
        h("td", {}, badge(t.state)),
        h(
          "td",
          {},
          t.tests
            ? h("span", { class: "judged" }, badge(t.tests.verdict), ` ${t.tests.passed}/${t.tests.total}`)
            : t.verdict
              ? badge(t.verdict)
              : "–"
        ),
        h("td", {}, t.returncode === null ? "–" : t.returncode),
        h("td", { title: stamp(t.created_at) }, clock(t.created_at)),
        h("td", {}, ms(t.queue_ms)),
        h("td", {}, ms(t.run_ms)),
        h("td", { class: "mono" }, t.worker || "–")
      )
      tr.addEventListener("click", () => openTask(t.task_id))
      return tr
    })
    $("tasks").replaceChildren(...(rows.length ? rows : [h("tr", {}, h("td", { class: "empty", colspan: 9 }, "no tasks match"))]))
  }

  // ---- task detail -------------------------------------------------------------------------
  const block = (title, text, cls, id) => [
    h("h3", {}, title),
    text === null || text === undefined || text === ""
      ? h("pre", { class: "none", id }, "(empty)")
      : h("pre", { class: cls || "", id }, text)
  ]
  const fileList = (task, area, files) =>
    h(
      "ul",
      {},
      ...files.map((f) =>
        h(
          "li",
          {},
          h(
            "a",
            {
              href: `/dashboard/api/tasks/${encodeURIComponent(task.task_id)}/files/${area}/${encodeURIComponent(f.name)}`,
              download: f.name
            },
            f.name
          ),
          ` · ${bytes(f.size)}`,
          f.content_type ? ` · ${f.content_type}` : ""
        )
      )
    )

  // A judge task's cases, in request order, with their verdicts (the spec's expected output beside).
  const difference = (d) => (d ? `line ${d.line}, column ${d.column}` : "–")
  function testsTable(task, r) {
    const spec = task.judge
    const reports = r?.tests ?? (spec ? spec.tests.map((t) => ({ name: t.name, verdict: "pending" })) : [])
    const rows = reports.map((c, i) =>
      h(
        "tr",
        { class: "case", "data-verdict": c.verdict },
        h("td", {}, String(i + 1)),
        h("td", {}, c.name),
        h("td", {}, badge(c.verdict)),
        h("td", {}, c.returncode === null || c.returncode === undefined ? "–" : c.returncode),
        h("td", {}, c.wall_time_ms === undefined ? "–" : ms(c.wall_time_ms)),
        h("td", {}, c.memory_peak_bytes === undefined ? "–" : bytes(c.memory_peak_bytes)),
        h("td", {}, difference(c.first_difference)),
        h("td", { class: "mono", title: c.stdout ?? "" }, (c.stdout ?? "").slice(0, 60))
      )
    )
    const summary = r?.summary ? `${r.summary.passed}/${r.summary.total} passed · ${r.summary.verdict}` : "not run yet"
    return [
      h("h3", {}, `test cases (${summary}; compare ${spec.compare}${spec.compare === "float" ? ` ±${spec.float_tolerance}` : ""})`),
      h(
        "table",
        { id: "detail-tests" },
        h(
          "thead",
          {},
          h("tr", {}, ...["#", "name", "verdict", "exit", "wall", "memory", "first difference", "stdout"].map((t) => h("th", {}, t)))
        ),
        h("tbody", {}, ...rows)
      )
    ]
  }

  function renderDetail(task) {
    const r = task.result
    const facts = [
      ["state", badge(task.state)],
      ["verdict", r?.verdict ? badge(r.verdict) : "–"],
      ["exit code", r && r.returncode !== null ? r.returncode : "–"],
      ["signal", r?.signal || "–"],
      ["submitted", stamp(task.created_at)],
      ["started", stamp(task.started_at)],
      ["finished", stamp(task.finished_at)],
      ["queued for", ms(task.row.queue_ms)],
      ["ran for", ms(task.row.run_ms)],
      ["wall time", r ? ms(r.wall_time_ms) : "–"],
      ["cpu time", r ? ms(r.cpu_time_ms) : "–"],
      ["peak memory", r ? bytes(r.memory_peak_bytes) : "–"],
      ["limit hit", r?.limit || "–"],
      ["attempts", task.attempts],
      ["worker", task.worker || "–"],
      ["language", task.language]
    ]
    const parts = [
      h("div", { class: "facts" }, ...facts.map(([k, v]) => h("div", {}, h("span", { class: "k" }, k), v))),
      ...(task.error ? block("error", task.error, "stderr", "detail-error") : []),
      ...block("source", task.source_code, "", "detail-source"),
      ...(task.stdin ? block("stdin", task.stdin, "", "detail-stdin") : []),
      ...(task.args.length ? block("arguments", task.args.join(" "), "", "detail-args") : []),
      ...(task.judge ? testsTable(task, r) : []),
      ...block(`stdout${r?.stdout_truncated ? " (truncated)" : ""}`, r ? r.stdout : liveText(task, "stdout"), "", "detail-stdout"),
      ...block(`stderr${r?.stderr_truncated ? " (truncated)" : ""}`, r ? r.stderr : liveText(task, "stderr"), "stderr", "detail-stderr"),
      ...(r?.compile
        ? block(`compiler (exit ${r.compile.returncode})`, `${r.compile.stdout}${r.compile.stderr}`, "stderr", "detail-compile")
        : []),
      h("h3", {}, "files"),
      h(
        "div",
        { class: "files" },
        h("div", {}, "input: ", task.files.in.length ? fileList(task, "in", task.files.in) : "none"),
        h("div", {}, "output: ", task.files.out.length ? fileList(task, "out", task.files.out) : "none")
      ),
      h("h3", {}, "limits"),
      h(
        "div",
        { class: "facts" },
        ...Object.entries(task.limits).map(([k, v]) => h("div", {}, h("span", { class: "k" }, k.replace(/_/g, " ")), v))
      )
    ]
    const close = h("button", { type: "button", id: "detail-close" }, "Close")
    close.addEventListener("click", closeTask)
    $("detail").replaceChildren(
      h(
        "div",
        { class: "head" },
        h("strong", {}, "Task"),
        h("span", { class: "mono", id: "detail-id" }, task.task_id),
        badge(task.state),
        close
      ),
      h("div", { class: "body", "data-state": task.state, id: "detail-body" }, ...parts)
    )
  }

  // ---- live output -------------------------------------------------------------------------
  // While the open task runs, its output arrives through the task's event stream as the program
  // writes it (server-sent events); the stored result replaces it once the task has finished.
  const live = { id: null, source: null, stdout: "", stderr: "" }
  const liveText = (task, stream) => (live.id === task.task_id ? live[stream] : null)
  function showLive(stream) {
    const body = $("detail-body")
    const pre = $(`detail-${stream}`)
    if (!body || !pre || body.dataset.state !== "STARTED" || live[stream] === "") return
    pre.textContent = live[stream]
    pre.className = stream === "stderr" ? "stderr" : ""
  }
  function unfollow() {
    if (live.source) live.source.close()
    Object.assign(live, { id: null, source: null, stdout: "", stderr: "" })
  }
  function follow(id) {
    unfollow()
    const source = new EventSource(`/dashboard/api/tasks/${encodeURIComponent(id)}/events`)
    Object.assign(live, { id, source })
    for (const stream of ["stdout", "stderr"]) {
      source.addEventListener(stream, (e) => {
        if (live.source !== source) return
        live[stream] += JSON.parse(e.data).text
        showLive(stream)
      })
    }
    // The stream ends after the result; closing keeps the browser from reconnecting.
    source.addEventListener("result", () => {
      source.close()
      if (state.selected === id) refreshDetail()
    })
  }

  async function refreshDetail() {
    if (!state.selected) return
    const id = state.selected
    try {
      const task = await getJson(`/dashboard/api/tasks/${encodeURIComponent(id)}`)
      if (state.selected !== id) return
      const key = JSON.stringify([task.state, task.finished_at, task.attempts])
      if (key !== state.lastDetail) renderDetail(task)
      state.lastDetail = key
      state.detailFinal = task.final
    } catch (e) {
      $("detail").replaceChildren(h("div", { class: "body" }, h("p", {}, `Task ${id}: ${e.message}`)))
      state.detailFinal = true
    }
  }
  function openTask(id) {
    state.selected = id
    state.detailFinal = false
    state.lastDetail = ""
    history.replaceState(null, "", `#task=${encodeURIComponent(id)}`)
    $("detail").classList.add("open")
    for (const tr of document.querySelectorAll("tr.task")) tr.classList.toggle("selected", tr.dataset.taskId === id)
    follow(id)
    refreshDetail()
  }
  function closeTask() {
    unfollow()
    state.selected = null
    history.replaceState(null, "", location.pathname)
    $("detail").classList.remove("open")
    for (const tr of document.querySelectorAll("tr.task.selected")) tr.classList.remove("selected")
  }

  // ---- polling -----------------------------------------------------------------------------
  async function refresh() {
    const q = new URLSearchParams()
    if ($("filter-state").value) q.set("state", $("filter-state").value)
    if ($("filter-language").value) q.set("language", $("filter-language").value)
    q.set("limit", $("filter-limit").value)
    try {
      const [sum, list] = await Promise.all([
        getJson(`/dashboard/api/summary?window=${encodeURIComponent($("window").value)}`),
        getJson(`/dashboard/api/tasks?${q}`)
      ])
      renderSummary(sum)
      renderTasks(list)
      showError("")
      setLive(state.paused ? "paused" : "", `${state.paused ? "paused" : "live"} · updated ${clock(Date.now())}`)
    } catch (e) {
      showError(`Could not refresh: ${e.message}`)
      setLive("error", "disconnected")
    }
  }
  function loop(fn, every, when) {
    const tick = async () => {
      if (!state.paused && when()) await fn()
      setTimeout(tick, every)
    }
    tick()
  }

  const stateSelect = $("filter-state")
  for (const st of STATES) stateSelect.append(h("option", { value: st }, st))
  for (const id of ["filter-state", "filter-language", "filter-limit", "window"]) $(id).addEventListener("change", refresh)
  $("pause").addEventListener("click", () => {
    state.paused = !state.paused
    $("pause").textContent = state.paused ? "Resume" : "Pause"
    setLive(state.paused ? "paused" : "", state.paused ? "paused" : "live")
  })
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") closeTask()
  })
  const fromHash = /^#task=([0-9a-f-]{36})$/.exec(location.hash)
  if (fromHash) openTask(fromHash[1])
  loop(refresh, POLL_MS, () => true)
  loop(refreshDetail, DETAIL_POLL_MS, () => state.selected !== null && !state.detailFinal)
})()
