// Keyboard shortcuts for the review app. No framework: the pages work without JavaScript too.
(function () {
  "use strict";
  var body = document.body;
  var busy = false;  // a decision was sent: ignore further keys until the next page loads

  function $(id) { return document.getElementById(id); }
  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }
  function toggleHelp(force) {
    var help = $("help");
    if (!help) return;
    help.hidden = force === undefined ? !help.hidden : !force;
  }
  function submitWith(buttonId) {
    var button = $(buttonId);
    if (!button || button.disabled || busy) return;
    busy = true;
    button.form.requestSubmit(button);
  }
  function go(url) { if (url && !busy) { busy = true; window.location.href = url; } }

  document.querySelectorAll("[data-help-toggle]").forEach(function (el) {
    el.addEventListener("click", function (ev) { ev.preventDefault(); toggleHelp(); });
  });
  var helpBox = $("help");
  if (helpBox) helpBox.addEventListener("click", function (ev) { if (ev.target === helpBox) toggleHelp(false); });

  // item view: put the highlighted passage in the middle of the reading pane
  var mark = $("passage");
  if (mark) mark.scrollIntoView({block: "center"});

  // the indicator search: Enter changes the indicator (and confirms)
  var indicatorInput = $("indicator-input");
  if (indicatorInput) {
    indicatorInput.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { ev.preventDefault(); if (indicatorInput.value.trim()) submitWith("btn-relabel"); }
    });
  }

  // queue view: j/k move the selection, Enter/o open it; clicking a row opens it
  var rows = Array.prototype.slice.call(document.querySelectorAll("#queue-table tbody tr"));
  var selected = rows.findIndex(function (r) { return r.classList.contains("selected"); });
  function select(i) {
    if (!rows.length) return;
    selected = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, k) { r.classList.toggle("selected", k === selected); });
    rows[selected].scrollIntoView({block: "nearest"});
  }
  rows.forEach(function (r, k) {
    r.addEventListener("click", function (ev) { if (ev.target.tagName !== "A") go(r.dataset.href); });
  });

  var isItem = body.classList.contains("item-page");
  var isQueue = body.classList.contains("queue-page");

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "Escape") {
      toggleHelp(false);
      if (typing(document.activeElement)) document.activeElement.blur();
      return;
    }
    if (typing(ev.target)) return;
    var key = ev.key;
    if (key === "?") { ev.preventDefault(); toggleHelp(); return; }
    if (isItem) {
      switch (key) {
        case "a": ev.preventDefault(); submitWith("btn-confirm"); return;
        case "x": ev.preventDefault(); submitWith("btn-reject"); return;
        case "c": ev.preventDefault(); if (indicatorInput && !indicatorInput.disabled) { indicatorInput.focus(); indicatorInput.select(); } return;
        case "n": ev.preventDefault(); var note = $("note"); if (note && !note.disabled) note.focus(); return;
        case "g":
          ev.preventDefault();
          var gap = $("pol-gap"), dev = $("pol-developed");
          if (gap && dev && !gap.disabled) { if (gap.checked) dev.checked = true; else gap.checked = true; }
          return;
        case "u": ev.preventDefault(); submitWith("btn-undo"); return;
        case "j": case "s": ev.preventDefault(); go(body.dataset.nextUrl); return;
        case "k": ev.preventDefault(); go(body.dataset.prevUrl); return;
        case "p": ev.preventDefault(); window.open(body.dataset.pdfUrl, "_blank", "noopener"); return;
        case "q": ev.preventDefault(); go(body.dataset.queueUrl); return;
      }
    } else if (isQueue && rows.length) {
      switch (key) {
        case "j": ev.preventDefault(); select(selected + 1); return;
        case "k": ev.preventDefault(); select(selected - 1); return;
        case "o": case "Enter": ev.preventDefault(); go(rows[Math.max(selected, 0)].dataset.href); return;
      }
    }
  });
  // the page came back from the bfcache (browser back button): accept keys again
  window.addEventListener("pageshow", function () { busy = false; });
})();
