// Title suggestions under the navigation's search box (progressive enhancement: the form works without it).
(function () {
  var form = document.querySelector("[data-suggest-url]");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var list = document.createElement("ul");
  list.className = "navsearch__list";
  list.hidden = true;
  list.id = "navsearch-suggestions";
  list.setAttribute("role", "listbox");
  form.appendChild(list);
  input.setAttribute("aria-controls", list.id);
  var timer = null;
  var last = "";
  function render(items) {
    list.innerHTML = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.url;
      a.textContent = item.title;
      a.setAttribute("role", "option");
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
  }
  input.addEventListener("input", function () {
    var q = input.value.trim();
    clearTimeout(timer);
    if (!q) { render([]); return; }
    timer = setTimeout(function () {
      if (q === last) return;
      last = q;
      fetch(form.dataset.suggestUrl + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (input.value.trim() === q) render(data.results); })
        .catch(function () { render([]); });
    }, 180);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" && !list.hidden) { e.preventDefault(); list.querySelector("a").focus(); }
    if (e.key === "Escape") render([]);
  });
  list.addEventListener("keydown", function (e) {
    var current = document.activeElement.parentElement;
    if (e.key === "ArrowDown" && current.nextElementSibling) { e.preventDefault(); current.nextElementSibling.firstChild.focus(); }
    if (e.key === "ArrowUp") { e.preventDefault(); (current.previousElementSibling ? current.previousElementSibling.firstChild : input).focus(); }
    if (e.key === "Escape") { render([]); input.focus(); }
  });
  document.addEventListener("click", function (e) { if (!form.contains(e.target)) render([]); });
})();
