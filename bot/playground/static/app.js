// The playground page: a sidebar of channels and apps, a conversation (or pmbot's Home tab), a
// thread panel and modals, redrawn from /ui/state whenever the server-sent events say it changed.
"use strict";

(() => {
  const { h } = BlockKit;
  const T = Mrkdwn;
  const PMBOT_HOME = "home";
  const view = {
    me: localStorage.getItem("playground.me") || null,
    open: localStorage.getItem("playground.open") || null, // a channel id, or "home" / "messages" for pmbot
    thread: null,
    data: null,
    drafts: {}, // view id → {block_id: {action_id: state}} typed so far
    errors: {}, // view id → inline errors from response_action: errors
    drawn: {},
    switching: Promise.resolve(),
  };
  const $ = (selector) => document.querySelector(selector);

  async function post(path, body) {
    const answer = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ as: view.me, ...body }) });
    const json = await answer.json().catch(() => ({}));
    if (!answer.ok) notice(json.error || `The playground answered ${answer.status}.`);
    return json;
  }

  function notice(text) {
    const box = $("#notice");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(notice.timer);
    notice.timer = setTimeout(() => { box.hidden = true; }, 6000);
  }

  async function refresh() {
    const answer = await fetch(`/ui/state?as=${encodeURIComponent(view.me || "")}`);
    const data = await answer.json();
    view.me = data.me;
    view.open = view.open || data.channels[0].id;
    view.data = data;
    draw();
  }

  function ctx(extra = {}) {
    const data = view.data;
    const people = Object.fromEntries([...data.people, data.bot].map((p) => [p.id, p]));
    const channels = Object.fromEntries(data.channels.map((c) => [c.id, c]));
    const me = people[view.me];
    return {
      people: data.people, channels: data.channels, tz: me.tz, workspaceUrl: data.team.url,
      person: (id) => people[id], channel: (id) => channels[id], ...extra,
    };
  }

  // --- drawing ---------------------------------------------------------------------------------

  function once(key, content, drawIt) {
    const signature = JSON.stringify(content);
    if (view.drawn[key] === signature) return;
    view.drawn[key] = signature;
    drawIt();
  }

  function draw() {
    const data = view.data;
    BlockKit.textContext = ctx();
    once("sidebar", [data.me, view.open, data.channels, unread()], drawSidebar);
    const conversation = view.open === PMBOT_HOME ? data.home : messagesIn(currentChannel());
    once("main", [data.me, view.open, conversation, view.thread], drawMain);
    once("thread", [data.me, view.thread, view.thread && messagesIn(view.thread.channel)], drawThread);
    once("modal", [data.me, data.modals, view.errors], drawModal);
  }

  function currentChannel() {
    return view.open === "messages" || view.open === PMBOT_HOME ? view.data.dm : view.open;
  }

  function messagesIn(channel) {
    return view.data.messages.filter((m) => m.channel === channel);
  }

  function unread() {
    const seen = Number(localStorage.getItem(`playground.seen.${view.me}`) || 0);
    return messagesIn(view.data.dm).filter((m) => Number(m.ts) > seen).length;
  }

  function drawSidebar() {
    const data = view.data;
    const who = h("select", { id: "who", onchange: (event) => switchTo(event.target.value) },
      data.people.map((p) => h("option", { value: p.id, selected: p.id === data.me }, `${p.name} (${p.role})`)));
    const count = unread();
    const badge = (id) => (id === PMBOT_HOME && count && view.open !== "messages"
      ? h("span", { class: "badge", "aria-hidden": "true", title: `${count} new direct messages` }, String(count)) : null);
    const link = (id, label, extra = {}) => h("button", { type: "button", class: "nav" + (view.open === id ? " active" : ""),
      "aria-current": view.open === id ? "page" : null, onclick: () => openConversation(id), ...extra }, label, badge(id));
    $("#sidebar").replaceChildren(
      h("div", { class: "team" }, data.team.name),
      h("label", { class: "who", for: "who" }, "Who am I"), who,
      h("nav", { "aria-label": "Conversations" },
        h("h2", {}, "Channels"), data.channels.map((c) => link(c.id, `# ${c.name}`)),
        h("h2", {}, "Apps"),
        link(PMBOT_HOME, "pmbot", { class: "nav" + (view.open === PMBOT_HOME || view.open === "messages" ? " active" : "") })),
      h("p", { class: "hint" }, "A Slack stand-in: what you do here reaches pmbot as signed Slack requests."));
  }

  // A conversation is built once; afterwards only the messages that changed are redrawn, so a
  // half-typed message, a search in a card or the keyboard focus survive pmbot's posts.
  function drawMain() {
    const data = view.data;
    const place = JSON.stringify([data.me, view.open]);
    if (view.mainPlace !== place) {
      view.mainPlace = place;
      view.mainRows = new Map();
      const isApp = view.open === PMBOT_HOME || view.open === "messages";
      const title = isApp ? "pmbot" : `# ${data.channels.find((c) => c.id === view.open).name}`;
      const header = h("header", { class: "conversation-header" }, h("h1", {}, title),
        isApp ? h("div", { role: "tablist", class: "tabs" }, tab(PMBOT_HOME, "Home"), tab("messages", "Messages")) : null);
      view.mainBody = view.open === PMBOT_HOME ? h("section", { class: "home", "aria-label": "Home" })
        : h("section", { class: "messages", role: "log", "aria-label": `Messages in ${title}` });
      $("#main").replaceChildren(header, view.mainBody, view.open === PMBOT_HOME ? h("div") : composer(currentChannel(), null));
    }
    const body = view.mainBody;
    if (view.open === PMBOT_HOME) {
      body.replaceChildren(data.home ? BlockKit.render(data.home.blocks, ctx(viewHandlers(data.home))).node
        : h("p", { class: "loading" }, "Opening pmbot's Home…"));
      return;
    }
    const atBottom = body.scrollHeight - body.scrollTop - body.clientHeight < 80;
    const topLevel = messagesIn(currentChannel()).filter((m) => !m.thread_ts || m.thread_ts === m.ts);
    updateRows(body, topLevel, view.mainRows, false);
    if (atBottom) body.scrollTop = body.scrollHeight;
    if (view.open === "messages") localStorage.setItem(`playground.seen.${view.me}`, String(Date.now() / 1000));
  }

  function updateRows(container, messages, rows, inThread) {
    const wanted = new Map();
    for (const m of messages) {
      const signature = JSON.stringify([m, inThread ? 0 : repliesTo(m).length]);
      const kept = rows.get(m.ts);
      wanted.set(m.ts, kept && kept.signature === signature ? kept : { signature, node: message(m, inThread) });
    }
    for (const [ts, row] of rows) if (wanted.get(ts) !== row) row.node.remove();
    [...wanted.values()].forEach((row, index) => {
      if (container.children[index] !== row.node) container.insertBefore(row.node, container.children[index] || null);
    });
    rows.clear();
    for (const [ts, row] of wanted) rows.set(ts, row);
  }

  function repliesTo(m) {
    return messagesIn(m.channel).filter((r) => r.thread_ts === m.ts && r.ts !== m.ts);
  }

  function tab(id, label) {
    return h("button", { type: "button", role: "tab", "aria-selected": String(view.open === id),
      onclick: () => openConversation(id) }, label);
  }

  function composer(channel, threadTs) {
    const name = threadTs ? "Reply" : "Message";
    const box = h("textarea", { "aria-label": name, rows: 1,
      placeholder: threadTs ? "Reply…" : `Message ${channelLabel(channel)} — try /request Export the roadmap to CSV` });
    const send = async (event) => {
      event.preventDefault();
      const text = box.value.trim();
      if (!text) return;
      box.value = "";
      await post("/ui/message", { channel, text, thread_ts: threadTs });
    };
    box.addEventListener("keydown", (event) => { if (event.key === "Enter" && !event.shiftKey) send(event); });
    const hints = threadTs ? null : commandHints(box);
    return h("form", { class: "composer", onsubmit: send }, hints, box, h("button", { type: "submit" }, "Send"));
  }

  // Like Slack, typing "/" lists the app's commands with their usage.
  function commandHints(box) {
    const list = h("div", { class: "command-hints", role: "listbox", "aria-label": "Commands", hidden: true });
    const show = () => {
      const typed = box.value;
      const matching = typed.startsWith("/") && !typed.includes(" ")
        ? view.data.commands.filter((c) => c.command.startsWith(typed)) : [];
      list.hidden = !matching.length;
      list.replaceChildren(...matching.map((c) => h("div", { role: "option", class: "command-hint",
        onmousedown: (event) => { event.preventDefault(); box.value = c.command + " "; list.hidden = true; box.focus(); } },
      h("b", {}, c.command), " ", h("span", { class: "usage" }, c.usage_hint), h("div", { class: "usage" }, c.description))));
    };
    box.addEventListener("input", show);
    box.addEventListener("blur", () => { list.hidden = true; });
    return list;
  }

  function channelLabel(channel) {
    const found = view.data.channels.find((c) => c.id === channel);
    return found ? `#${found.name}` : "pmbot";
  }

  function message(m, inThread) {
    const data = view.data;
    const author = m.user === data.bot.id ? data.bot : data.people.find((p) => p.id === m.user)
      || { name: m.user === "USLACKBOT" ? "Slackbot" : m.user, initials: "S" };
    const replies = inThread ? [] : repliesTo(m);
    const when = T.formatDate(Math.floor(Number(m.ts)), "{time}", ctx().tz);
    const content = m.blocks && m.blocks.length
      ? BlockKit.render(m.blocks, ctx(messageHandlers(m))).node
      : h("div", { class: "text", html: T.mrkdwn(m.text, ctx()) });
    return h("article", { class: "message" + (m.only_for ? " ephemeral" : ""), "data-ts": m.ts,
      "aria-label": `${author.name} at ${when}` },
    h("div", { class: "avatar", "aria-hidden": "true", style: `background:${colour(author.name)}` }, author.initials),
    h("div", { class: "message-body" },
      h("div", { class: "meta" }, h("b", {}, author.name),
        m.user === data.bot.id ? h("span", { class: "app-badge" }, "APP") : null,
        h("span", { class: "time" }, when), m.edited ? h("span", { class: "edited" }, "(edited)") : null),
      m.only_for ? h("div", { class: "only-you" }, "👁 Only visible to you") : null,
      content,
      replies.length ? h("button", { type: "button", class: "replies", onclick: () => openThread(m) },
        `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`) : null),
    m.only_for ? null : moreActions(m, inThread));
  }

  function moreActions(m, inThread) {
    const menu = h("div", { class: "menu", role: "menu", hidden: true },
      inThread ? null : h("button", { type: "button", role: "menuitem", onclick: () => { menu.hidden = true; openThread(m); } }, "Reply in thread"),
      view.data.shortcuts.map((s) => h("button", { type: "button", role: "menuitem",
        onclick: () => { menu.hidden = true; post("/ui/shortcut", { channel: m.channel, ts: m.ts, callback_id: s.callback_id }); } },
      s.name)));
    return h("div", { class: "message-actions" },
      h("button", { type: "button", class: "more", "aria-label": "More actions", "aria-haspopup": "menu",
        onclick: () => { menu.hidden = !menu.hidden; } }, "⋯"), menu);
  }

  function colour(name) {
    let hash = 0;
    for (const c of name) hash = (hash * 31 + c.charCodeAt(0)) % 360;
    return `hsl(${hash} 45% 42%)`;
  }

  function drawThread() {
    const panel = $("#thread");
    const parent = view.thread && messagesIn(view.thread.channel).find((m) => m.ts === view.thread.ts);
    if (!parent) { view.thread = null; view.threadPlace = null; panel.hidden = true; panel.replaceChildren(); return; }
    const place = JSON.stringify([view.me, view.thread]);
    if (view.threadPlace !== place) {
      view.threadPlace = place;
      view.threadRows = new Map();
      view.threadBody = h("section", { class: "messages", role: "log", "aria-label": "Thread" });
      panel.replaceChildren(
        h("header", { class: "conversation-header" }, h("h2", {}, "Thread"),
          h("button", { type: "button", "aria-label": "Close thread", onclick: () => { view.thread = null; draw(); } }, "×")),
        view.threadBody, composer(parent.channel, parent.ts));
    }
    panel.hidden = false;
    updateRows(view.threadBody, [parent, ...repliesTo(parent)], view.threadRows, true);
  }

  function drawModal() {
    const layer = $("#modals");
    const modals = view.data.modals;
    if (!modals.length) { layer.hidden = true; layer.replaceChildren(); return; }
    const top = modals[modals.length - 1];
    const handlers = viewHandlers(top);
    const rendered = BlockKit.render(top.blocks, ctx({ ...handlers, errors: view.errors[top.id] }));
    const titleId = `title-${top.id}`;
    const submit = async (event) => {
      event.preventDefault();
      const button = event.submitter || layer.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      const answer = await post("/ui/submit", { view_id: top.id, values: BlockKit.values(rendered.state) });
      if (button) button.disabled = false;
      view.errors[top.id] = answer.errors && Object.keys(answer.errors).length ? answer.errors : undefined;
      draw();
    };
    const close = () => post("/ui/close", { view_id: top.id });
    // Slack submits a modal with its button only: Enter in a one-line field does not, Escape closes.
    const keys = (event) => {
      if (event.key === "Escape") { event.preventDefault(); close(); }
      if (event.key === "Enter" && event.target.tagName === "INPUT") event.preventDefault();
    };
    layer.hidden = false;
    layer.replaceChildren(h("form", { class: "modal", role: "dialog", "aria-modal": "true", "aria-labelledby": titleId,
      onsubmit: submit, onkeydown: keys, novalidate: true },
      h("header", {}, modals.length > 1 ? h("button", { type: "button", class: "back", "aria-label": "Back", onclick: close }, "‹") : null,
        h("h2", { id: titleId, html: T.plain(top.title) }),
        h("button", { type: "button", class: "close", "aria-label": "Close", onclick: close }, "×")),
      h("div", { class: "modal-body" }, rendered.node),
      h("footer", {}, h("button", { type: "button", onclick: close }, top.close ? T.unslack(top.close.text) : "Cancel"),
        top.submit ? h("button", { type: "submit", class: "bk-primary" }, T.unslack(top.submit.text)) : null)));
  }

  // --- what clicks become ------------------------------------------------------------------------

  function messageHandlers(m) {
    return {
      channelId: m.channel,
      onAction: (action) => post("/ui/action", { channel: m.channel, ts: m.ts, action, values: {} }),
      onOptions: async (blockId, actionId, value) => (await post("/ui/options", {
        channel: m.channel, ts: m.ts, block_id: blockId, action_id: actionId, value })).options || [],
    };
  }

  function viewHandlers(surface) {
    const drafts = (view.drafts[surface.id] = view.drafts[surface.id] || {});
    const values = () => {
      const out = {};
      for (const [blockId, actions] of Object.entries(drafts)) out[blockId] = { ...actions };
      return out;
    };
    return {
      drafts,
      onDraft: (blockId, actionId, value) => { (drafts[blockId] = drafts[blockId] || {})[actionId] = value; },
      onAction: (action) => post("/ui/action", { view_id: surface.id, action, values: values() }),
      onOptions: async (blockId, actionId, value) => (await post("/ui/options", {
        view_id: surface.id, block_id: blockId, action_id: actionId, value, values: values() })).options || [],
    };
  }

  // --- navigation --------------------------------------------------------------------------------

  function openConversation(id) {
    view.open = id;
    view.thread = null;
    localStorage.setItem("playground.open", id);
    if (id === PMBOT_HOME) post("/ui/home", { tab: "home" });
    if (id === "messages") post("/ui/home", { tab: "messages" });
    // Right after a switch of person, draw once their workspace has arrived, not the last one's.
    view.switching.then(draw);
  }

  function openThread(m) {
    view.thread = { channel: m.channel, ts: m.ts };
    draw();
  }

  function switchTo(person) {
    view.me = person;
    localStorage.setItem("playground.me", person);
    view.drawn = {};
    view.switching = refresh().then(() => { if (view.open === PMBOT_HOME) post("/ui/home", { tab: "home" }); });
  }

  document.addEventListener("click", (event) => {
    const target = event.target.closest("a.channel-link, a.permalink");
    if (!target) return;
    event.preventDefault();
    openConversation(target.dataset.channel.startsWith("D") ? "messages" : target.dataset.channel);
  });

  function listen() {
    const events = new EventSource("/ui/events");
    events.onmessage = (event) => { if (!view.data || Number(event.data) !== view.data.version) refresh(); };
    events.onerror = () => { $("#status").textContent = "Reconnecting to the playground…"; };
    events.onopen = () => { $("#status").textContent = ""; };
  }

  refresh().then(() => {
    if (view.open === PMBOT_HOME) post("/ui/home", { tab: "home" });
    document.body.dataset.ready = "true";
    listen();
  });
})();
