/* Quiz attempt: autosave with a sequence number, a countdown from the server's remaining time.
   Without JavaScript the form posts and the server does the same. */
(function () {
  "use strict";
  var form = document.querySelector("form.attempt");
  if (!form) return;
  var seqInput = form.querySelector("[data-seq]");
  var status = form.querySelector("[data-save-status]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var shown = form.querySelector("input[name=shown]").value.split(",").filter(Boolean);
  var timer = null, saving = false, again = false, submitting = false;

  function collect() {
    var answers = {};
    shown.forEach(function (n) {
      var name = "q" + n;
      var checked = form.querySelectorAll("input[name='" + name + "']:checked");
      var text = form.querySelector("input[type=text][name='" + name + "']");
      var selects = form.querySelectorAll("select[name^='" + name + "-']");
      if (text) { answers[n] = text.value; }
      else if (selects.length) {
        answers[n] = {};
        selects.forEach(function (s) { answers[n][s.name.slice(name.length + 1)] = s.value; });
      } else {
        var multiple = form.querySelector("input[type=checkbox][name='" + name + "']");
        var values = Array.prototype.map.call(checked, function (i) { return i.value; });
        answers[n] = multiple ? values : (values[0] || "");
      }
    });
    return answers;
  }

  function say(text) { if (status) status.textContent = text; }

  function save() {
    if (saving) { again = true; return; }
    saving = true;
    var seq = parseInt(seqInput.value, 10);
    fetch(form.dataset.saveUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ seq: seq, answers: collect() }),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (r) {
      if (r.ok) {
        seqInput.value = r.body.seq + 1;
        say(form.dataset.savedText ? form.dataset.savedText.replace("%s", r.body.saved_at) : "✓ " + r.body.saved_at);
      } else {
        say(r.body.error || "");
        if (r.body.result_url) window.location.href = r.body.result_url;
      }
    }).catch(function () {
      say(form.dataset.offlineText || "…");
    }).then(function () {
      saving = false;
      if (again) { again = false; save(); }
    });
  }

  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(save, 600);
  });
  form.addEventListener("input", function (event) {
    if (event.target.type === "text") { clearTimeout(timer); timer = setTimeout(save, 1500); }
  });
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.hasAttribute("data-submit") && !submitting) {
      if (!window.confirm(button.dataset.confirm)) { event.preventDefault(); return; }
    }
    clearTimeout(timer);
  });

  var countdown = document.querySelector("[data-countdown]");
  if (!countdown) return;
  var display = countdown.querySelector(".countdown__time");
  var warning = document.querySelector("[data-countdown-warning]");
  var endsAt = Date.now() + parseInt(countdown.dataset.remaining, 10) * 1000;
  var warned = {};
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    display.textContent = (h ? h + ":" + pad(m) : m) + ":" + pad(s);
    [300, 60].forEach(function (mark) {
      if (left <= mark && !warned[mark] && warning) {
        warned[mark] = true;
        countdown.classList.add("countdown--low");
        warning.textContent = countdown.dataset["warn" + mark] || "";
      }
    });
    if (left === 0) {
      clearInterval(interval);
      submitting = true;
      var submit = form.querySelector("[data-submit]");
      if (submit) { form.requestSubmit ? form.requestSubmit(submit) : submit.click(); }
    }
  }
  var interval = setInterval(tick, 1000);
  tick();
})();
