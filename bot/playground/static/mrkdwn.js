// Slack's text formatting for the playground: mrkdwn, plain_text, emoji, and <!date^…> tokens shown
// in the viewer's timezone. Everything is HTML-escaped before any markup is added.
"use strict";

const Mrkdwn = (() => {
  const EMOJI = {
    warning: "⚠️", white_check_mark: "✅", rocket: "🚀", hourglass_flowing_sand: "⏳", hourglass: "⌛",
    tada: "🎉", calendar: "📅", wave: "👋", "+1": "👍", thumbsup: "👍", x: "❌", no_entry_sign: "🚫",
    lock: "🔒", inbox_tray: "📥", clipboard: "📋", zzz: "💤", vertical_traffic_light: "🚦",
    twisted_rightwards_arrows: "🔀", question: "❓", pencil2: "✏️", new: "🆕", memo: "📝", mag: "🔍",
    leftwards_arrow_with_hook: "↩️", hammer_and_wrench: "🛠️", eyes: "👀", bell: "🔔", bar_chart: "📊",
    ballot_box_with_ballot: "🗳️", arrow_right: "➡️", heavy_check_mark: "✔️", red_circle: "🔴",
    large_green_circle: "🟢", large_yellow_circle: "🟡", speech_balloon: "💬", star: "⭐", fire: "🔥",
    link: "🔗", bust_in_silhouette: "👤", busts_in_silhouette: "👥", pushpin: "📌", date: "📅",
    stopwatch: "⏱️", construction: "🚧", checkered_flag: "🏁", sparkles: "✨", bulb: "💡",
  };

  function escapeHtml(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  // Slack escapes only &, < and > in message text; undo that before escaping for HTML.
  function unslack(text) {
    return String(text).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  function emoji(html) {
    return html.replace(/:([a-z0-9_+\-]+):/g, (whole, name) => EMOJI[name] || whole);
  }

  function plain(textObject) {
    if (!textObject) return "";
    const text = typeof textObject === "string" ? textObject : textObject.text || "";
    return emoji(escapeHtml(text));
  }

  // --- dates -----------------------------------------------------------------------------------

  function ordinal(day) {
    const tens = day % 100;
    if (tens >= 11 && tens <= 13) return day + "th";
    return day + ({ 1: "st", 2: "nd", 3: "rd" }[day % 10] || "th");
  }

  function parts(date, tz) {
    const format = new Intl.DateTimeFormat("en-US", {
      timeZone: tz, year: "numeric", month: "long", day: "numeric", weekday: "long",
      hour: "numeric", minute: "2-digit", second: "2-digit", hour12: true,
    });
    const out = {};
    for (const part of format.formatToParts(date)) out[part.type] = part.value;
    out.ymd = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" })
      .format(date);
    return out;
  }

  function relativeDay(date, tz) {
    const day = (d) => parts(d, tz).ymd;
    const now = new Date();
    const names = { [day(now)]: "today", [day(new Date(now - 864e5))]: "yesterday",
      [day(new Date(+now + 864e5))]: "tomorrow" };
    return names[day(date)];
  }

  function ago(date) {
    const seconds = Math.round((Date.now() - date) / 1000);
    const future = seconds < 0;
    const abs = Math.abs(seconds);
    const [value, unit] = abs < 60 ? [abs, "second"] : abs < 3600 ? [Math.round(abs / 60), "minute"]
      : abs < 86400 ? [Math.round(abs / 3600), "hour"] : [Math.round(abs / 86400), "day"];
    const words = `${value} ${unit}${value === 1 ? "" : "s"}`;
    return future ? `in ${words}` : `${words} ago`;
  }

  function formatDate(unix, template, tz) {
    const date = new Date(Number(unix) * 1000);
    const p = parts(date, tz);
    const shortMonth = p.month.slice(0, 3);
    const tokens = {
      date_num: p.ymd,
      date: `${p.month} ${ordinal(+p.day)}, ${p.year}`,
      date_short: `${shortMonth} ${+p.day}, ${p.year}`,
      date_long: `${p.weekday}, ${p.month} ${ordinal(+p.day)}, ${p.year}`,
      time: `${p.hour}:${p.minute} ${p.dayPeriod}`,
      time_secs: `${p.hour}:${p.minute}:${p.second} ${p.dayPeriod}`,
      ago: ago(date),
    };
    const relative = relativeDay(date, tz);
    tokens.date_pretty = relative ? capital(relative) : tokens.date;
    tokens.date_short_pretty = relative ? capital(relative) : tokens.date_short;
    tokens.date_long_pretty = relative ? capital(relative) : tokens.date_long;
    tokens.day_divider_pretty = relative ? capital(relative) : `${p.weekday}, ${p.month} ${ordinal(+p.day)}`;
    return template.replace(/\{(\w+)\}/g, (whole, name) => (name in tokens ? tokens[name] : whole));
  }

  function capital(word) {
    return word.charAt(0).toUpperCase() + word.slice(1);
  }

  // --- <…> tokens --------------------------------------------------------------------------------

  function token(inner, ctx) {
    const [target, label] = splitLabel(inner);
    if (target.startsWith("@")) {
      const person = ctx.person(target.slice(1));
      return `<span class="mention">@${escapeHtml(person ? person.name : label || target.slice(1))}</span>`;
    }
    if (target.startsWith("#")) {
      const id = target.slice(1);
      const channel = ctx.channel(id);
      const name = channel ? channel.name : label || id;
      return `<a class="mention channel-link" href="#" data-channel="${escapeHtml(id)}">#${escapeHtml(name)}</a>`;
    }
    if (target.startsWith("!date^")) {
      const [, unix, template, link] = target.split("^");
      const text = escapeHtml(formatDate(unix, template || "{date}", ctx.tz));
      const title = escapeHtml(formatDate(unix, "{date_long} {time}", ctx.tz) + ` (${ctx.tz})`);
      const shown = link ? `<a href="${escapeHtml(link)}" target="_blank" rel="noopener">${text}</a>` : text;
      return `<time class="date-token" title="${title}">${shown}</time>`;
    }
    if (target.startsWith("!subteam^")) return `<span class="mention">${escapeHtml(label || "@group")}</span>`;
    if (target.startsWith("!")) return `<span class="mention">@${escapeHtml(label || target.slice(1))}</span>`;
    if (/^(https?:|mailto:)/.test(target)) return link(target, label, ctx);
    return escapeHtml(inner);
  }

  function splitLabel(inner) {
    const bar = inner.indexOf("|");
    return bar < 0 ? [unslack(inner), ""] : [unslack(inner.slice(0, bar)), unslack(inner.slice(bar + 1))];
  }

  function link(url, label, ctx) {
    const archived = ctx.workspaceUrl && url.startsWith(ctx.workspaceUrl + "archives/");
    const text = escapeHtml(label || url);
    if (archived) {
      const [channel, p] = url.slice(ctx.workspaceUrl.length + "archives/".length).split("/");
      const ts = p ? p.slice(1, -6) + "." + p.slice(-6) : "";
      return `<a href="#" class="permalink" data-channel="${escapeHtml(channel)}" data-ts="${escapeHtml(ts)}">${text}</a>`;
    }
    return `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${text}</a>`;
  }

  // --- mrkdwn ----------------------------------------------------------------------------------

  function format(escaped) {
    const around = (mark, tag) => new RegExp(
      `(^|[^\\w${mark}])\\${mark}(?=\\S)([^${mark}\\n]*?\\S)\\${mark}(?![\\w${mark}])`, "g");
    return escaped
      .replace(around("*", "b"), "$1<b>$2</b>")
      .replace(around("_", "i"), "$1<i>$2</i>")
      .replace(around("~", "s"), "$1<s>$2</s>");
  }

  function mrkdwn(text, ctx) {
    const saved = [];
    const keep = (html) => `\u0000${saved.push(html) - 1}\u0000`;
    let source = String(text || "");
    source = source.replace(/```([\s\S]*?)```/g, (whole, code) => keep(`<pre>${escapeHtml(unslack(code))}</pre>`));
    source = source.replace(/`([^`\n]+)`/g, (whole, code) => keep(`<code>${escapeHtml(unslack(code))}</code>`));
    source = source.replace(/<([^<>\n]+)>/g, (whole, inner) => keep(token(inner, ctx)));
    const lines = source.split("\n").map((line) => {
      const quoted = line.startsWith("&gt;") ;
      const body = format(emoji(escapeHtml(unslack(quoted ? line.replace(/^&gt;\s?/, "") : line))));
      return quoted ? `<blockquote>${body}</blockquote>` : body;
    });
    let html = lines.join("<br>").replace(/<\/blockquote><br><blockquote>/g, "<br>");
    for (let round = 0; round < 3 && html.includes("\u0000"); round++) {
      html = html.replace(/\u0000(\d+)\u0000/g, (whole, index) => saved[+index]);
    }
    return html;
  }

  function text(textObject, ctx) {
    if (!textObject) return "";
    return textObject.type === "mrkdwn" ? mrkdwn(textObject.text, ctx) : plain(textObject);
  }

  return { mrkdwn, plain, text, escapeHtml, formatDate, unslack };
})();
