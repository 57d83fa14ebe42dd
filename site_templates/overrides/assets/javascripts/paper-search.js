/* The header's paper search, over Pagefind's chunked index (site/pagefind/).
 *
 * Pagefind's JS API does the searching; this file is only the box, the theme
 * and year filters and the result list. A query downloads the index chunks
 * for its words and one small fragment per result shown, never the whole
 * index: so no search runs without words, even with a filter chosen (the
 * theme and year pages already list those papers).
 *
 * Text from the index reaches the page as text: titles and dates through
 * textContent, excerpts through an inert DOMParser document of which only
 * text and Pagefind's <mark> are kept.
 */
(() => {
  "use strict";

  const root = document.querySelector("[data-paper-search]");
  if (!root) return;

  const PAGE_SIZE = 10;
  // One letter begins too many words to be worth a search.
  const MIN_CHARS = 2;
  const DEBOUNCE_MS = 80;
  // The site's root from the page's relative base ("..", "."), or an absolute
  // one ("/", "/repo/") on the 404 page, which may be served at any depth.
  const base = root.dataset.base || ".";
  const siteRoot = new URL(base.endsWith("/") ? base : `${base}/`, location.href);
  const input = root.querySelector(".paper-search__input");
  const form = root.querySelector(".paper-search__form");
  const panel = root.querySelector(".paper-search__panel");
  const status = root.querySelector(".paper-search__status");
  const list = root.querySelector(".paper-search__results");
  const more = root.querySelector(".paper-search__more");
  const selects = [...root.querySelectorAll("select[data-filter]")];

  // A shared URL (?q=...&theme=...&year=...) reopens its search; a theme
  // page offers its own theme. Applied once the filters' values are known.
  const params = new URLSearchParams(location.search);
  const preset = { theme: root.dataset.theme || "", ...Object.fromEntries(params) };
  let pagefind = null; // the promise of Pagefind's API, loaded on first use
  let totals = null; // filter -> value -> papers, for the whole site
  let sequence = 0; // the latest search; older ones drop their results
  let running = null; // the search the worker is busy with
  let results = []; // the current search's results, in rank order
  let shown = 0;
  let active = -1;

  function loadPagefind() {
    if (pagefind === null) {
      pagefind = import(new URL("pagefind/pagefind.js", siteRoot).href).then(async (api) => {
        // Result URLs carry the site's own path, so links work under a sub-path.
        await api.options({ baseUrl: siteRoot.pathname, excerptLength: 18 });
        await api.init();
        totals = await api.filters();
        showCounts(totals);
        return api;
      });
    }
    return pagefind;
  }

  // --- filters ---------------------------------------------------------------

  function chosenFilters() {
    const filters = {};
    for (const select of selects) {
      if (select.value) filters[select.dataset.filter] = select.value;
    }
    return filters;
  }

  function filterValues(name) {
    const values = Object.keys(totals[name] || {});
    // Years newest first; themes by name.
    return name === "year" ? values.sort().reverse() : values.sort((a, b) => a.localeCompare(b));
  }

  /* Each option says how many papers it holds: in the whole site, or among
   * the results of the words typed (whatever the other filter). */
  function showCounts(counts) {
    for (const select of selects) {
      const name = select.dataset.filter;
      const chosen = select.value || preset[name] || "";
      delete preset[name]; // offered once: the reader may clear it
      const all = select.options[0];
      select.replaceChildren(all);
      for (const value of filterValues(name)) {
        const option = new Option(`${value} (${(counts[name] || {})[value] || 0})`, value);
        option.dataset.count = String((counts[name] || {})[value] || 0);
        select.append(option);
      }
      select.value = chosen;
    }
  }

  // --- results ---------------------------------------------------------------

  /* Pagefind's excerpt as nodes: its text and <mark>s, nothing else. */
  function excerptNodes(html) {
    const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
    const nodes = [];
    for (const node of parsed.body.firstChild.childNodes) {
      if (node.nodeName === "MARK") {
        const mark = document.createElement("mark");
        mark.textContent = node.textContent;
        nodes.push(mark);
      } else {
        nodes.push(document.createTextNode(node.textContent));
      }
    }
    return nodes;
  }

  function span(name, ...children) {
    const element = document.createElement("span");
    element.className = `paper-search__${name}`;
    element.append(...children);
    return element;
  }

  function resultItem(data, index) {
    const item = document.createElement("li");
    item.className = "paper-search__result";
    item.id = `paper-search-result-${index}`;
    item.setAttribute("role", "option");
    item.setAttribute("aria-selected", "false");
    const link = document.createElement("a");
    link.className = "paper-search__link";
    link.href = data.url;
    link.tabIndex = -1;
    const themes = (data.filters.theme || []).join(", ");
    const meta = [data.meta.date, themes].filter(Boolean).join(" · ");
    link.append(span("title", data.meta.title || ""), span("meta", meta),
                span("excerpt", ...excerptNodes(data.excerpt || "")));
    item.append(link);
    return item;
  }

  /* The data of a page of results from `from` on; null if a later search took over. */
  async function pageOf(found, from, token) {
    const data = await Promise.all(found.slice(from, from + PAGE_SIZE).map((r) => r.data()));
    return token === sequence ? data : null;
  }

  function append(data) {
    list.append(...data.map((item, offset) => resultItem(item, shown + offset)));
    shown += data.length;
    more.hidden = shown >= results.length;
  }

  async function showMore() {
    more.disabled = true;
    const data = await pageOf(results, shown, sequence);
    more.disabled = false;
    if (data) append(data);
  }

  function say(text) {
    status.textContent = text;
  }

  function clearResults() {
    results = [];
    shown = 0;
    setActive(-1);
    list.replaceChildren();
    more.hidden = true;
  }

  function idleMessage() {
    const theme = chosenFilters().theme;
    if (theme) return `Type a word to search the papers in ${theme}; its theme page lists them all.`;
    return "Type a word to search the papers' titles, abstracts, authors and tags.";
  }

  async function search() {
    const token = ++sequence;
    const term = input.value.trim();
    rememberInUrl(term);
    if (term.length < MIN_CHARS) {
      clearResults();
      say(idleMessage());
      if (totals) showCounts(totals);
      return;
    }
    let api;
    try {
      api = await loadPagefind();
    } catch (error) {
      pagefind = null; // try again on the next keystroke
      say("Search is unavailable: this site was built without its search index.");
      return;
    }
    // Fetch the term's index chunks at once, while the reader is still
    // typing; only the search once typing pauses ranks them.
    api.preload(term, { filters: chosenFilters() });
    await new Promise((done) => setTimeout(done, DEBOUNCE_MS));
    // One search at a time (one under way cannot be stopped, and a short
    // prefix can keep the worker busy for a second): those typed meanwhile
    // give way to the latest.
    while (running !== null && token === sequence) await running.catch(() => {});
    if (token !== sequence) return; // a later keystroke took over
    running = api.search(term, { filters: chosenFilters() });
    let found;
    try {
      found = await running;
    } finally {
      running = null;
    }
    if (token !== sequence) return;
    // The old results stay until the new ones are ready: no flicker while typing.
    const data = await pageOf(found.results, 0, token);
    if (data === null) return;
    clearResults();
    results = found.results;
    append(data);
    showCounts(found.totalFilters);
    const count = results.length;
    say(count === 0 ? `No paper matches “${term}”.`
      : `${count} ${count === 1 ? "paper matches" : "papers match"} “${term}”`);
  }

  // --- opening, closing, keys ------------------------------------------------

  function open() {
    root.classList.add("paper-search--open");
    if (panel.hidden) {
      panel.hidden = false;
      input.setAttribute("aria-expanded", "true");
      loadPagefind().then(() => {
        if (!input.value.trim()) say(idleMessage());
      }, (error) => say(`Search is unavailable: ${error.message}`));
    }
  }

  function close() {
    root.classList.remove("paper-search--open");
    panel.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  }

  function setActive(index) {
    const items = list.children;
    if (active >= 0 && items[active]) items[active].setAttribute("aria-selected", "false");
    active = index;
    if (active >= 0 && items[active]) {
      items[active].setAttribute("aria-selected", "true");
      items[active].scrollIntoView({ block: "nearest" });
      input.setAttribute("aria-activedescendant", items[active].id);
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function move(step) {
    const count = list.children.length;
    if (count) setActive(Math.max(0, Math.min(count - 1, active + step)));
  }

  function rememberInUrl(term) {
    const url = new URL(location.href);
    for (const name of ["q", ...selects.map((s) => s.dataset.filter)]) url.searchParams.delete(name);
    if (term) {
      url.searchParams.set("q", term);
      for (const [name, value] of Object.entries(chosenFilters())) url.searchParams.set(name, value);
    }
    if (url.href !== location.href) history.replaceState(history.state, "", url);
  }

  function editing(target) {
    return target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  // Capturing, on window: `/` and `s` are ours before any other handler sees them.
  window.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || editing(event.target)) return;
    if (event.key === "/" || event.key === "s" || event.key === "S") {
      event.preventDefault();
      event.stopPropagation();
      open();
      input.focus();
    }
  }, true);

  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
      input.blur();
    }
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const item = list.children[Math.max(active, 0)];
    if (item) location.href = item.querySelector("a").href;
  });

  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      close();
      input.focus();
    }
  });

  input.addEventListener("focus", open);
  input.addEventListener("input", () => {
    open();
    search();
  });
  for (const select of selects) select.addEventListener("change", () => search());
  more.addEventListener("click", showMore);
  root.querySelector(".paper-search__close").addEventListener("click", close);
  root.querySelector(".paper-search__open").addEventListener("click", () => {
    open();
    input.focus();
  });
  document.addEventListener("click", (event) => {
    if (!root.contains(event.target)) close();
  });

  if (params.get("q")) {
    input.value = params.get("q");
    open();
    loadPagefind().then(() => search(), () => {});
  }
})();
