// The summarizer's web page: calls POST /v1/summarize and GET /v1/info of the same origin and shows
// every summary sentence and bullet where it comes from in the article.
// Article text only ever reaches the page as text (textContent, text nodes): never as HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  let apiKey = ""; // in memory only: never written to storage, cookies or the URL
  let info = null; // GET /v1/info, once it answered
  let last = null; // {body, source} of the summary on show
  const marksByRef = new Map(); // "s0", "b1"... -> the <mark> elements of that span in the source
  const itemsByRef = new Map(); // "s0", "b1"... -> the list item of that sentence or bullet

  class ApiProblem extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  // -- talking to the API ------------------------------------------------------------------------

  async function callApi(method, path, payload) {
    const headers = { Accept: "application/json" };
    if (payload !== undefined) headers["Content-Type"] = "application/json";
    if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: payload === undefined ? undefined : JSON.stringify(payload),
        credentials: "omit",
        cache: "no-store",
      });
    } catch (err) {
      throw new ApiProblem(0, "network_error", `Could not reach the service (${err.message}).`);
    }
    const raw = await response.text();
    let data = null;
    try {
      data = raw ? JSON.parse(raw) : null;
    } catch {
      data = null;
    }
    if (!response.ok) {
      const error = data && typeof data === "object" ? data.error : null;
      if (error && typeof error.message === "string") {
        throw new ApiProblem(response.status, String(error.code || "error"), error.message);
      }
      const detail = raw ? `: ${raw.slice(0, 200)}` : "";
      throw new ApiProblem(response.status, `http_${response.status}`, `${response.status} ${response.statusText}${detail}`);
    }
    if (data === null || typeof data !== "object") {
      throw new ApiProblem(response.status, "bad_response", "The service answered with something that is not JSON.");
    }
    return data;
  }

  async function loadInfo() {
    const line = $("server-info");
    try {
      info = await callApi("GET", "/v1/info");
    } catch (err) {
      info = null;
      line.textContent =
        err.status === 401
          ? "This server needs an API key: type it in the API key field."
          : `Service information unavailable: ${err.message}`;
      line.classList.toggle("warn", true);
      return;
    }
    line.classList.toggle("warn", false);
    const parts = [`backend ${info.backend}`];
    if (info.model) parts.push(`model ${info.model}`);
    if (info.device) parts.push(info.device);
    if (info.precision) parts.push(info.precision);
    parts.push(info.status === "ready" ? "ready" : `model ${info.status}`);
    parts.push(`version ${info.version}`);
    line.textContent = parts.join(" · ");
    const limits = info.limits || {};
    setMax("max_sentences", limits.max_sentences);
    setMax("max_words", limits.max_words);
    setMax("bullets", limits.max_bullets);
    $("url-mode").hidden = !info.url_input;
    if (!info.url_input && mode() === "url") setMode("text");
  }

  function setMax(id, value) {
    if (Number.isInteger(value)) $(id).max = String(value);
  }

  // -- input -------------------------------------------------------------------------------------

  function mode() {
    const checked = document.querySelector('input[name="mode"]:checked');
    return checked ? checked.value : "text";
  }

  function setMode(value) {
    const radio = document.querySelector(`input[name="mode"][value="${value}"]`);
    if (radio) radio.checked = true;
    showMode();
  }

  function showMode() {
    const isUrl = mode() === "url";
    $("drop").hidden = isUrl;
    $("url-row").hidden = !isUrl;
    updateHtmlHint();
  }

  const HTML_LIKE = /<(html|head|body|article|div|p|span|h[1-6]|section|main)\b[^>]*>/i;

  function updateHtmlHint() {
    $("html-hint").hidden = !(mode() === "text" && HTML_LIKE.test($("article").value.slice(0, 5000)));
  }

  function fileKind(file) {
    const name = file.name.toLowerCase();
    if (name.endsWith(".html") || name.endsWith(".htm") || file.type === "text/html") return "html";
    if (name.endsWith(".txt") || name.endsWith(".text") || file.type === "text/plain") return "text";
    return null;
  }

  async function loadFile(file) {
    hideError();
    const kind = fileKind(file);
    if (kind === null) {
      showError(null, `${file.name} is not a .txt or .html file.`);
      return;
    }
    const limit = info && info.limits ? info.limits.max_body_bytes : null;
    if (limit && file.size > limit) {
      showError(null, `${file.name} is ${file.size} bytes; this server accepts requests of up to ${limit} bytes.`);
      return;
    }
    let content;
    try {
      content = await file.text();
    } catch (err) {
      showError(null, `Could not read ${file.name} (${err.message}).`);
      return;
    }
    $("article").value = content;
    setMode(kind);
    showEditor();
    setStatus(`Loaded ${file.name} (${content.length} characters, as ${kind === "html" ? "HTML" : "text"}).`);
  }

  function intValue(id, label) {
    const input = $(id);
    if (input.validity.badInput) throw new ApiProblem(0, "invalid_number", `${label}: not a number.`);
    return input.value.trim() === "" ? undefined : Number(input.value);
  }

  function buildRequest() {
    const current = mode();
    const request = {};
    if (current === "url") {
      request.url = $("url").value.trim();
      request.include_source = true;
    } else if (current === "html") {
      request.html = $("article").value;
      request.include_source = true;
    } else {
      request.text = $("article").value;
    }
    const title = $("title").value.trim();
    if (title) request.title = title;
    const knobs = [
      ["max_sentences", "Sentences"],
      ["max_words", "Word budget"],
      ["bullets", "Bullets"],
    ];
    for (const [id, label] of knobs) {
      const value = intValue(id, label);
      if (value !== undefined) request[id] = value;
    }
    return request;
  }

  // -- submitting --------------------------------------------------------------------------------

  async function submit(event) {
    event.preventDefault();
    hideError();
    let request;
    try {
      request = buildRequest();
    } catch (err) {
      showError(err, err.message);
      return;
    }
    const button = $("submit");
    button.disabled = true;
    $("form").setAttribute("aria-busy", "true");
    setStatus("Summarizing…");
    const started = performance.now();
    try {
      const body = await callApi("POST", "/v1/summarize", request);
      const source = typeof body.source_text === "string" ? body.source_text : request.text;
      if (typeof source !== "string") throw new ApiProblem(0, "no_source", "The answer did not include the source text.");
      render(body, source, performance.now() - started);
      setStatus("");
    } catch (err) {
      setStatus("");
      showError(err, err.message);
    } finally {
      button.disabled = false;
      $("form").removeAttribute("aria-busy");
    }
  }

  function setStatus(message) {
    $("status").textContent = message;
  }

  function showError(err, message) {
    const box = $("error");
    box.replaceChildren();
    const strong = document.createElement("strong");
    strong.textContent = err && err.status ? `Error ${err.status}` : "Error";
    const code = err && err.code && err.status ? ` (${err.code})` : "";
    box.append(strong, document.createTextNode(`${code}: `));
    const text = document.createElement("span");
    text.className = "error-message";
    text.textContent = message;
    box.append(text);
    box.hidden = false;
  }

  function hideError() {
    $("error").hidden = true;
    $("error").replaceChildren();
  }

  // -- offsets: the API counts code points, JavaScript strings count UTF-16 units ---------------

  function codePointMapper(text) {
    if (!/[\uD800-\uDFFF]/.test(text)) return (i) => i;
    const units = [];
    let u = 0;
    for (const ch of text) {
      units.push(u);
      u += ch.length;
    }
    units.push(u);
    return (i) => units[Math.min(Math.max(i, 0), units.length - 1)];
  }

  function isUnsupported(span) {
    return span.supported === false || span.unsupported === true || span.grounded === false;
  }

  // The highlighted ranges of one answer: each sentence's own span, or for generated text the
  // source spans it draws on (falling back to its own span when it lists none).
  function collectRanges(body, source, problems) {
    const toUnits = codePointMapper(source);
    const ranges = [];
    const groups = [
      ["s", "summary", body.sentences],
      ["b", "bullet", body.why_it_matters],
    ];
    for (const [prefix, kind, spans] of groups) {
      (Array.isArray(spans) ? spans : []).forEach((span, index) => {
        const ref = `${prefix}${index}`;
        const generated = span.generated === true;
        const sources = generated && Array.isArray(span.sources) && span.sources.length ? span.sources : [span];
        for (const s of sources) {
          const ok = Number.isInteger(s.start) && Number.isInteger(s.end) && s.start >= 0 && s.start < s.end;
          const start = ok ? toUnits(s.start) : -1;
          const end = ok ? toUnits(s.end) : -1;
          if (!ok || end > source.length) {
            problems.push(`${kind} ${index + 1}: offsets ${s.start}-${s.end} are outside the text`);
            continue;
          }
          ranges.push({ ref, kind, start, end, evidence: generated });
        }
      });
    }
    return ranges;
  }

  // -- rendering ---------------------------------------------------------------------------------

  function renderSource(source, ranges) {
    const container = $("source");
    container.replaceChildren();
    marksByRef.clear();
    const cuts = new Set([0, source.length]);
    for (const r of ranges) {
      cuts.add(r.start);
      cuts.add(r.end);
    }
    const points = [...cuts].sort((a, b) => a - b);
    const fragment = document.createDocumentFragment();
    for (let i = 0; i + 1 < points.length; i += 1) {
      const [a, b] = [points[i], points[i + 1]];
      const piece = source.slice(a, b);
      const owners = ranges.filter((r) => r.start <= a && r.end >= b);
      if (!owners.length) {
        fragment.append(document.createTextNode(piece));
        continue;
      }
      const mark = document.createElement("mark");
      mark.textContent = piece;
      const refs = [...new Set(owners.map((r) => r.ref))];
      mark.dataset.refs = refs.join(" ");
      if (owners.some((r) => r.kind === "summary")) mark.classList.add("hl-summary");
      if (owners.some((r) => r.kind === "bullet")) mark.classList.add("hl-bullet");
      if (owners.some((r) => r.evidence)) mark.classList.add("hl-evidence");
      for (const ref of refs) {
        if (!marksByRef.has(ref)) marksByRef.set(ref, []);
        marksByRef.get(ref).push(mark);
      }
      mark.addEventListener("mouseenter", () => refs.forEach((ref) => itemFor(ref, true)));
      mark.addEventListener("mouseleave", () => refs.forEach((ref) => itemFor(ref, false)));
      fragment.append(mark);
    }
    container.append(fragment);
  }

  function itemFor(ref, on) {
    const item = itemsByRef.get(ref);
    if (item) item.classList.toggle("linked", on);
  }

  function renderList(list, prefix, spans, kind) {
    list.replaceChildren();
    (Array.isArray(spans) ? spans : []).forEach((span, index) => {
      const ref = `${prefix}${index}`;
      const item = document.createElement("li");
      item.tabIndex = 0;
      item.dataset.ref = ref;
      item.className = `span-item ${kind}`;
      const text = document.createElement("span");
      text.className = "span-text";
      text.textContent = String(span.display ?? span.text ?? ""); // display: how the API says to show it
      item.append(text);
      const notes = [];
      if (span.generated === true) notes.push("generated");
      if (isUnsupported(span)) {
        item.classList.add("unsupported");
        notes.push("not supported by the article");
      }
      if (!marksByRef.has(ref)) notes.push("no source span");
      if (notes.length) {
        const badge = document.createElement("span");
        badge.className = "badge";
        badge.textContent = notes.join(" · ");
        item.append(document.createTextNode(" "), badge);
      }
      item.setAttribute(
        "aria-label",
        `${kind === "summary" ? "Summary sentence" : "Why it matters"} ${index + 1}${notes.length ? ` (${notes.join(", ")})` : ""}`,
      );
      item.addEventListener("mouseenter", () => activate(ref));
      item.addEventListener("mouseleave", () => deactivate(ref));
      item.addEventListener("focus", () => activate(ref));
      item.addEventListener("blur", () => deactivate(ref));
      itemsByRef.set(ref, item);
      list.append(item);
    });
  }

  function activate(ref) {
    document.querySelectorAll("#source mark.active").forEach((m) => m.classList.remove("active"));
    const marks = marksByRef.get(ref) || [];
    marks.forEach((m) => m.classList.add("active"));
    if (marks.length) reveal(marks[0]);
  }

  function deactivate(ref) {
    (marksByRef.get(ref) || []).forEach((m) => m.classList.remove("active"));
  }

  function reveal(mark) {
    const pane = $("source");
    const offset = mark.getBoundingClientRect().top - pane.getBoundingClientRect().top + pane.scrollTop;
    const top = Math.max(0, offset - pane.clientHeight / 3);
    pane.scrollTo({ top, behavior: reduceMotion.matches ? "auto" : "smooth" });
  }

  function renderMeta(body, roundTripMs) {
    const meta = body.meta || {};
    const rows = [];
    const add = (term, value) => {
      if (value !== undefined && value !== null && value !== "") rows.push([term, String(value)]);
    };
    add("Backend", meta.backend);
    add("Model", meta.model);
    if (meta.encoder) add("Encoder", meta.encoder);
    add("Runs on", [meta.device, meta.engine, meta.precision].filter(Boolean).join(", "));
    if (meta.backend === "extractive" || meta.bullet_selector) add("Bullet selector", meta.bullet_selector);
    if (body.source) {
      add("Page title", body.source.title);
      add("Page date", body.source.date);
      add("Page URL", body.source.url);
    }
    if (meta.input) add("Input", `${meta.input.characters} characters, ${meta.input.words} words, ${meta.input.sentences} sentences`);
    if (typeof meta.elapsed_ms === "number") add("Server time", `${meta.elapsed_ms.toFixed(0)} ms${meta.cached ? " (cached result)" : ""}`);
    if (meta.timings_ms && typeof meta.timings_ms === "object") {
      const parts = Object.entries(meta.timings_ms).map(([k, v]) => `${k} ${Number(v).toFixed(0)} ms`);
      if (parts.length) add("Stages", parts.join(", "));
    }
    add("Round trip", `${roundTripMs.toFixed(0)} ms`);
    if (meta.chunks) add("Chunks", meta.chunks);
    const list = $("meta");
    list.replaceChildren();
    for (const [term, value] of rows) {
      const dt = document.createElement("dt");
      dt.textContent = term;
      const dd = document.createElement("dd");
      dd.textContent = value;
      list.append(dt, dd);
    }
  }

  function render(body, source, roundTripMs) {
    const problems = [];
    const ranges = collectRanges(body, source, problems);
    itemsByRef.clear();
    renderSource(source, ranges);
    renderList($("sentences"), "s", body.sentences, "summary");
    renderList($("bullets-list"), "b", body.why_it_matters, "bullet");
    const hasBullets = Array.isArray(body.why_it_matters) && body.why_it_matters.length > 0;
    $("bullets-heading").hidden = !hasBullets;
    $("bullets-list").hidden = !hasBullets;
    $("legend-evidence").hidden = !ranges.some((r) => r.evidence);
    const warnings = [...(Array.isArray(body.warnings) ? body.warnings.map(String) : []), ...problems];
    const warningList = $("warnings-list");
    warningList.replaceChildren(
      ...warnings.map((w) => {
        const li = document.createElement("li");
        li.textContent = w;
        return li;
      }),
    );
    $("warnings").hidden = warnings.length === 0;
    renderMeta(body, roundTripMs);
    last = { body, source };
    $("copy-status").textContent = "";
    $("result").hidden = false;
    showSource();
    $("result-heading").focus({ preventScroll: true });
  }

  function showSource() {
    $("editor").hidden = true;
    $("source-view").hidden = false;
    $("source").scrollTop = 0;
  }

  function showEditor() {
    $("source-view").hidden = true;
    $("editor").hidden = false;
  }

  // -- copying -----------------------------------------------------------------------------------

  function markdown(body) {
    const parts = [`**Summary:** ${body.summary ?? ""}`];
    const bullets = (body.why_it_matters || []).map((b) => `- ${b.display ?? b.text}`);
    if (bullets.length) parts.push("", "**Why it matters:**", "", ...bullets);
    return parts.join("\n");
  }

  async function copy(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Not a secure context, or no permission: fall back to a selected, off-screen textarea.
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "offscreen";
      document.body.append(area);
      area.select();
      let done = false;
      try {
        done = document.execCommand("copy");
      } catch {
        done = false;
      }
      area.remove();
      return done;
    }
  }

  async function copyAs(kind) {
    if (!last) return;
    const text = kind === "json" ? JSON.stringify(last.body, null, 2) : markdown(last.body);
    const done = await copy(text);
    $("copy-status").textContent = done ? `Copied as ${kind === "json" ? "JSON" : "Markdown"}.` : "Copying failed: the browser refused.";
  }

  // -- wiring ------------------------------------------------------------------------------------

  function init() {
    $("form").addEventListener("submit", submit);
    document.querySelectorAll('input[name="mode"]').forEach((radio) => radio.addEventListener("change", showMode));
    $("article").addEventListener("input", updateHtmlHint);
    $("article").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) $("form").requestSubmit();
    });
    $("key").addEventListener("change", () => {
      apiKey = $("key").value.trim();
      loadInfo();
    });
    $("key").addEventListener("input", () => {
      apiKey = $("key").value.trim();
    });
    $("file").addEventListener("change", () => {
      const file = $("file").files[0];
      if (file) loadFile(file);
      $("file").value = "";
    });
    // Files dropped on the drop zone are read; dragged text keeps the browser's own behaviour.
    const hasFiles = (event) => Boolean(event.dataTransfer) && [...event.dataTransfer.types].includes("Files");
    const drop = $("drop");
    drop.addEventListener("dragover", (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      drop.classList.add("dragging");
    });
    drop.addEventListener("dragleave", () => drop.classList.remove("dragging"));
    drop.addEventListener("drop", (event) => {
      drop.classList.remove("dragging");
      if (!hasFiles(event)) return;
      event.preventDefault();
      const file = event.dataTransfer.files[0];
      if (file) loadFile(file);
    });
    // A file dropped next to the drop zone must not replace the page.
    for (const type of ["dragover", "drop"]) {
      window.addEventListener(type, (event) => {
        if (hasFiles(event)) event.preventDefault();
      });
    }
    $("edit").addEventListener("click", () => {
      showEditor();
      $("article").focus();
    });
    $("copy-md").addEventListener("click", () => copyAs("markdown"));
    $("copy-json").addEventListener("click", () => copyAs("json"));
    showMode();
    loadInfo();
  }

  init();
})();
