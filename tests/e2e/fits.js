// What a person would see as broken in the page as it is laid out now, one line each. Run by
// test_every_page_fits.py through page.evaluate (no eval inside the page: the CSP allows none).
// `wide`: the classes of the tables that may be wider than their box, being wide by nature.
async (wide) => {
  const problems = [];
  const width = document.documentElement.clientWidth;  // without a vertical scrollbar
  const frame = () => new Promise((done) => requestAnimationFrame(() => done()));

  // What is folded away is laid out too, once unfolded: tables under "Show as a table", filters.
  document.querySelectorAll("details:not([open])").forEach((d) => { d.open = true; });
  await frame();
  await frame();  // app.js marks tables that scroll from a ResizeObserver, after layout

  const name = (e) => {
    let s = e.tagName.toLowerCase();
    if (e.id) s += "#" + e.id;
    if (typeof e.className === "string" && e.className.trim()) {
      s += "." + e.className.trim().split(/\s+/).join(".");
    }
    const text = (e.innerText || e.textContent || "").trim().replace(/\s+/g, " ").slice(0, 40);
    return text ? `${s} "${text}"` : s;
  };
  const span = (r) => `[${Math.round(r.left)}..${Math.round(r.right)}]`;
  const outside = (r, b) => r.right > b.right + 1 || r.left < b.left - 1;
  const styles = new Map();  // getComputedStyle, once per element: pages have thousands
  const style = (e) => styles.get(e) || styles.set(e, getComputedStyle(e)).get(e);
  const overflow = (e) => style(e).overflowX;
  const scrolling = (e) => ["auto", "scroll"].includes(overflow(e));
  // Made to be invisible or off screen until focused: their boxes are not what a person sees.
  const byDesign = (e) => e.closest(".visually-hidden, .skip-link");
  // Form fields scroll their own value, as a person types.
  const field = (e) => ["INPUT", "TEXTAREA", "SELECT"].includes(e.tagName);

  // A box must stay inside its card; outside any card, inside the page. Inside a box that
  // scrolls or clips, that box answers for it (below).
  const keepers = new Map();
  const keeper = (from) => {
    if (!from || from === document.body) return {box: null, clips: false};
    if (!keepers.has(from)) {
      if (overflow(from) !== "visible") keepers.set(from, {box: from, clips: true});
      else if (from.tagName === "ARTICLE") keepers.set(from, {box: from, clips: false});
      else keepers.set(from, keeper(from.parentElement));
    }
    return keepers.get(from);
  };
  const inside = (what, r, from) => {
    const {box, clips} = keeper(from);
    if (clips) return true;
    const b = box ? box.getBoundingClientRect() : {left: 0, right: width};
    if (!outside(r, b)) return true;
    problems.push(`${what} ${span(r)} sticks out of ${box ? name(box).slice(0, 50) : "the page"} ${span(b)}`);
    return false;
  };

  // The narrowest a box's content can be: the width it would need if it wrapped everywhere
  // it may. A table that is wider than its box although it could be narrower is a fault.
  const narrowest = (e) => Math.max(0, ...[...e.children].map((child) => {
    const before = child.style.width;
    child.style.width = "min-content";
    const needed = child.getBoundingClientRect().width;
    child.style.width = before;
    return needed;
  }));

  const page = document.documentElement.scrollWidth;
  if (page > width) problems.push(`the page scrolls sideways: ${page}px wide in ${width}px`);

  for (const e of document.body.querySelectorAll("*")) {
    if (byDesign(e)) continue;
    const r = e.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    const own = style(e);
    if (own.visibility === "hidden") continue;
    if (!inside(name(e), r, e.parentElement)) continue;  // once is enough, not for its text too

    // Text must stay in the box it is laid out in, or it runs over its neighbours.
    let block = e;
    while (block.parentElement && style(block).display === "inline") block = block.parentElement;
    for (const node of e.childNodes) {
      if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const t = range.getBoundingClientRect();
      if (!t.width) continue;
      const words = `text "${node.textContent.trim().replace(/\s+/g, " ").slice(0, 40)}"`;
      if (!inside(words, t, e)) continue;
      const b = block.getBoundingClientRect();
      if (outside(t, b) && overflow(block) === "visible") {
        problems.push(`${words} ${span(t)} runs out of ${name(block).slice(0, 50)} ${span(b)}`);
      }
    }

    if (field(e) || own.display === "inline" || !e.clientWidth) continue;
    const wider = e.scrollWidth - e.clientWidth;
    if (wider <= 1) continue;
    if (scrolling(e)) {
      const table = e.querySelector(":scope > table");
      if (!table || !wide.some((css) => table.classList.contains(css))) {
        problems.push(`${name(e)} scrolls sideways: ${e.scrollWidth}px in ${e.clientWidth}px`);
      } else if (narrowest(e) <= e.clientWidth + 1) {
        problems.push(`${name(e)} scrolls sideways (${e.scrollWidth}px in ${e.clientWidth}px) but could be ${Math.ceil(narrowest(e))}px`);
      } else if (own.maskImage === "none" && own.webkitMaskImage === "none") {
        problems.push(`${name(e)} scrolls sideways (${e.scrollWidth}px in ${e.clientWidth}px) without showing it`);
      }
    } else if (own.overflowX !== "visible" && own.textOverflow !== "ellipsis") {
      problems.push(`${name(e)} cuts off its content: ${e.scrollWidth}px in ${e.clientWidth}px`);
    }
  }
  return problems;
}
