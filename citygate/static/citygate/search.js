/*
 * Search as you type, on top of the search form that works without it. Each pause in typing
 * asks the catalogue API (the same ranking as the form) and redraws the results; the query
 * travels in the request body, never in the address. Results are built as DOM nodes with
 * textContent, so nothing from the server is read as HTML.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-live-search]");
  var results = document.querySelector("[data-search-results]");
  if (!form || !results || !window.fetch) {
    return;
  }
  var input = form.querySelector("input[name=q]");
  var endpoint = form.getAttribute("data-live-search");
  var text = function (name) {
    return results.getAttribute("data-text-" + name) || "";
  };
  var sequence = 0;
  var timer = null;

  function value(name) {
    var field = form.querySelector("[name=" + name + "]:checked, select[name=" + name + "]");
    return field ? field.value : "";
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (content) {
      node.textContent = content;
    }
    return node;
  }

  function draw(body) {
    results.textContent = "";
    var heading = element(
      "h2",
      "",
      body.total === 1 ? text("found-one") : text("found-many").replace("%(total)s", body.total)
    );
    heading.id = "results-title";
    results.appendChild(heading);
    if (!body.items.length) {
      var empty = element("div", "empty");
      empty.appendChild(element("p", "empty-title", text("none")));
      empty.appendChild(element("p", "", text("hint")));
      results.appendChild(empty);
      return;
    }
    var list = element("ul", "list results");
    body.items.forEach(function (item) {
      var link = element("a");
      link.href = item.url;
      link.appendChild(element("span", "result-name", item.name));
      var facts = [item.department];
      if (item.can_apply_online) {
        facts.push(text("online"));
      }
      if (item.appointment) {
        facts.push(text("bookable"));
      }
      link.appendChild(element("small", "muted", facts.join(" · ")));
      var row = element("li");
      row.appendChild(link);
      list.appendChild(row);
    });
    results.appendChild(list);
  }

  function ask() {
    var query = input.value.trim();
    if (!query) {
      return;
    }
    var mine = ++sequence;
    fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({
        q: query,
        limit: 10,
        typing: true,
        department: value("department"),
        district: value("district"),
        audience: value("audience")
      })
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        // An answer to an older query that arrives late is dropped.
        if (body && mine === sequence) {
          draw(body);
        }
      })
      .catch(function () {
        // Without the network the form still posts normally.
      });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 150);
  });
  form.addEventListener("change", function (event) {
    if (event.target !== input) {
      ask();
    }
  });
})();
