// Where each screen was scrolled: a new screen opens at the top, going back (or forward)
// returns to where she was on that one. Each history entry gets a key in history.state.
const positions = new Map();
let shown = null;

export function followScreens(render) {
  if ("scrollRestoration" in history) history.scrollRestoration = "manual";
  const change = async () => {
    if (shown) positions.set(shown, scrollY);
    let key = history.state?.screen;
    const seen = Boolean(key) && positions.has(key);
    if (!key) {
      key = crypto.randomUUID();
      history.replaceState({ ...(history.state || {}), screen: key }, "");
    }
    shown = key;
    if (!seen) scrollTo(0, 0);
    await render();
    if (shown === key) scrollTo(0, seen ? positions.get(key) : 0);
  };
  addEventListener("hashchange", change);
  shown = history.state?.screen || null;
  if (!shown) {
    shown = crypto.randomUUID();
    history.replaceState({ ...(history.state || {}), screen: shown }, "");
  }
}
