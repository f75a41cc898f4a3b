import { Unauthorized, setToken, token } from "./api.js";
import { loadItems } from "./items.js";
import { renderMap } from "./map.js";
import type { Item, StatusDoc } from "./types.js";
import { renderDetail, renderList, renderStatus, renderTrace } from "./views.js";
import { get } from "./api.js";

const POLL_MS = 3000;
const main = document.querySelector<HTMLElement>("#main")!;
const status = document.querySelector<HTMLElement>("#status")!;
let items: Item[] = [];
let timer: number | undefined;

/** Services of open incidents (or recent alerts): the map marks them as culprits. */
const culprits = (): Set<string> => new Set(items.filter((i) => i.open).map((i) => i.service));

function askToken(message: string): void {
  main.innerHTML =
    `<form id="token-form" class="token"><p>${message}</p>` +
    `<input id="token" type="password" autocomplete="off" placeholder="API token (spec.api.token)">` +
    `<button>Use token</button></form>`;
  main.querySelector("form")!.addEventListener("submit", (e) => {
    e.preventDefault();
    setToken(main.querySelector<HTMLInputElement>("#token")!.value.trim());
    void route();
  });
}

async function refreshStatus(): Promise<void> {
  renderStatus(status, await get<StatusDoc>("/api/v1/status"));
}

/** One render of the page the hash names; the list and the map refresh themselves. */
async function route(): Promise<void> {
  window.clearTimeout(timer);
  const [, page = "", id = ""] = location.hash.split("/");
  document
    .querySelectorAll("nav a")
    .forEach((a) => a.classList.toggle("active", a.getAttribute("href") === `#/${page}`));
  try {
    // The status panel loads beside the page, never ahead of it.
    const statusLoaded = refreshStatus();
    if (page === "trace") await renderTrace(main, decodeURIComponent(id));
    else if (page === "incident" || page === "alert") await renderDetail(main, page, decodeURIComponent(id));
    else if (page === "map") {
      items = await loadItems();
      await renderMap(main, culprits(), "5m");
      timer = window.setTimeout(() => void route(), POLL_MS * 5);
    } else {
      items = await loadItems();
      renderList(main, items);
      timer = window.setTimeout(() => void route(), POLL_MS);
    }
    document.body.dataset.ready = "true";
    await statusLoaded;
  } catch (err) {
    if (err instanceof Unauthorized)
      askToken(
        token() === null ? "This tracewatch needs its API token." : "That token was refused; enter it again.",
      );
    else main.innerHTML = `<p class="error">${String(err)}</p>`;
  }
}

window.addEventListener("hashchange", () => void route());
void route();
