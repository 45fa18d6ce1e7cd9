// Block Kit for the playground: every block and element pmbot emits, drawn as Slack draws it, with
// the state values and block_actions Slack would send. BlockKit.SUPPORTED lists what it can draw.
"use strict";

const BlockKit = (() => {
  const T = Mrkdwn;
  let serial = 0;

  function h(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "html") node.innerHTML = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  const html = (tag, markup, attrs = {}) => h(tag, { ...attrs, html: markup });
  const optionText = (option) => (option.text && option.text.text) || option.value;
  const echo = (option) => option && { text: option.text, value: option.value };
  const nextId = (prefix) => `${prefix}-${++serial}`;

  // --- blocks ----------------------------------------------------------------------------------

  const BLOCKS = {
    section(block, ctx) {
      const body = h("div", { class: "bk-section-body" });
      if (block.text) body.append(html("div", T.text(block.text, ctx), { class: "bk-text" }));
      if (block.fields) {
        body.append(h("div", { class: "bk-fields" },
          block.fields.map((field) => html("div", T.text(field, ctx), { class: "bk-field" }))));
      }
      const accessory = block.accessory ? h("div", { class: "bk-accessory" }, element(block.accessory, block, ctx)) : null;
      return h("div", { class: "bk-section" }, body, accessory);
    },
    header: (block) => html("h3", T.plain(block.text), { class: "bk-header" }),
    divider: () => h("hr", { class: "bk-divider" }),
    context(block, ctx) {
      return h("div", { class: "bk-context" }, block.elements.map((item) => item.type === "image"
        ? h("img", { src: item.image_url, alt: item.alt_text, class: "bk-context-image" })
        : html("span", T.text(item, ctx))));
    },
    actions(block, ctx) {
      return h("div", { class: "bk-actions" }, block.elements.map((item) => element(item, block, ctx)));
    },
    input(block, ctx) {
      const id = nextId("input");
      const label = h("label", { class: "bk-label", for: id },
        html("span", T.plain(block.label)), block.optional ? h("span", { class: "bk-optional" }, " (optional)") : null);
      const control = element(block.element, block, { ...ctx, inputId: id, label: block.label.text, inInput: true });
      const error = ctx.errors && ctx.errors[block.block_id];
      return h("div", { class: "bk-input" + (error ? " has-error" : "") }, label, control,
        block.hint ? html("div", T.plain(block.hint), { class: "bk-hint" }) : null,
        error ? h("div", { class: "bk-error", role: "alert" }, error) : null);
    },
    image(block) {
      return h("figure", { class: "bk-image" }, h("img", { src: block.image_url, alt: block.alt_text }),
        block.title ? html("figcaption", T.plain(block.title)) : null);
    },
    rich_text: (block, ctx) => h("div", { class: "bk-rich" }, block.elements.map((item) => richElement(item, ctx))),
  };

  function richElement(item, ctx) {
    const inline = (children) => (children || []).map((child) => richInline(child, ctx));
    switch (item.type) {
      case "rich_text_section": return h("p", {}, inline(item.elements));
      case "rich_text_quote": return h("blockquote", {}, inline(item.elements));
      case "rich_text_preformatted": return h("pre", {}, inline(item.elements));
      case "rich_text_list":
        return h(item.style === "ordered" ? "ol" : "ul", {}, item.elements.map((section) => h("li", {}, inline(section.elements))));
      default: return h("span", {}, "");
    }
  }

  function richInline(child, ctx) {
    const style = child.style || {};
    let node;
    if (child.type === "link") node = h("a", { href: child.url, target: "_blank", rel: "noopener" }, child.text || child.url);
    else if (child.type === "user") node = html("span", T.mrkdwn(`<@${child.user_id}>`, ctx));
    else if (child.type === "channel") node = html("span", T.mrkdwn(`<#${child.channel_id}>`, ctx));
    else if (child.type === "emoji") node = html("span", T.plain(`:${child.name}:`));
    else if (child.type === "date") node = html("span", T.mrkdwn(`<!date^${child.timestamp}^${child.format}|date>`, ctx));
    else node = h("span", {}, child.text || "");
    if (style.bold) node = h("b", {}, node);
    if (style.italic) node = h("i", {}, node);
    if (style.strike) node = h("s", {}, node);
    if (style.code) node = h("code", {}, node);
    return node;
  }

  // --- elements --------------------------------------------------------------------------------

  // Each stateful element registers a getter: ctx.state[block_id][action_id]() → Slack's state value.
  function register(block, item, ctx, getter) {
    const values = (ctx.state[block.block_id] = ctx.state[block.block_id] || {});
    values[item.action_id] = getter;
  }

  function draft(block, item, ctx) {
    const saved = ctx.drafts && ctx.drafts[block.block_id];
    return saved ? saved[item.action_id] : undefined;
  }

  // Outside input blocks (and inside with dispatch_action) a change is a block_actions payload.
  function changed(block, item, ctx, value) {
    if (ctx.onDraft) ctx.onDraft(block.block_id, item.action_id, value);
    if (!ctx.inInput || block.dispatch_action || item.dispatch_action) {
      confirmed(item, () => ctx.onAction({ ...value, action_id: item.action_id, block_id: block.block_id }));
    }
  }

  function confirmed(item, then) {
    if (!item.confirm) return then();
    return BlockKit.confirm(item.confirm).then((yes) => yes && then());
  }

  const ELEMENTS = {
    button(item, block, ctx) {
      const classes = ["bk-button", item.style ? `bk-${item.style}` : ""].join(" ");
      return h("button", {
        type: "button", class: classes, "data-action": item.action_id,
        onclick: () => confirmed(item, () => ctx.onAction({
          type: "button", action_id: item.action_id, block_id: block.block_id, text: item.text,
          value: item.value, style: item.style,
        })),
      }, ...(item.url ? [h("span", {}, T.unslack(item.text.text)), " ↗"] : [html("span", T.plain(item.text))]));
    },
    static_select: (item, block, ctx) => nativeSelect(item, block, ctx, allOptions(item), "selected_option"),
    multi_static_select: (item, block, ctx) => nativeSelect(item, block, ctx, allOptions(item), "selected_options"),
    users_select: (item, block, ctx) => nativeSelect(item, block, ctx, peopleOptions(ctx), "selected_user", item.initial_user),
    multi_users_select: (item, block, ctx) => nativeSelect(item, block, ctx, peopleOptions(ctx), "selected_users", item.initial_users),
    conversations_select: (item, block, ctx) => nativeSelect(item, block, ctx, channelOptions(ctx),
      "selected_conversation", item.initial_conversation || (item.default_to_current_conversation ? ctx.channelId : null)),
    multi_conversations_select: (item, block, ctx) => nativeSelect(item, block, ctx, channelOptions(ctx),
      "selected_conversations", item.initial_conversations),
    channels_select: (item, block, ctx) => nativeSelect(item, block, ctx, channelOptions(ctx), "selected_channel", item.initial_channel),
    multi_channels_select: (item, block, ctx) => nativeSelect(item, block, ctx, channelOptions(ctx), "selected_channels", item.initial_channels),
    external_select: (item, block, ctx) => typeahead(item, block, ctx, false),
    multi_external_select: (item, block, ctx) => typeahead(item, block, ctx, true),
    overflow(item, block, ctx) {
      const menu = h("div", { class: "bk-menu", role: "menu", hidden: true },
        item.options.map((option) => h("button", {
          type: "button", role: "menuitem",
          onclick: () => { menu.hidden = true; confirmed(item, () => ctx.onAction({
            type: "overflow", action_id: item.action_id, block_id: block.block_id, selected_option: echo(option) })); },
        }, T.unslack(optionText(option)))));
      const toggle = h("button", { type: "button", class: "bk-overflow", "aria-label": "More options",
        "aria-haspopup": "menu", onclick: () => { menu.hidden = !menu.hidden; } }, "⋯");
      return h("span", { class: "bk-overflow-wrap" }, toggle, menu);
    },
    checkboxes: (item, block, ctx) => choices(item, block, ctx, "checkbox"),
    radio_buttons: (item, block, ctx) => choices(item, block, ctx, "radio"),
    datepicker: (item, block, ctx) => picker(item, block, ctx, "date", "selected_date", item.initial_date),
    timepicker: (item, block, ctx) => picker(item, block, ctx, "time", "selected_time", item.initial_time),
    plain_text_input(item, block, ctx) {
      const saved = draft(block, item, ctx);
      const value = saved ? saved.value : item.initial_value || "";
      const attrs = { id: ctx.inputId, class: "bk-text-input", placeholder: item.placeholder && item.placeholder.text,
        maxlength: item.max_length, "aria-label": ctx.inputId ? null : ctx.label || "Text" };
      const field = item.multiline ? h("textarea", { ...attrs, rows: 4 }) : h("input", { ...attrs, type: "text" });
      field.value = value;
      const state = () => ({ type: "plain_text_input", value: field.value === "" ? null : field.value });
      register(block, item, ctx, state);
      field.addEventListener("input", () => ctx.onDraft && ctx.onDraft(block.block_id, item.action_id, state()));
      if (block.dispatch_action || item.dispatch_action) {
        field.addEventListener("keydown", (event) => {
          if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); changed(block, item, ctx, state()); }
        });
      }
      return field;
    },
    number_input(item, block, ctx) {
      const saved = draft(block, item, ctx);
      const field = h("input", { id: ctx.inputId, type: "number", class: "bk-text-input",
        step: item.is_decimal_allowed ? "any" : "1", min: item.min_value, max: item.max_value });
      field.value = saved ? saved.value || "" : item.initial_value || "";
      const state = () => ({ type: "number_input", value: field.value === "" ? null : field.value });
      register(block, item, ctx, state);
      field.addEventListener("input", () => ctx.onDraft && ctx.onDraft(block.block_id, item.action_id, state()));
      return field;
    },
    image: (item) => h("img", { class: "bk-accessory-image", src: item.image_url, alt: item.alt_text }),
  };

  function allOptions(item) {
    const groups = item.option_groups || [{ options: item.options || [] }];
    return groups.flatMap((group) => group.options.map((option) => ({ value: option.value, label: T.unslack(optionText(option)), option })));
  }

  const peopleOptions = (ctx) => ctx.people.map((p) => ({ value: p.id, label: p.name }));
  const channelOptions = (ctx) => ctx.channels.map((c) => ({ value: c.id, label: "#" + c.name }));

  function nativeSelect(item, block, ctx, options, field, initial) {
    const multiple = field.endsWith("s") && field !== "selected_option";
    const select = h("select", { id: ctx.inputId, class: "bk-select", multiple, size: multiple ? Math.min(5, options.length) : null,
      "aria-label": ctx.inputId ? null : (item.placeholder && item.placeholder.text) || ctx.label || "Choose" });
    if (!multiple) select.append(h("option", { value: "" }, (item.placeholder && T.unslack(item.placeholder.text)) || "Choose…"));
    const saved = draft(block, item, ctx);
    const chosen = new Set(savedValues(saved, field) || initialValues(item, initial));
    for (const { value, label } of options) {
      select.append(h("option", { value, selected: chosen.has(value) }, label));
    }
    const byValue = Object.fromEntries(options.map((o) => [o.value, o.option]));
    const state = () => {
      const picked = [...select.selectedOptions].map((o) => o.value).filter(Boolean);
      const value = { type: item.type };
      if (field === "selected_option") value[field] = picked[0] ? echo(byValue[picked[0]]) : null;
      else if (field === "selected_options") value[field] = picked.map((v) => echo(byValue[v]));
      else value[field] = multiple ? picked : picked[0] || null;
      return value;
    };
    register(block, item, ctx, state);
    select.addEventListener("change", () => changed(block, item, ctx, state()));
    return select;
  }

  function savedValues(saved, field) {
    if (!saved) return null;
    const value = saved[field];
    if (value === null || value === undefined) return [];
    if (Array.isArray(value)) return value.map((v) => (typeof v === "string" ? v : v.value));
    return [typeof value === "string" ? value : value.value];
  }

  function initialValues(item, initial) {
    if (item.initial_option) return [item.initial_option.value];
    if (item.initial_options) return item.initial_options.map((o) => o.value);
    if (Array.isArray(initial)) return initial;
    return initial ? [initial] : [];
  }

  function choices(item, block, ctx, kind) {
    const saved = draft(block, item, ctx);
    const field = kind === "checkbox" ? "selected_options" : "selected_option";
    const chosen = new Set(savedValues(saved, field) || initialValues(item));
    const name = nextId("choice");
    const boxes = item.options.map((option) => {
      const box = h("input", { type: kind, name, value: option.value, checked: chosen.has(option.value) });
      return { box, option, label: h("label", { class: "bk-choice" }, box, h("span", {},
        html("span", T.text(option.text, ctx)),
        option.description ? html("small", T.text(option.description, ctx)) : null)) };
    });
    const state = () => {
      const picked = boxes.filter((b) => b.box.checked).map((b) => echo(b.option));
      return kind === "checkbox" ? { type: item.type, selected_options: picked } : { type: item.type, selected_option: picked[0] || null };
    };
    register(block, item, ctx, state);
    boxes.forEach(({ box }) => box.addEventListener("change", () => changed(block, item, ctx, state())));
    return h("fieldset", { class: "bk-choices", id: ctx.inputId, "aria-label": ctx.label || "Options" }, boxes.map((b) => b.label));
  }

  function picker(item, block, ctx, kind, field, initial) {
    const saved = draft(block, item, ctx);
    const input = h("input", { id: ctx.inputId, type: kind, class: "bk-picker",
      "aria-label": ctx.inputId ? null : (item.placeholder && item.placeholder.text) || (kind === "date" ? "Pick a date" : "Pick a time") });
    input.value = (saved ? saved[field] : initial) || "";
    const state = () => ({ type: item.type, [field]: input.value || null });
    register(block, item, ctx, state);
    input.addEventListener("change", () => changed(block, item, ctx, state()));
    return input;
  }

  // external_select: ask pmbot (block_suggestion) as the person types, like Slack's type-ahead.
  function typeahead(item, block, ctx, multiple) {
    const saved = draft(block, item, ctx);
    let picked = saved ? (multiple ? saved.selected_options || [] : saved.selected_option ? [saved.selected_option] : [])
      : (multiple ? item.initial_options || [] : item.initial_option ? [item.initial_option] : []);
    const listId = nextId("options");
    const search = h("input", { id: ctx.inputId, type: "text", role: "combobox", class: "bk-text-input",
      "aria-expanded": "false", "aria-controls": listId, autocomplete: "off",
      placeholder: (item.placeholder && T.unslack(item.placeholder.text)) || "Type to search",
      "aria-label": ctx.inputId ? null : (item.placeholder && item.placeholder.text) || ctx.label || "Search" });
    const list = h("div", { id: listId, role: "listbox", class: "bk-listbox", hidden: true });
    const chips = h("div", { class: "bk-chips" });
    const state = () => (multiple ? { type: item.type, selected_options: picked.map(echo) }
      : { type: item.type, selected_option: picked[0] ? echo(picked[0]) : null });
    const drawChips = () => {
      chips.replaceChildren(...picked.map((option) => h("span", { class: "bk-chip" }, T.unslack(optionText(option)),
        h("button", { type: "button", "aria-label": `Remove ${T.unslack(optionText(option))}`,
          onclick: () => { picked = picked.filter((p) => p.value !== option.value); drawChips(); changed(block, item, ctx, state()); } }, "×"))));
    };
    const choose = (option) => {
      picked = multiple ? [...picked.filter((p) => p.value !== option.value), option] : [option];
      list.hidden = true; search.value = ""; search.setAttribute("aria-expanded", "false");
      drawChips(); changed(block, item, ctx, state());
    };
    let asked = 0;
    const ask = async () => {
      const typed = search.value;
      if (typed.length < (item.min_query_length ?? 3)) { list.hidden = true; return; }
      const mine = ++asked;
      const options = await ctx.onOptions(block.block_id, item.action_id, typed);
      if (mine !== asked) return;
      list.replaceChildren(...(options.length ? options.map((option) => h("div", { role: "option", tabindex: "-1",
        class: "bk-option", onmousedown: (event) => { event.preventDefault(); choose(option); } },
      T.unslack(optionText(option)))) : [h("div", { class: "bk-empty" }, "No matches")]));
      list.hidden = false; search.setAttribute("aria-expanded", "true");
    };
    search.addEventListener("input", ask);
    search.addEventListener("focus", ask);
    search.addEventListener("blur", () => { list.hidden = true; search.setAttribute("aria-expanded", "false"); });
    register(block, item, ctx, state);
    drawChips();
    return h("div", { class: "bk-typeahead" }, chips, search, list);
  }

  function element(item, block, ctx) {
    const draw = ELEMENTS[item.type];
    if (!draw) return h("span", { class: "bk-unknown" }, `[${item.type} is not drawn by the playground]`);
    return draw(item, block, ctx);
  }

  function render(blocks, ctx) {
    const context = { state: {}, ...ctx };
    const container = h("div", { class: "bk-blocks" });
    (blocks || []).forEach((block, index) => {
      const withId = block.block_id ? block : { ...block, block_id: `auto-${index}` };
      const draw = BLOCKS[block.type];
      container.append(draw ? draw(withId, context)
        : h("div", { class: "bk-unknown" }, `[${block.type} block is not drawn by the playground]`));
    });
    return { node: container, state: context.state };
  }

  // Slack's state.values: {block_id: {action_id: value}} from the getters the elements registered.
  function values(state) {
    const out = {};
    for (const [blockId, actions] of Object.entries(state)) {
      out[blockId] = {};
      for (const [actionId, get] of Object.entries(actions)) out[blockId][actionId] = get();
    }
    return out;
  }

  function confirm(dialog) {
    return new Promise((resolve) => {
      const box = h("dialog", { class: "bk-confirm", "aria-label": dialog.title ? dialog.title.text : "Are you sure?" },
        dialog.title ? html("h2", T.plain(dialog.title)) : null,
        html("div", T.text(dialog.text, BlockKit.textContext || {}), { class: "bk-confirm-text" }),
        h("div", { class: "bk-confirm-buttons" },
          h("button", { type: "button", onclick: () => done(false) }, dialog.deny ? dialog.deny.text : "Cancel"),
          h("button", { type: "button", class: dialog.style === "danger" ? "bk-danger" : "bk-primary", onclick: () => done(true) },
            dialog.confirm ? dialog.confirm.text : "Yes")));
      const done = (answer) => { box.close(); box.remove(); resolve(answer); };
      document.body.append(box);
      box.showModal();
    });
  }

  const SUPPORTED = { blocks: Object.keys(BLOCKS).sort(), elements: Object.keys(ELEMENTS).sort(),
    objects: ["plain_text", "mrkdwn", "option", "option_group", "confirm"] };

  return { render, values, confirm, h, SUPPORTED };
})();
