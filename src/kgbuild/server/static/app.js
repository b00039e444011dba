// kgbuild query page: run a query (or a saved query with its parameters), show rows, offer downloads.
// No framework, no CDN. Every value reaches the page through textContent or a checked href, never innerHTML.
"use strict";

(function () {
  const body = document.body;
  const maxRows = parseInt(body.dataset.maxRows || "1000", 10);
  const base = body.dataset.base || "";
  const ldPrefix = body.dataset.ldPrefix || "/id/";
  const form = document.getElementById("query-form");
  const editor = document.getElementById("query");
  const paramsBox = document.getElementById("params");
  const statusEl = document.getElementById("status");
  const results = document.getElementById("results");
  const downloads = document.getElementById("downloads");
  const tabular = [["json", "JSON"], ["xml", "XML"], ["csv", "CSV"], ["tsv", "TSV"]];
  const graph = [["ttl", "Turtle"], ["nt", "N-Triples"], ["rdf", "RDF/XML"], ["jsonld", "JSON-LD"],
                 ["trig", "TriG"], ["nq", "N-Quads"]];
  let saved = {};
  let current = null; // the saved query loaded in the editor, if any

  function el(tag, props, text) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setStatus(text, isError) {
    statusEl.textContent = text;
    statusEl.className = isError ? "error" : "";
  }

  function safeHref(iri) {
    if (base && iri.startsWith(base) && iri.length > base.length) return ldPrefix + iri.slice(base.length);
    if (/^https?:\/\//i.test(iri)) return iri;
    return null;
  }

  function cell(term) {
    const td = el("td");
    if (!term) return td;
    if (term.type === "uri") {
      const href = safeHref(term.value);
      if (href) {
        const label = href.startsWith("/") ? "id:" + term.value.slice(base.length) : term.value;
        const a = el("a", { href: href, title: term.value }, label);
        if (!href.startsWith("/")) a.rel = "nofollow noopener";
        td.appendChild(a);
      } else {
        td.textContent = term.value;
      }
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else if (term.type === "triple") {
      td.textContent = JSON.stringify(term.value);
    } else {
      td.appendChild(el("span", { className: "literal" }, term.value));
      const extra = term["xml:lang"] ? "@" + term["xml:lang"] : "";
      if (extra) td.appendChild(el("span", { className: "lang" }, " " + extra));
    }
    return td;
  }

  function showTable(data) {
    results.replaceChildren();
    if (typeof data.boolean === "boolean") {
      results.appendChild(el("p", { className: "boolean" }, data.boolean ? "yes (true)" : "no (false)"));
      setStatus("ASK answered");
      return;
    }
    const vars = data.head.vars || [];
    const rows = data.results.bindings || [];
    const table = el("table", { className: "results-table" });
    const head = el("tr");
    vars.forEach((v) => head.appendChild(el("th", { scope: "col" }, "?" + v)));
    table.appendChild(el("thead")).appendChild(head);
    const tbody = table.appendChild(el("tbody"));
    rows.slice(0, maxRows).forEach((row) => {
      const tr = el("tr");
      vars.forEach((v) => tr.appendChild(cell(row[v])));
      tbody.appendChild(tr);
    });
    results.appendChild(table);
    const shown = Math.min(rows.length, maxRows);
    setStatus(rows.length + " row(s)" + (shown < rows.length ? ", showing the first " + shown
      + "; download for all" : ""));
  }

  function showText(text) {
    results.replaceChildren(el("pre", { className: "graph-result" }, text));
    setStatus("graph result");
  }

  function showDownloads(kind, makeUrl) {
    downloads.replaceChildren(document.createTextNode("Download: "));
    (kind === "graph" ? graph : tabular).forEach(([ext, label]) => {
      downloads.appendChild(el("a", { href: makeUrl(ext), download: "" }, label));
      downloads.appendChild(document.createTextNode(" "));
    });
    downloads.hidden = false;
  }

  function paramValues() {
    const values = new URLSearchParams();
    paramsBox.querySelectorAll("input[data-param]").forEach((input) => {
      if (input.value !== "") values.append(input.dataset.param, input.value);
    });
    return values;
  }

  function showParams(query) {
    paramsBox.replaceChildren();
    (query ? query.parameters : []).forEach((p) => {
      const label = el("label", {}, p.name + " (" + p.type + (p.optional ? ", optional" : "") + ") ");
      const input = el("input", { type: "text", name: p.name, value: p.default || "", placeholder: p.description });
      input.dataset.param = p.name;
      label.appendChild(input);
      paramsBox.appendChild(label);
    });
  }

  async function run() {
    const text = editor.value;
    const useSaved = current && saved[current] && saved[current].sparql === text;
    let response;
    let makeUrl;
    const accept = "application/sparql-results+json, text/turtle;q=0.9";
    setStatus("running…");
    results.setAttribute("aria-busy", "true");
    try {
      if (useSaved) {
        const qs = paramValues().toString();
        const path = "/queries/" + encodeURIComponent(current);
        response = await fetch(path + (qs ? "?" + qs : ""), { headers: { Accept: accept } });
        makeUrl = (ext) => path + "." + ext + (qs ? "?" + qs : "");
      } else {
        response = await fetch("/sparql", {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: accept },
          body: new URLSearchParams({ query: text }).toString(),
        });
        makeUrl = (ext) => "/sparql?" + new URLSearchParams({ query: text, format: ext }).toString();
      }
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok) {
        results.replaceChildren(el("pre", { className: "error" }, await response.text()));
        setStatus("error " + response.status, true);
        downloads.hidden = true;
        return;
      }
      if (type.includes("sparql-results+json")) {
        showTable(await response.json());
        showDownloads("tabular", makeUrl);
      } else {
        showText(await response.text());
        showDownloads("graph", makeUrl);
      }
    } catch (err) {
      setStatus("request failed: " + err, true);
    } finally {
      results.removeAttribute("aria-busy");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });
  document.querySelectorAll("button.saved-query").forEach((button) => {
    button.addEventListener("click", () => {
      const query = saved[button.dataset.name];
      if (!query) return;
      current = query.name;
      editor.value = query.sparql;
      showParams(query);
      setStatus("loaded “" + query.title + "”");
    });
  });
  fetch("/queries", { headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : []))
    .then((list) => { list.forEach((q) => { saved[q.name] = q; }); })
    .catch(() => {});
})();
