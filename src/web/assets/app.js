// bonus-ctg — petite amélioration progressive : chaque formulaire marche sans ce script.
"use strict";
(function () {
  // Filtres du tableau des structures, appliqués sans recharger la page.
  function filtrer() {
    var f = document.getElementById("filtres");
    var t = document.getElementById("structures");
    if (!f || !t) return;
    var v = {};
    f.querySelectorAll("[data-filtre]").forEach(function (e) { v[e.getAttribute("data-filtre")] = e.value.trim().toLowerCase(); });
    var n = 0, total = 0;
    t.querySelectorAll("tbody tr[data-id]").forEach(function (tr) {
      total++;
      var ok = ["collectivite", "gestionnaire", "volet", "motif"].every(function (k) {
        return !v[k] || (tr.getAttribute("data-" + k) || "").toLowerCase() === v[k];
      }) && (!v.q || (tr.getAttribute("data-texte") || "").indexOf(v.q) >= 0);
      tr.hidden = !ok;
      if (ok) n++;
    });
    var c = document.getElementById("compte");
    if (c) c.textContent = n + (n > 1 ? " structures affichées" : " structure affichée") + " sur " + total + ".";
    var p = new URLSearchParams(new FormData(f));
    Array.from(p.keys()).forEach(function (k) { if (!p.get(k)) p.delete(k); });
    var q = p.toString();
    history.replaceState(null, "", location.pathname + (q ? "?" + q : ""));
  }
  document.addEventListener("input", function (e) { if (e.target.closest("#filtres")) filtrer(); });
  document.addEventListener("change", function (e) { if (e.target.closest("#filtres")) filtrer(); });

  function remplacer(html, url) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var neuf = doc.getElementById("contenu");
    var actuel = document.getElementById("contenu");
    if (!neuf || !actuel) { document.open(); document.write(html); document.close(); return; }
    actuel.innerHTML = neuf.innerHTML;
    document.title = doc.title;
    if (url) history.replaceState(null, "", url);
  }

  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (f.id === "filtres") { e.preventDefault(); filtrer(); return; }
    if (!f.hasAttribute("data-instantane") || !window.fetch) return;
    e.preventDefault();
    var y = window.scrollY;
    f.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    fetch(f.action, { method: "POST", body: new URLSearchParams(new FormData(f)), credentials: "same-origin" })
      .then(function (r) { return r.text().then(function (t) { return [t, r.url]; }); })
      .then(function (x) { remplacer(x[0], x[1]); window.scrollTo(0, y); })
      .catch(function () { f.submit(); });
  });

  // Explication d'une structure dans un panneau latéral.
  document.addEventListener("click", function (e) {
    var a = e.target.closest("a.expliquer");
    var p = document.getElementById("panneau");
    if (a && p && window.fetch) {
      e.preventDefault();
      fetch(a.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (t) {
        var doc = new DOMParser().parseFromString(t, "text/html");
        var art = doc.getElementById("explication") || doc.getElementById("contenu");
        var c = p.querySelector(".panneau-contenu");
        c.innerHTML = "";
        if (art) c.appendChild(document.importNode(art, true));
        p.hidden = false;
        p.querySelector(".fermer").focus();
      });
      return;
    }
    if (e.target.closest(".panneau .fermer") && p) p.hidden = true;
  });
  document.addEventListener("keydown", function (e) {
    var p = document.getElementById("panneau");
    if (e.key === "Escape" && p) p.hidden = true;
  });
})();
